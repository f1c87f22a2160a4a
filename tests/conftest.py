"""Fixtures shared by the whole suite.

Reference data (territories, needs), the groups, the workflow and the two page trees are created
by ``migrate`` itself, so every test starts from a database shaped like production.
Personas: a curator, an editor, an administrator and an outsider (an account with no role).
"""

import pytest

from organisations.factories import UserFactory
from review.services import ADMINISTRATORS, CURATORS, EDITORS


@pytest.fixture(autouse=True)
def _fresh_search_reference():
    """The public search remembers the needs and places per version of the public data; each
    test's database starts again from the same version numbers, so each test starts afresh."""
    import organisations.search

    organisations.search._reference = None
    yield
    organisations.search._reference = None


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: no page, no count of attempts from another test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def curator(db):
    return UserFactory(username="nadia", groups=[CURATORS])


@pytest.fixture
def editor(db):
    return UserFactory(username="sophie", groups=[EDITORS])


@pytest.fixture
def administrator(db):
    return UserFactory(username="alex", groups=[ADMINISTRATORS])


@pytest.fixture
def outsider(db):
    return UserFactory(username="visiteur")


@pytest.fixture
def client_for(client):
    """``client_for(user)``: a test client logged in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def nominatim(settings):
    """A Nominatim on loopback, and the settings that send geocoding to it (no delay, short
    timeout and back-off, no pause) with a fresh geocoder before and after."""
    from organisations.geocoding import geocoder_reset
    from tests.nominatim import NominatimServer

    server = NominatimServer().start()
    settings.GEOCODER = "nominatim"
    settings.GEOCODER_DOMAIN = server.domain
    settings.GEOCODER_SCHEME = "http"
    settings.GEOCODER_MIN_DELAY_SECONDS = 0.0
    settings.GEOCODER_TIMEOUT = 2.0
    settings.GEOCODER_MAX_RETRIES = 2
    settings.GEOCODER_BACKOFF_SECONDS = 0.01
    settings.GEOCODER_PAUSE_SECONDS = 0.0
    geocoder_reset()
    yield server
    server.stop()
    geocoder_reset()
