"""Fixtures for the requests part: an agent (the new role), and a small directory the request
screen suggests organisations from (tests/portraits/directory.py)."""

import pytest

from organisations.factories import UserFactory
from portraits.services import AGENTS
from tests.portraits.directory import small_directory


@pytest.fixture
def agent(db):
    return UserFactory(username="karim", groups=[AGENTS])


@pytest.fixture
def directory(db):
    """Three food banks in Montréal-Nord, one in Laval, a mover serving the island."""
    return small_directory()
