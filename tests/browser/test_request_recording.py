"""Karim's Tuesday afternoon (SCENARIOS.md): a woman in Montréal-Nord asks, through the
interpreter, where to get food this week and how to find cheaper housing. Keyboard only, he
records the call with two needs, one referred to the nearest food bank, one unmet (waiting list
full), in under 15 keystrokes plus the words he types; then the screen on a phone."""

import re

import pytest
from playwright.sync_api import expect

from organisations.factories import UserFactory
from portraits.models import Request
from portraits.services import AGENTS
from tests.browser.checks import axe_violations, overflow
from tests.portraits.directory import small_directory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MAX_KEYSTROKES = 15


def sign_in(page, live_server, username="karim"):
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


class Keyboard:
    """The agent's hands: ``press`` counts keystrokes (a chord such as Control+Enter is one);
    ``type`` is the words he types, not counted."""

    def __init__(self, page):
        self.page = page
        self.keystrokes = 0

    def press(self, key: str) -> None:
        self.keystrokes += 1
        self.page.keyboard.press(key)

    def type(self, words: str) -> None:
        self.page.keyboard.type(words, delay=20)


def focused(page) -> str:
    return page.evaluate("document.activeElement.name || document.activeElement.id")


@pytest.mark.parametrize("screen", ["desktop"], indirect=True)
def test_an_agent_records_a_call_with_two_needs_by_keyboard_alone(screen, live_server, shoot):
    page = screen
    UserFactory(username="karim", groups=[AGENTS])
    found = small_directory()
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/requests/new/")
    keys = Keyboard(page)
    assert focused(page) == "territory"  # the box the agent types first has the focus
    shoot(page, "empty")

    keys.type("mtl-n")
    expect(page.locator("#territory-understood")).to_contain_text("Montréal-Nord")
    keys.press("Tab")  # age band: not asked
    keys.press("Tab")
    assert focused(page) == "need-0-need"
    keys.type("banque alim")
    first = page.locator("[data-need-slot]").nth(0)
    expect(first.locator("label", has_text="Banque alimentaire du Nord")).to_be_visible()
    expect(first.locator("[data-need-understood]")).to_contain_text("Banques alimentaires")
    choices = first.locator("input[type=checkbox]")
    expect(choices).to_have_count(2)  # Moisson Laval does not serve Montréal-Nord
    keys.press("Tab")
    assert focused(page) == "need-0-result"  # referred, as it is by default
    keys.press("Tab")
    keys.press("Space")  # the nearest food bank, first
    expect(choices.nth(0)).to_be_checked()
    keys.press("Tab")
    keys.press("Tab")
    assert focused(page) == "need-1-need"
    keys.type("recherche de logement")
    second = page.locator("[data-need-slot]").nth(1)
    expect(second.locator("[data-need-understood]")).to_contain_text("recherche de logement")
    keys.press("Tab")
    assert focused(page) == "need-1-result"
    # A letter picks the reason in the list (the first option whose name begins with it).
    labels = page.eval_on_selector_all(
        "#id_need-1-result option", "options => options.map(o => [o.value, o.text.trim()])"
    )
    wanted = next(text for value, text in labels if value == "unmet:waiting_list")
    letter = wanted[0].lower()
    assert next(v for v, text in labels if text.lower().startswith(letter)) == "unmet:waiting_list"
    keys.press(letter)
    expect(page.locator("#id_need-1-result")).to_have_value("unmet:waiting_list")
    expect(second.locator("[data-organisations]")).to_be_hidden()
    assert axe_violations(page, within=".request-form") == []
    shoot(page, "filled")
    keys.press("Control+Enter")

    expect(page.locator(".messages")).to_contain_text(re.compile("2"))
    shoot(page, "saved")
    assert keys.keystrokes < MAX_KEYSTROKES, keys.keystrokes
    saved = Request.objects.get()
    assert saved.territory.slug == "montreal-nord"
    needs = list(saved.needs.order_by("position"))
    assert [(n.category.code, n.outcome, n.reason) for n in needs] == [
        ("banques-alimentaires", "referred", ""),
        ("recherche-logement", "unmet", "waiting_list"),
    ]
    assert [r.organisation_id for r in needs[0].referrals.all()] == [found["near"].pk]
    # The new form is ready for the next call, the territory box focused again.
    assert focused(page) == "territory"


def test_the_request_screen_on_each_screen_then_corrected(screen, live_server, shoot):
    page = screen
    UserFactory(username="karim", groups=[AGENTS])
    small_directory()
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/requests/new/")
    page.fill("#id_territory", "Montréal-Nord")
    page.fill("#id_need-0-need", "alim")
    expect(page.locator("label", has_text="Frigo solidaire Henri-Bourassa")).to_be_visible()
    page.get_by_label("Banque alimentaire du Nord").check()
    page.fill("#id_need-1-need", "déménagement")
    page.select_option("#id_need-1-result", "unmet:cost")
    page.fill("#id_note", "rappeler au 514 555-1234")
    assert overflow(page) == []
    shoot(page, "filled")
    page.get_by_role("button", name=re.compile("Enregistrer|Save")).first.click()

    # The note is refused, named, and nothing else is lost.
    expect(page.locator("#note-errors")).to_be_visible()
    expect(page.get_by_label("Banque alimentaire du Nord")).to_be_checked()
    assert Request.objects.count() == 0
    assert axe_violations(page, within=".request-form") == []
    assert overflow(page) == []
    shoot(page, "note-refused")
    page.fill("#id_note", "")
    page.get_by_role("button", name=re.compile("Enregistrer|Save")).first.click()
    expect(page.locator(".messages")).to_be_visible()
    assert Request.objects.count() == 1

    page.goto(f"{live_server.url}/admin/requests/")
    assert overflow(page) == []
    shoot(page, "my-requests")
    page.locator(".request-list a").first.click()
    expect(page.locator("#id_need-0-need")).to_have_value(re.compile("Aide alimentaire"))
    page.select_option("#id_need-0-result", "information")
    assert overflow(page) == []
    shoot(page, "correcting")
    page.get_by_role("button", name=re.compile("correction")).first.click()
    page.wait_for_url(re.compile(r"/admin/requests/$"))
    assert Request.objects.get().needs.get(position=0).outcome == "information"
