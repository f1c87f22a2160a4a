"""The Content-Security-Policy blocks nothing our pages need (issue 17): the check that says what
a policy blocked, and the admin's reports drawn with charts walked under the policy. The map pin,
the import wizard, the public map and near-me make the same check in their own tests."""

import re

import pytest

from tests.browser.checks import csp_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Served by the test itself, never reaching a server: the check's own proof.
ELSEWHERE = "http://csp-check.invalid"
STRICT = "default-src 'self'; img-src 'self'"
BLOCKED = """<!doctype html><html lang="fr"><head><title>Bloqué</title>
<style>p { color: red }</style>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization"}</script>
</head><body><p style="color: blue" onclick="void 0">Texte</p>
<script>document.title = "exécuté"</script>
<img src="https://tile.example.org/1/2/3.png" alt=""></body></html>"""
CLEAN = """<!doctype html><html lang="fr"><head><title>Propre</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Organization"}</script>
</head><body><p>Texte</p></body></html>"""


def serve(page, path, body):
    page.route(
        f"{ELSEWHERE}{path}",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": STRICT},
            body=body,
        ),
    )


def test_the_check_reports_each_thing_the_policy_blocked_and_not_json_ld(page):
    serve(page, "/bloque/", BLOCKED)
    serve(page, "/propre/", CLEAN)

    page.goto(f"{ELSEWHERE}/bloque/")
    page.wait_for_load_state("load")
    found = csp_violations(page)
    assert page.title() == "Bloqué"  # the inline script did not run
    # The <style> element, the style="" attribute, the onclick handler, the inline script and
    # the image from another host; the JSON-LD block is data and is not reported.
    assert len(found) == 5, found
    assert any("inline event handler" in line for line in found)
    assert any("tile.example.org" in line for line in found)

    # The next page starts afresh: what the previous one blocked is not counted again.
    page.goto(f"{ELSEWHERE}/propre/")
    page.wait_for_load_state("load")
    assert csp_violations(page) == []


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/admin/login/")
    assert csp_violations(page) == []
    page.fill("input[name=username]", "nadia")
    page.fill("input[name=password]", "password")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/review/", "/admin/quality/"],
    ids=["dashboard", "yearly-review", "data-quality"],
)
def test_the_admin_pages_with_charts_work_under_the_policy(desktop, live_server, curator, path):
    page = desktop
    sign_in(page, live_server)
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy
    page.wait_for_load_state("networkidle")
    assert csp_violations(page) == []
