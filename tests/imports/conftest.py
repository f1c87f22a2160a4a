import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english():
    """The engine's messages are checked in English (French is the site's default)."""
    with translation.override("en"):
        yield
