"""Every answer carries a Content-Security-Policy: public pages (from the cache too), the admin,
the open-data API, error pages."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in parts}


@pytest.fixture
def public_cache(settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def test_a_public_page_carries_the_policy(client):
    OrganisationFactory(name="Maison de la famille", slug="maison-famille")
    response = client.get("/fr/organismes/maison-famille/")

    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "nonce-" not in response["Content-Security-Policy"]


def test_the_map_tiles_host_is_allowed_for_images(client):
    policy = directives(client.get("/fr/"))

    assert policy["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]


def test_a_tile_url_with_subdomains_allows_every_subdomain_of_its_host():
    from cms.settings.base import _tile_source

    assert (
        _tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    )
    assert _tile_source("http://tiles.local:8080/{z}/{x}/{y}.png") == "http://tiles.local:8080"
    assert _tile_source("") == ""


def test_a_page_served_from_the_cache_still_carries_the_policy(client, public_cache):
    OrganisationFactory(name="Maison de la famille", slug="maison-famille")
    url = "/fr/organismes/maison-famille/"
    first = client.get(url)
    with CaptureQueriesContext(connection) as fresh:
        client.get(url + "?fresh=1")
    with CaptureQueriesContext(connection) as cached:
        again = client.get(url)

    assert len(cached) < len(fresh)  # the second answer came from the cache
    assert again.content == first.content
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert directives(again)["script-src"] == ["'self'"]


def test_the_admin_sign_in_carries_the_policy_with_what_wagtail_needs(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    policy = directives(response)
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]


def test_the_open_data_api_carries_the_policy(client):
    response = client.get("/api/hsds/")

    assert response.status_code == 200
    assert directives(response)["default-src"] == ["'self'"]


def test_a_not_found_page_carries_the_policy(client):
    public = client.get("/fr/nulle-part-ailleurs/")
    api = client.get("/api/hsds/services/inconnu")

    assert public.status_code == 404 and api.status_code == 404
    assert directives(public)["object-src"] == ["'none'"]
    assert directives(api)["object-src"] == ["'none'"]


def test_an_operator_may_name_where_violations_are_reported(settings, client):
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {
            **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
            "report-uri": "https://reports.example.org/csp",
        }
    }

    assert directives(client.get("/fr/"))["report-uri"] == ["https://reports.example.org/csp"]
