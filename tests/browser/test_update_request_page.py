"""The organisation's page behind its update link, as Marc walks it on his phone (and on a
desktop): his record first, "still correct" in one tap, or changes proposed through a form in
sections, with a missing answer named and linked to; every page reflows at 320 px with large
text and passes axe-core, in French and English."""

import re
from datetime import time

import pytest
from django.core import mail
from django.test.utils import override_settings
from playwright.sync_api import expect

from organisations.factories import (
    LocationFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    PhoneFactory,
    ServiceFactory,
    territory,
)
from organisations.models import Organisation
from review.models import Proposal, UpdateRequest, Verification
from review.requests import requests_create, requests_revoke, send_update_request
from tests.browser.checks import axe_violations, large_text, overflow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The form's height on a 390 px phone, sections closed: it was about 26,000 px as one long page.
PHONE_FORM_HEIGHT_AT_MOST = 2_500


@pytest.fixture
def link(editor):
    """A published record and the path of the link emailed to its contact."""
    organisation = OrganisationFactory(
        name="Banque alimentaire de Longueuil",
        description_fr="Distribution le mardi.",
        update_contact_name="Marc Tremblay",
        update_contact_email="marc@banque.example.org",
        preferred_language="fr",
    )
    ServiceFactory(organisation=organisation, name_fr="Dépannage alimentaire")
    place = LocationFactory(
        organisation=organisation, municipality=territory("longueuil"), postal_code="J4H 1C5"
    )
    OpeningHoursFactory(location=place, weekday=2, opens=time(9, 30), closes=time(12))
    PhoneFactory(organisation=organisation, number="+14505550154", extension="204")
    organisation.save_revision(user=editor).publish(user=editor)
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        requests_create([organisation])
        send_update_request.call(UpdateRequest.objects.get().pk)
        body = mail.outbox[-1].body
    return re.search(r"https?://\S+", body).group(0).split("8000", 1)[1]


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_our_information_is_still_correct_in_one_tap(screen, live_server, link, shoot):
    page = screen
    page.goto(f"{live_server.url}{link}")
    expect(page.get_by_role("heading", name="Vérifiez votre fiche")).to_be_visible()
    shoot(page, "record")
    record = page.get_by_text("Distribution le mardi.")
    confirm = page.get_by_role("button", name="Nos informations sont toujours justes")
    # The record comes first, the answer about it after.
    assert record.bounding_box()["y"] < confirm.bounding_box()["y"]
    expect(page.get_by_role("link", name="(450) 555-0154, poste 204")).to_be_visible()
    expect(page.locator(".hours")).to_contain_text("mardi")
    expect(page.locator(".hours")).to_contain_text("9 h 30 – 12 h")

    confirm.click()

    expect(page.get_by_role("heading", name="Merci : votre fiche est confirmée")).to_be_visible()
    shoot(page, "confirmed")
    assert Verification.objects.get().method == Verification.Method.LINK_CONFIRMED


