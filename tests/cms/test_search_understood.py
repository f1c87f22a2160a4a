"""The search page says how it read the words, and never ends in a dead end.

A place or a postal code typed among the words becomes the place or the point searched near; a
misspelling a letter or two away is searched as it should be spelled; either is said on the page
with one link to search the words as typed. When nothing is found: the organisations with most of
the words, the same search in the nearest places and the whole region, and the 211 line.
On the demo directory (300 organisations, seed 7, offline geocoder), seeded once for the module.
"""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import transaction

from organisations.demo import demo_seed
from organisations.models import Category, SearchDocument, Territory

FR, EN = "/fr/recherche/", "/en/search/"


@pytest.fixture(scope="module")
def directory(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_seed(organisations=300, seed=7, drafts=0, index=False)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


pytestmark = pytest.mark.django_db


def tags_of(ids) -> dict[int, set[str]]:
    rows = SearchDocument.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "tags"
    )
    return {pk: set(tags.split()) for pk, tags in rows}


def text_of(response) -> str:
    """The page as read: non-breaking spaces as spaces."""
    return response.content.decode().replace("\u00a0", " ")


def place_tag(slug: str) -> str:
    return f"a{Territory.objects.get(slug=slug).pk}"


def query_of(href: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(href).query))


def test_a_place_in_the_words_becomes_the_place_searched_and_the_page_says_so(directory, client):
    response = client.get(FR, {"q": "aide alimentaire Laval"})

    assert response.status_code == 200
    searched = response.context["search"]
    assert searched.territory.slug == "laval"
    assert searched.text == "aide alimentaire"
    ids = response.context["results"].ids
    assert ids
    assert all(place_tag("laval") in tags for tags in tags_of(ids).values())
    page = text_of(response)
    assert "« Laval » est compris comme le lieu" in page
    # The form now holds the words without the place, and the place chosen.
    assert 'value="aide alimentaire"' in page
    assert 'selected value="laval"' in page


def test_the_words_can_be_searched_as_typed_in_one_click(directory, client):
    understood = client.get(FR, {"q": "aide alimentaire Laval"}).context
    href = understood["as_typed_url"]
    assert query_of(href) == {"q": "aide alimentaire Laval", "exact": "1"}

    as_typed = client.get(FR + href)

    assert as_typed.context["search"].territory is None
    assert as_typed.context["search"].text == "aide alimentaire Laval"
    assert as_typed.context["understood"].place is None
    assert "as_typed_url" not in as_typed.context


def test_the_next_pages_keep_the_search_as_understood(directory, client):
    response = client.get(FR, {"q": "services Laval"})
    assert response.context["search"].territory.slug == "laval"

    query = dict(parse_qsl(response.context["page_query"]))

    assert query == {"q": "services", "territoire": "laval"}


def test_a_postal_code_in_the_words_is_searched_near_nearest_first(directory, client):
    response = client.get(FR, {"q": "aide alimentaire H7G 1A1"})

    assert response.status_code == 200
    searched = response.context["search"]
    assert searched.near is not None
    assert searched.text == "aide alimentaire"
    assert response.context["near_text"] == "H7G 1A1"
    distances = [
        response.context["results"].distances[pk] for pk in response.context["results"].ids
    ]
    assert distances == sorted(distances)
    assert "code postal" in response.content.decode()


def test_a_postal_code_outside_the_region_is_said_to_be_outside(directory, client):
    response = client.get(FR, {"q": "K1A 0B1"})

    assert response.status_code == 200
    assert response.context["understood"].place.outside
    assert "n’est pas dans la région" in text_of(response)


def test_a_misspelling_is_searched_as_spelled_and_the_page_offers_the_words_as_typed(
    directory, client
):
    response = client.get(FR, {"q": "popotte roullante"})

    assert response.status_code == 200
    understood = response.context["understood"]
    assert understood.corrected
    assert response.context["results"].ids
    need = Category.objects.get(code="popote-roulante")
    assert all(f"n{need.pk}" in tags for tags in tags_of(response.context["results"].ids).values())
    assert query_of(response.context["as_typed_url"]) == {"q": "popotte roullante", "exact": "1"}
    page = response.content.decode()
    assert understood.corrected in page
    assert "popotte roullante" in page


def test_a_query_spelled_right_is_not_corrected(directory, client):
    response = client.get(FR, {"q": "popote roulante"})

    assert not response.context["understood"].corrected
    assert "as_typed_url" not in response.context


def test_when_no_organisation_has_every_word_those_with_most_of_them_are_shown(directory, client):
    response = client.get(FR, {"q": "banque alimentaire zzyzx"})

    assert response.status_code == 200
    assert response.context["results"].ids
    assert response.context["understood"].left_out == ["zzyzx"]
    assert "zzyzx" in response.content.decode()


def test_a_need_with_a_place_that_has_none_offers_nearer_places_and_the_region(directory, client):
    # A need and a municipality with no organisation serving it there (many services serve the
    # whole region, and so every place in it: the first need that some municipality lacks).
    tags = [set(tags.split()) for tags in SearchDocument.objects.values_list("tags", flat=True)]
    municipalities = Territory.objects.filter(kind=Territory.Kind.MUNICIPALITY).exclude(
        latitude=None
    )
    need = place = None
    for candidate in Category.objects.exclude(parent=None).order_by("code"):
        served = set().union(*(own for own in tags if f"n{candidate.pk}" in own))
        if not served:
            continue
        place = next((m for m in municipalities if f"a{m.pk}" not in served), None)
        if place is not None:
            need = candidate
            break
    assert need is not None

    response = client.get(FR, {"categorie": need.code, "territoire": place.slug})

    assert response.status_code == 200
    assert not response.context["results"].ids
    elsewhere = response.context["elsewhere"]
    assert elsewhere
    for territory, count, _capped, href in elsewhere:
        assert count > 0
        assert query_of(href)["territoire"] == territory.slug
        assert query_of(href)["categorie"] == need.code
    count, _capped, href = response.context["region"]
    assert count > 0
    assert "territoire" not in query_of(href)
    page = response.content.decode()
    assert 'href="tel:211"' in page


def test_in_english_the_page_says_how_it_read_the_words(directory, client):
    response = client.get(EN, {"q": "food bank NDG"})

    assert response.status_code == 200
    assert response.context["search"].territory.slug == "cote-des-neiges-notre-dame-de-grace"
    page = response.content.decode()
    assert "is read as the place" in page
    assert "as typed" in page


def test_a_name_holding_a_place_it_is_not_in_is_found_by_its_name(directory, client):
    from organisations.factories import LocationFactory, OrganisationFactory, territory
    from organisations.search import search_document_update

    tenants = OrganisationFactory(name="Association des locataires Sainte-Rose Zéphyr")
    LocationFactory(organisation=tenants, municipality=territory("verdun"))
    search_document_update(organisation_id=tenants.pk)

    response = client.get(FR, {"q": "locataires Sainte-Rose Zéphyr"})

    assert response.context["results"].ids == [tenants.pk]
    assert response.context["understood"].place is None
