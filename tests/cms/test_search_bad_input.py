"""Whatever is typed, the search page answers with a clear page: never a server error, never a
search that reads the whole directory, never the visitor's text taken as the engine's language.

Each kind of bad input is tried in both boxes (the words and "near") and in both languages. A
search reads at most ``MAX_QUERIES`` queries whatever was typed; punctuation alone reads none.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.search_page import MAX_LENGTH
from organisations.factories import LocationFactory, OrganisationFactory, territory
from organisations.search import search_index_rebuild

pytestmark = pytest.mark.django_db

FR, EN = "/fr/recherche/", "/en/search/"
# The page's own reads (reference data, page, demand) plus the search and its second tries.
MAX_QUERIES = 30

BAD_INPUT = {
    "a pasted page": "aide alimentaire " * 600,  # 10,200 characters
    "only punctuation": "?!... ;;; --- ((( ))) '' \"\" ***",
    "only stop words": "de la les et ou pour the and of",
    "full-text operators": '" * NEAR( OR - AND NOT ^ : {name} +',
    "SQL": "'; DROP TABLE organisations_organisation; --",
    "emoji": "🍎🏠 aide 🙏",
    "mixed scripts": "помощь 食物 مساعدة aide",
    "a null byte and control characters": "aide\x00\x01\x1b[31m",
    "unbalanced quotes": '"banque alimentaire',
    "a lone hyphenated prefix": "-verdun",
}


@pytest.fixture
def directory(db):
    for name in ("Banque alimentaire de Verdun", "Aide aux aînés de Verdun"):
        org = OrganisationFactory(name=name, description_fr="Aide alimentaire et dépannage.")
        lat, lon = territory("verdun").centre
        LocationFactory(
            organisation=org, municipality=territory("verdun"), latitude=lat, longitude=lon
        )
    search_index_rebuild()


@pytest.mark.parametrize("kind", BAD_INPUT)
@pytest.mark.parametrize("url", [FR, EN])
def test_bad_words_get_a_clear_page_and_a_bounded_search(directory, client, kind, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"q": BAD_INPUT[kind]})

    assert response.status_code == 200, kind
    assert len(queries) <= MAX_QUERIES, (kind, len(queries))
    page = response.content.decode()
    assert 'id="search-q"' in page  # the form is there to try again
    assert "Traceback" not in page


@pytest.mark.parametrize("kind", BAD_INPUT)
def test_bad_text_near_gets_a_clear_page(directory, client, kind):
    response = client.get(FR, {"pres": BAD_INPUT[kind]})

    assert response.status_code == 200, kind
    assert 'id="search-near"' in response.content.decode()


def test_punctuation_alone_reads_no_organisation(directory, client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(FR, {"q": "?!... ;;; ---"})

    assert response.context["results"].ids == []
    assert not [q for q in queries if "searchdocument" in q["sql"] or "search_fts" in q["sql"]]


def test_a_pasted_page_is_cut_and_the_page_says_so(directory, client):
    response = client.get(FR, {"q": "aide alimentaire " * 600})

    assert len(response.context["search"].text) <= MAX_LENGTH
    assert f"{MAX_LENGTH} premiers caractères" in response.content.decode()
    # What remains is still searched: the words are there.
    assert response.context["results"].ids


def test_operators_are_words_not_the_engines_language(directory, client):
    response = client.get(FR, {"q": 'banque OR "verdun" NOT aide*'})

    # « banque », « or », « verdun », « not », « aide »: no organisation has « or » and « not » as
    # words, so nothing has every word; those with most of them are shown, and said to be.
    assert response.status_code == 200
    assert response.context["understood"].left_out or not response.context["results"].ids


def test_only_stop_words_are_searched_as_they_are(directory, client):
    response = client.get(FR, {"q": "de la"})

    assert response.status_code == 200
    assert response.context["search"].text == "de la"


@pytest.mark.parametrize("value", ["abc", "-1", "1e309", "nan", "999999999999"])
def test_a_bad_radius_or_page_falls_back_to_the_default(directory, client, value):
    response = client.get(FR, {"q": "aide", "rayon": value, "page": value})

    assert response.status_code == 200
    assert response.context["search"].radius_km == 10


@pytest.mark.parametrize(
    ("lat", "lon"), [("abc", "1"), ("91", "0"), ("nan", "nan"), ("1e400", "0")]
)
def test_a_bad_position_is_explained(directory, client, lat, lon):
    response = client.get(FR, {"lat": lat, "lon": lon})

    assert response.status_code == 200
    assert "position" in response.content.decode()
