"""Anonymous visitors' pages come from a cache that every publication makes stale."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organisations.factories import LocationFactory, OrganisationFactory, territory
from organisations.search import search_index_rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def public_cache(settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
    return response, len(captured)


def test_a_repeated_search_is_served_from_the_cache_until_a_publication(
    client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Soupe populaire", description_fr="Repas chauds")
    LocationFactory(organisation=organisation, municipality=territory("verdun"))
    search_index_rebuild()

    first, first_queries = queries(client, "/fr/recherche/", {"q": "repas"})
    again, again_queries = queries(client, "/fr/recherche/", {"q": "repas"})

    assert again.content == first.content
    assert again_queries < first_queries
    assert "Soupe populaire" in again.content.decode()

    organisation.name = "Soupe du quartier"
    with django_capture_on_commit_callbacks(execute=True):
        organisation.save_revision().publish()

    fresh = client.get("/fr/recherche/", {"q": "repas"}).content.decode()
    assert "Soupe du quartier" in fresh and "Soupe populaire" not in fresh


def test_an_organisation_page_is_cached_for_visitors_but_not_for_curators(client, curator):
    organisation = OrganisationFactory(name="Maison de la famille", slug="maison-famille")
    url = "/fr/organismes/maison-famille/"
    client.get(url)
    _response, cached_queries = queries(client, url)

    client.force_login(curator)
    _response, signed_in_queries = queries(client, url)

    assert cached_queries < signed_in_queries
    assert organisation.name in _response.content.decode()
