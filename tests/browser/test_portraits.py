"""The public portraits and the admin's report in a browser: axe-clean in French and English,
on a desktop and a phone, at large text; the choices are links a keyboard follows."""

import re
from datetime import date

import pytest

from organisations.search import search_index_rebuild
from portraits import published
from portraits.counts import Tally, counts_apply
from tests.browser.checks import axe_violations, csp_violations, large_text, overflow
from tests.browser.test_editor_path import log_in
from tests.portraits.directory import serving
from tests.portraits.given import counted

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OPEN_TABLES = "() => document.querySelectorAll('details').forEach(d => d.open = true)"


@pytest.fixture
def figures():
    """Two years of requests in Montréal-Nord and Verdun, some needs small, and a directory."""
    published.forget()
    tally = Tally()
    for year in (2024, 2025):
        for month in range(1, 13):
            day = date(year, month, 1)
            counted("montreal-nord", day, "banques-alimentaires", 20 + month, tally=tally)
            counted("montreal-nord", day, "demenagement", 6, reason="not_in_territory", tally=tally)
            counted("montreal-nord", day, "popote-roulante", month % 3, tally=tally)
            counted("verdun", day, "recherche-logement", 8, tally=tally)
            counted("verdun", day, "accompagnement-medical", 2, reason="transport", tally=tally)
    counts_apply(tally)
    serving("Banque alimentaire du Nord", "banques-alimentaires", "montreal-nord")
    serving("Déménagement solidaire", "demenagement", "verdun", areas=["montreal"])
    search_index_rebuild()
    yield
    published.forget()


PAGES = {
    "portrait": "/fr/portraits/montreal-nord/?annee=2025",
    "portrait-need": "/fr/portraits/montreal-nord/?annee=2025&besoin=aide-alimentaire",
    "portrait-region": "/fr/portraits/cmm/?annee=2025",
    "portraits": "/fr/portraits/",
    "portrait-en": "/en/portraits/montreal-nord/?year=2025",
    "portraits-en": "/en/portraits/",
    "unknown-place": "/fr/portraits/atlantide/",
}


def test_the_portraits_are_axe_clean_and_reflow(screen, live_server, figures, shoot):
    for name, path in PAGES.items():
        screen.goto(f"{live_server.url}{path}")
        shoot(screen, name)
        screen.evaluate(OPEN_TABLES)
        assert axe_violations(screen) == [], name
        assert overflow(screen) == [], name
        assert csp_violations(screen) == [], name  # no inline style: bar lengths are classes
        shoot(screen, f"{name}-tables")


def test_the_portrait_at_large_text_on_a_phone(browser, live_server, figures, shoot):
    context = browser.new_context(locale="fr-CA", viewport={"width": 390, "height": 844})
    page = context.new_page()
    large_text(page, 24)
    try:
        page.goto(f"{live_server.url}{PAGES['portrait']}")
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 27
        page.evaluate(OPEN_TABLES)
        assert overflow(page) == []
        assert axe_violations(page) == []
        page.screenshot()  # large text is lost by a full-page picture: the first screen only
        shoot(page, "large-text")
    finally:
        context.close()


def test_a_planner_chooses_the_year_and_a_need_with_the_keyboard(screen, live_server, figures):
    screen.goto(f"{live_server.url}/fr/portraits/montreal-nord/?annee=2025")

    screen.get_by_role("link", name="2024", exact=True).focus()
    screen.keyboard.press("Enter")
    screen.wait_for_url(re.compile(r"annee=2024"))
    screen.locator(".choices summary").focus()
    screen.keyboard.press("Enter")  # unfolds the needs
    screen.locator(".choices a[href*='besoin=aide-alimentaire']").focus()
    screen.keyboard.press("Enter")
    screen.wait_for_url(re.compile(r"annee=2024&besoin=aide-alimentaire"))

    assert screen.locator("h1").inner_text().startswith("Montréal-Nord")
    # Its four needs, the family recorded without a more precise need, the family's total.
    assert screen.locator("#needs table tbody tr").count() == 6


def test_the_report_in_the_admin_is_axe_clean(screen, live_server, figures, editor, shoot):
    log_in(screen, live_server.url, editor.username)
    for name, query in (
        ("report", "?territory=montreal&start=2025-01&end=2025-12"),
        ("report-all", ""),
        ("report-bad-period", "?start=2025-12&end=2025-01"),
    ):
        screen.goto(f"{live_server.url}/admin/requests/report/{query}")
        shoot(screen, name)
        assert axe_violations(screen, ".needs-report") == [], name
    screen.locator("#id_territory").select_option("verdun")
    screen.locator("#id_start").fill("2025-01")
    screen.locator("#id_end").fill("2025-06")
    screen.locator(".needs-report button[type=submit]").click()
    screen.wait_for_url(re.compile(r"territory=verdun"))
    assert screen.locator("#overview table").count() == 1