def test_an_organisation_changes_a_day_and_an_extension_and_is_told_what_is_missing(
    screen, live_server, link, shoot
):
    page = screen
    page.goto(f"{live_server.url}{link}")
    shoot(page, "record")
    page.get_by_role("link", name="Proposer des changements").click()

    expect(page.get_by_role("heading", name="Proposer des changements", level=1)).to_be_visible()
    # Closed sections, each saying what it holds; who answers is in sight.
    places = page.locator("#section-places")
    expect(places).not_to_have_attribute("open", "")
    expect(page.locator("#section-places > summary")).to_contain_text("1 lieu, 1 plage horaire")
    expect(page.locator("#section-phones > summary")).to_contain_text("(450) 555-0154, poste 204")
    expect(page.get_by_label("Votre nom (obligatoire)")).to_be_visible()
    if page.screen_name == "phone":
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= PHONE_FORM_HEIGHT_AT_MOST, height
    shoot(page, "form")

    # Tuesday's distribution moves to Wednesday: the hours read as people write them.
    page.locator("#section-places > summary").click()
    day = places.locator("#id_hours-0-0-weekday")
    expect(day).to_have_value("2")
    expect(places.locator("#id_hours-0-0-opens")).to_have_value("09:30")
    expect(places.locator("#id_hours-0-0-closes")).to_have_value("12:00")
    day.select_option(label="mercredi")
    # A new extension: the number shows as people write it.
    phones = page.locator("#section-phones")
    page.locator("#section-phones > summary").click()
    expect(phones.locator("#id_phones-0-number")).to_have_value("(450) 555-0154")
    phones.locator("#id_phones-0-extension").fill("210")
    shoot(page, "changed")

    # Sent without an email: the summary names it, and its link goes to the box.
    page.get_by_label("Votre nom (obligatoire)").fill("Marc Tremblay")
    page.get_by_role("button", name="Envoyer nos changements au 211").click()

    summary = page.locator("#error-summary")
    expect(summary.get_by_role("heading", name="Il y a un problème")).to_be_visible()
    assert page.title().startswith("Erreur :")
    assert _focused_id(page) == "error-summary"
    missing = summary.get_by_role("link", name=re.compile("Écrivez votre courriel"))
    expect(missing).to_have_count(1)
    expect(summary.get_by_role("link")).to_have_count(1)
    # What was changed is still there, its section open.
    expect(page.locator("#section-places")).to_have_attribute("open", "")
    expect(page.locator("#id_hours-0-0-weekday")).to_have_value("3")
    expect(page.locator("#id_phones-0-extension")).to_have_value("210")
    shoot(page, "errors")
    missing.click()
    assert _focused_id(page) == "id_org-submitter_email"
    expect(page.locator("#id_org-submitter_email")).to_be_in_viewport()

    page.keyboard.type("marc@banque.example.org")
    page.get_by_role("button", name="Envoyer nos changements au 211").click()

    expect(
        page.get_by_role("heading", name="Merci : vos changements ont été envoyés")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Et maintenant?")).to_be_visible()
    expect(page.get_by_text(re.compile("vous recevrez un courriel"))).to_be_visible()
    shoot(page, "sent")
    proposal = Proposal.objects.get()
    hours = proposal.content["locations"][0]["hours"]
    assert [(h["weekday"], h["opens"], h["closes"]) for h in hours] == [(3, "09:30:00", "12:00:00")]
    assert [(p["number"], p["extension"]) for p in proposal.content["phones"]] == [
        ("+14505550154", "210")
    ]
    assert proposal.submitter_email == "marc@banque.example.org"
    assert Organisation.objects.get().description_fr == "Distribution le mardi."  # not yet


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_update_pages_reflow_at_320_px_with_large_text_and_pass_axe(
    browser, live_server, link, language, shoot
):
    context = browser.new_context(
        locale="fr-CA" if language == "fr" else "en-CA", viewport={"width": 320, "height": 640}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    large_text(page)
    path = link if language == "fr" else link.replace("/fr/mise-a-jour/", "/en/update/")
    changes = "modifier/" if language == "fr" else "changes/"
    found = {}

    def check(step):
        assert (
            page.evaluate("getComputedStyle(document.body).fontSize") == "27px"
        )  # 24 px x 112.5 %
        found[step] = overflow(page) + axe_violations(page)
        # After the checks: a full-page screenshot puts Chromium's default font size back to
        # 16 px until the next page load.
        shoot(page, step)

    page.goto(f"{live_server.url}{path}")
    check("record")
    page.goto(f"{live_server.url}{path}{changes}")
    for section in page.locator("details.propose-section").all():
        section.locator(":scope > summary").click()  # every section open: the widest the form gets
    check("form")
    page.locator("[name='org-submitter_email']").fill("not an email")
    page.locator("form.propose-form button[type=submit]").click()
    page.locator("#error-summary").wait_for()
    check("errors")
    page.locator("[name='org-submitter_name']").fill("Marc Tremblay")
    page.locator("[name='org-submitter_email']").fill("marc@banque.example.org")
    page.locator("form.propose-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/(envoye|sent)/$"))
    check("sent")
    # The page after "still correct" (the link now waits for a curator: opened directly).
    page.goto(f"{live_server.url}{path}{'merci/' if language == 'fr' else 'thanks/'}")
    check("confirmed")
    # Revoked after it was answered: every page of the link says it was withdrawn (410).
    requests_revoke(UpdateRequest.objects.all())
    answer = page.goto(f"{live_server.url}{path}{changes}")
    assert answer.status == 410
    title = "Ce lien a été retiré" if language == "fr" else "This link was withdrawn"
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    check("withdrawn")
    context.close()

    assert found == {step: [] for step in found}
