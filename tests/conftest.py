"""Fixtures shared by the whole suite.

Reference data (territories, needs), the groups, the workflow and the two page trees are created
by ``migrate`` itself, so every test starts from a database shaped like production.
Personas: a curator, an editor, an administrator and an outsider (an account with no role).
"""

import pytest

from organisations.factories import UserFactory
from review.services import ADMINISTRATORS, CURATORS, EDITORS


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
