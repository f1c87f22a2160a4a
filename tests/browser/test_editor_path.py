"""The editor's path, in French, on a desktop and on a phone (issue 15): a curator edits a
published record and submits it; it goes straight to the editors; the editor opens it from her
home, sees what changes against the public version in words, and approves it or sends it back
with a comment the curator then reads."""

import re
from datetime import time

import pytest
from playwright.sync_api import expect
from wagtail.models import WorkflowState

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    territory,
)
from organisations.models import OpeningHours, Organisation
from organisations.revisions import live_revisions_ensure
from tests.browser.checks import AXE, AXE_OPTIONS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

INTERNAL = ("Latitude", "Longitude", "géocodage", "Épingle placée", "Adresse confidentielle")


def demo_like_record(name: str, slug: str) -> Organisation:
    """A live record written without Wagtail's actions, as the demo and old loads are, then given
    its live revision by the start-up path (organisations/revisions.py)."""
    organisation = OrganisationFactory(
        name=name, slug=slug, description_fr="Distribution alimentaire le vendredi matin."
    )
    ServiceFactory(organisation=organisation, service_areas=[territory("longueuil")])
    location = LocationFactory(organisation=organisation, name="Comptoir")
    OpeningHoursFactory(
        location=location,
        weekday=OpeningHours.Weekday.FRIDAY,
        opens=time(9, 30),
        closes=time(12, 0),
    )
    PhoneFactory(organisation=organisation, number="+14505550154")
    assert live_revisions_ensure() >= 1
    return Organisation.objects.get(pk=organisation.pk)


def log_in(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def more_actions(page):
    """The edit form's footer: its other actions sit behind the arrow of the main button."""
    page.locator("footer .w-dropdown__toggle").first.click()


def axe_on(page, selector: str) -> list[str]:
    """axe-core on our own markup only: Wagtail's admin chrome is not ours to fix here."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "([selector, options]) => axe.run(document.querySelector(selector), options)",
        [selector, AXE_OPTIONS],
    )
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def curator_submits(page, base, organisation, shoot):
    log_in(page, base, "nadia")
    page.goto(f"{base}/admin/snippets/organisations/organisation/edit/{organisation.pk}/")
    page.fill("#id_description_fr", "Distribution alimentaire le samedi matin, sans rendez-vous.")
    page.get_by_role("tab", name="Lieux et heures").click()
    page.select_option("#id_locations-0-hours-0-weekday", str(OpeningHours.Weekday.SATURDAY))
    page.get_by_role("tab", name="Téléphones").click()
    page.fill("#id_phones-0-extension", "204")
    shoot(page, "curator-edits")
    more_actions(page)
    page.get_by_role("button", name="Soumettre à Révision et publication").click()
    expect(page.locator(".messages")).to_contain_text(
        f"La fiche « {organisation.name} » est envoyée en révision."
    )
    shoot(page, "curator-submitted")


def in_review_step(organisation) -> str:
    state = WorkflowState.objects.for_instance(organisation).get(
        status=WorkflowState.STATUS_IN_PROGRESS
    )
    return state.current_task_state.task.name


def test_the_editor_compares_in_words_and_approves(screen, live_server, curator, editor, shoot):
    page, base = screen, live_server.url
    organisation = demo_like_record("Comptoir alimentaire du Vieux-Longueuil", "comptoir-vl")

    curator_submits(page, base, organisation, shoot)
    # Straight to the editors: no curator has to approve her own submission.
    assert in_review_step(organisation) == "Approbation de la publication"

    log_in(page, base, "sophie")
    expect(page.get_by_role("heading", name="En attente de votre approbation")).to_be_visible()
    expect(page.locator(".w-summary")).to_have_count(0)  # no counts of pages and images for her
    shoot(page, "editor-home")
    page.get_by_role("link", name=re.compile("Comparer avec la version publiée")).first.click()

    table = page.locator("table.listing").first
    expect(table).to_contain_text("sans rendez-vous")
    expect(table).to_contain_text("vendredi 9 h 30 – 12 h")
    expect(table).to_contain_text("samedi 9 h 30 – 12 h")
    expect(table).to_contain_text("(450) 555-0154 poste 204")
    for word in INTERNAL:
        expect(table).not_to_contain_text(word)
    shoot(page, "editor-compares")
    assert axe_on(page, "table.listing") == []

    page.goto(f"{base}/admin/snippets/organisations/organisation/edit/{organisation.pk}/")
    more_actions(page)
    page.get_by_role("button", name="Approuver et Publier", exact=True).click()
    expect(page.locator(".messages")).to_contain_text(
        f"La fiche « {organisation.name} » est approuvée et publiée."
    )
    shoot(page, "editor-approved")

    page.context.clear_cookies()
    page.goto(f"{base}/fr/organismes/{organisation.slug}/")
    expect(page.locator("main")).to_contain_text("samedi matin, sans rendez-vous")
    shoot(page, "public-page")


def test_the_editor_sends_it_back_with_a_comment_the_curator_reads(
    screen, live_server, curator, editor, shoot
):
    page, base = screen, live_server.url
    organisation = demo_like_record("Entraide de Saint-Hubert", "entraide-saint-hubert")
    curator_submits(page, base, organisation, shoot)

    log_in(page, base, "sophie")
    page.goto(f"{base}/admin/snippets/organisations/organisation/edit/{organisation.pk}/")
    more_actions(page)
    page.get_by_role("button", name="Demander des modifications").click()
    page.locator(".modal textarea[name=comment]").fill("Confirmez le samedi avec l’organisme.")
    shoot(page, "editor-comment")
    page.locator(".modal button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(
        re.compile(rf"La fiche « {organisation.name} » est renvoyée à .+ avec votre commentaire\.")
    )
    shoot(page, "editor-sent-back")
    organisation.refresh_from_db()
    assert organisation.description_fr.startswith("Distribution alimentaire le vendredi")

    log_in(page, base, "nadia")
    page.goto(f"{base}/admin/snippets/organisations/organisation/history/{organisation.pk}/")
    expect(page.get_by_text("Confirmez le samedi avec l’organisme.")).to_be_visible()
    shoot(page, "curator-reads-comment")
