"""The site's icon: browsers ask for /favicon.ico on every site, whatever the page says."""

import pytest

pytestmark = pytest.mark.django_db


def test_favicon_ico_answers_with_an_image(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=86400" in response["Cache-Control"]


def test_every_public_page_names_its_icons(client):
    html = client.get("/fr/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/favicon.ico"' in html
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200
    svg.close()
