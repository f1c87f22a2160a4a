"""Nadia's Monday (SCENARIOS.md): from the home page to the records due within 60 days, she
phones one and records the verification in two clicks, in French, on a desktop and on a phone;
she comes back to the list she was working through."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from organisations.factories import OrganisationFactory, PhoneFactory
from organisations.models import Organisation
from review.models import Verification
from tests.browser.checks import axe_violations, large_text, overflow
from tests.browser.conftest import settle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, live_server, username="nadia"):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def due_in(days: int, name: str) -> Organisation:
    organisation = OrganisationFactory(
        name=name,
        last_verified_at=timezone.now() - timedelta(days=365 - days),
        next_review_due=timezone.localdate() + timedelta(days=days),
        update_contact_name="Marc Tremblay",
        update_contact_phone="+14505550154",
    )
    PhoneFactory(organisation=organisation, number="+14505550123", extension="204")
    return organisation


def test_a_curator_records_a_verification_in_two_clicks_and_comes_back_to_her_list(
    screen, live_server, curator, shoot
):
    page = screen
    banque = due_in(2, "Banque alimentaire de Longueuil")
    due_in(20, "Popote roulante de Duvernay")
    due_in(200, "Maison de la famille pas encore due")
    sign_in(page, live_server)
    shoot(page, "home")

    page.get_by_role("link", name=re.compile(r"2 à faire d’ici 60 jours|2 à faire")).click()
    expect(page.get_by_text("Banque alimentaire de Longueuil")).to_be_visible()
    expect(page.get_by_text("Maison de la famille pas encore due")).to_have_count(0)
    row = page.locator("tr", has_text="Banque alimentaire de Longueuil")
    expect(row).to_contain_text("dans 2 jours")  # a due date as a day, never « Il y a 0 minute »
    list_url = page.url
    shoot(page, "list-due-within-60-days")

    row.get_by_role("link", name="Noter une vérification").click()  # first click
    expect(
        page.get_by_role("heading", name="Banque alimentaire de Longueuil", exact=True)
    ).to_be_visible()
    expect(page.get_by_role("link", name="(450) 555-0154")).to_be_visible()  # whom to call
    date_box = page.get_by_label("Vérifiée le")
    assert date_box.input_value() == timezone.localdate().isoformat()  # not empty in French
    assert axe_violations(page, within=".verify-page") == []
    shoot(page, "verification-form")
    page.get_by_role("button", name="Noter la vérification").click()  # second click

    page.wait_for_url(list_url)
    expect(page.get_by_text("« Banque alimentaire de Longueuil » est vérifié")).to_be_visible()
    shoot(page, "back-to-the-list")
    banque.refresh_from_db()
    assert banque.next_review_due == timezone.localdate() + timedelta(days=365)
    verification = Verification.objects.get(organisation=banque)
    assert (verification.method, verification.user) == ("phone", curator)


def test_the_curators_pages_reflow_at_320_px_with_large_text(browser, live_server, curator):
    """WCAG 1.4.10 and 1.4.4: at 320 CSS px with a 24 px default font nothing runs off the
    page (the list's table scrolls in its own box)."""
    organisation = due_in(2, "Centre d'aide aux victimes d'agression sexuelle Saint-Jean")
    context = browser.new_context(locale="fr-CA", viewport={"width": 320, "height": 800})
    page = context.new_page()
    large_text(page)
    try:
        sign_in(page, live_server)
        for path in (
            "/admin/",
            "/admin/snippets/organisations/organisation/?review_state=due_60",
            f"/admin/review/verify/{organisation.pk}/",
        ):
            page.goto(f"{live_server.url}{path}")
            assert overflow(page) == [], path
    finally:
        settle(page)
        context.close()
