"""/sitemap.xml lists the public pages and organisations in both languages, and nothing else."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from defusedxml import ElementTree
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.factories import LocationFactory, OrganisationFactory
from organisations.models import Organisation

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def sitemap(client) -> dict[str, dict]:
    """{location: {"lastmod": ..., "alternates": {lang: location}}}"""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)
    entries = {}
    for url in root.findall("s:url", NS):
        lastmod = url.find("s:lastmod", NS)
        entries[url.find("s:loc", NS).text] = {
            "lastmod": lastmod.text if lastmod is not None else None,
            "alternates": {
                link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)
            },
        }
    return entries


def test_a_public_organisation_is_listed_in_both_languages(client):
    organisation = OrganisationFactory(slug="popote")
    Organisation.objects.filter(pk=organisation.pk).update(
        updated_at=datetime(2026, 3, 14, 10, tzinfo=ZoneInfo("America/Toronto"))
    )
    entries = sitemap(client)
    fr = "http://testserver" + organisation.get_public_url("fr")
    en = "http://testserver" + organisation.get_public_url("en")
    assert fr == "http://testserver/fr/organismes/popote/"
    assert en == "http://testserver/en/organisations/popote/"
    for location in (fr, en):
        assert entries[location]["lastmod"] == "2026-03-14"
        assert entries[location]["alternates"] == {"fr": fr, "en": en}


def test_drafts_and_closed_organisations_are_not_listed(client):
    OrganisationFactory(slug="jamais-publie", live=False)
    OrganisationFactory(slug="ferme", status=Organisation.Status.CLOSED)
    text = client.get("/sitemap.xml").content.decode()
    assert "jamais-publie" not in text
    assert "ferme" not in text


def test_the_sites_pages_are_listed_in_both_languages(client):
    entries = sitemap(client)
    for path in ("/fr/", "/en/", "/fr/organismes/", "/en/organisations/"):
        assert f"http://testserver{path}" in entries, path


def test_nothing_of_a_record_is_in_the_sitemap(client):
    organisation = OrganisationFactory(slug="refuge", name="Refuge Le Phare")
    LocationFactory(
        organisation=organisation,
        street_address="742 rue des Secrets",
        postal_code="J4K 9Z9",
        address_is_confidential=True,
    )
    text = client.get("/sitemap.xml").content.decode()
    assert "/fr/organismes/refuge/" in text
    for secret in ("Refuge Le Phare", "rue des Secrets", "J4K 9Z9", "45.53"):
        assert secret not in text


def test_the_sitemap_costs_the_same_number_of_queries_however_many_organisations(client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get("/sitemap.xml")
        return len(captured)

    OrganisationFactory()
    queries()  # warm the site root paths cache
    few = queries()
    OrganisationFactory.create_batch(10)
    assert queries() == few


def test_robots_txt_names_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()
    assert "Disallow: /admin/" in text
