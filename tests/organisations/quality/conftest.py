import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english():
    """Messages are checked in English, their source words (French is the site's default: its
    translations are checked by the catalogue, not here)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _admin_in_english(client):
    """The admin pages too: a browser asking for English (users have no language chosen)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
