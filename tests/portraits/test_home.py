"""The admin's home says to each what their day is: an agent records calls, a curator keeps the
yearly review."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_agents_home_offers_to_record_a_request_and_not_the_yearly_review(agent, client_for):
    page = client_for(agent).get("/admin/").content.decode()

    assert "Enregistrer une demande" in page
    assert 'href="/admin/requests/new/"' in page
    assert "La révision annuelle" not in page
    assert "Ma file" not in page


def test_a_curators_home_keeps_the_yearly_review_and_offers_no_recording(curator, client_for):
    page = client_for(curator).get("/admin/").content.decode()

    assert "La révision annuelle" in page
    assert 'href="/admin/requests/new/"' not in page
