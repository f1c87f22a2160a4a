"""Two curators on one record, in French, on a desktop and on a phone (issue 17): Marc and
Nadia open the same record's form; Marc saves a new description; Nadia's save, from the form
she opened before, is refused with a message that names Marc and links to the comparison of
the version she loaded with Marc's. Nothing is lost: Marc's description stays, and Nadia, once
she has reloaded the form, saves her change over it."""

import re

import pytest
from playwright.sync_api import expect

from organisations.factories import OrganisationFactory, UserFactory
from organisations.models import Organisation
from organisations.revisions import live_revisions_ensure
from review.services import CURATORS
from tests.browser.conftest import NOT_THIS_SERVER

from .test_editor_path import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MARCS = "Repas chauds livrés le mardi et le jeudi, sur inscription."
NADIAS = "Popote de Duvernay"


def edit_url(base: str, organisation: Organisation) -> str:
    return f"{base}/admin/snippets/organisations/organisation/edit/{organisation.pk}/"


def save_draft(page) -> None:
    page.get_by_role("button", name="Enregistrer le brouillon", exact=True).click()


def test_a_save_from_a_form_opened_before_anothers_save_is_refused_and_nothing_is_lost(
    screen, browser, live_server, curator, shoot
):
    page, base = screen, live_server.url
    UserFactory(username="marc", first_name="Marc", last_name="Tremblay", groups=[CURATORS])
    organisation = OrganisationFactory(
        name="Popote roulante de Duvernay",
        slug="popote-duvernay",
        description_fr="Repas livrés le mardi.",
    )
    live_revisions_ensure()
    organisation = Organisation.objects.get(pk=organisation.pk)
    base_id = organisation.latest_revision_id

    # Nadia opens the form first.
    log_in(page, base, "nadia")
    page.goto(edit_url(base, organisation))
    shoot(page, "nadia-opens")

    # Marc, in another browser, opens it too and saves a new description.
    context = browser.new_context(locale="fr-CA", viewport=page.viewport_size)
    context.route(NOT_THIS_SERVER, lambda route: route.abort())
    marc = context.new_page()
    marc.set_default_timeout(15_000)
    try:
        log_in(marc, base, "marc")
        marc.goto(edit_url(base, organisation))
        marc.fill("#id_description_fr", MARCS)
        save_draft(marc)
        expect(marc.locator(".messages")).to_contain_text("Popote roulante de Duvernay")
        shoot(marc, "marc-saved")
    finally:
        context.close()
    marcs = Organisation.objects.get(pk=organisation.pk).latest_revision

    # Nadia saves the alternate name from the form she opened before: refused.
    page.fill("#id_alternate_name", NADIAS)
    save_draft(page)
    message = page.locator(".messages")
    expect(message).to_contain_text(
        "Marc Tremblay a enregistré cette fiche après que vous l’avez ouverte"
    )
    expect(message).to_contain_text("Description (français)")
    # "Compare the versions" opens in a new tab (what Nadia typed stays on screen).
    compare = message.get_by_role("link", name=re.compile("Compar"))
    expect(compare).to_be_visible()
    href = compare.get_attribute("href")
    assert f"/compare/{base_id}...{marcs.pk}/" in href, href
    shoot(page, "nadia-refused")
    latest = Organisation.objects.get(pk=organisation.pk)
    assert latest.latest_revision_id == marcs.pk  # nothing written over Marc's save
    assert latest.get_latest_revision_as_object().description_fr == MARCS
    assert latest.get_latest_revision_as_object().alternate_name == ""

    # The comparison shows what Marc changed.
    with page.context.expect_page() as opened:
        compare.click()
    comparison = opened.value
    expect(comparison.locator("main")).to_contain_text("sur inscription")
    shoot(comparison, "nadia-compares")
    comparison.close()

    # Reloaded, the form holds Marc's description; Nadia's change saves over it.
    page.goto(edit_url(base, organisation))
    expect(page.locator("#id_description_fr")).to_have_value(MARCS)
    # Wagtail reads the form as loaded 2 s after the page starts: a change before that is not
    # one for its autosave (a person does not type that fast).
    page.wait_for_timeout(2_500)
    page.fill("#id_alternate_name", NADIAS)
    # Wagtail's autosave writes her change first; that revision is this form's own
    # (edit-base.js sends its id with the save), so her save goes through.
    page.wait_for_function(
        "() => (document.querySelector('form[data-edit-form]')"
        "?.dataset.wAutosaveRevisionIdValue ?? '0') !== '0'"
    )
    save_draft(page)
    expect(page.locator(".messages")).to_contain_text("Popote roulante de Duvernay")
    shoot(page, "nadia-saved")
    draft = Organisation.objects.get(pk=organisation.pk).get_latest_revision_as_object()
    assert (draft.description_fr, draft.alternate_name) == (MARCS, NADIAS)
