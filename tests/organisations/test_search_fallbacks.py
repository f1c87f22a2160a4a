"""No dead ends (issue 16, item 5): when a search finds nothing, most of its words, or the same
need in the nearest places and the whole region.

Against the issue's demo directory (``demo_seed`` with 1,000 organisations, seed 7, offline
geocoder), seeded once for the module. Its facts used here: « banque alimentaire » finds food
banks and « zzyzx » nothing; « popote », « roulante » and « toxicomanie » each find some, and the
first two together, never with the third; of « popote roulante francisation emploi
toxicomanie », no four are in one record and three are; the need « Dépendances » has 14
organisations, none serving or in Saint-Lambert, Boucherville or the boroughs of Longueuil.
"""

from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from organisations import search_fallbacks
from organisations.demo import demo_seed
from organisations.models import SearchDocument
from organisations.search import (
    COUNT_LIMIT,
    Point,
    Search,
    need_token,
    place_token,
    reference,
    run,
)
from organisations.search_fallbacks import _km, most_words, nearby_places

ORGANISATIONS, SEED = 1_000, 7


@pytest.fixture(scope="module")
def directory(django_db_setup, django_db_blocker):
    """The issue's demo directory, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_seed(organisations=ORGANISATIONS, seed=SEED, drafts=0, index=False)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def known(directory, db):
    return reference()


def tags_of(ids: list[int]) -> dict[int, set[str]]:
    rows = SearchDocument.objects.filter(organisation_id__in=ids).values_list(
        "organisation_id", "tags"
    )
    return {pk: set(tags.split()) for pk, tags in rows}


def centre(known, slug: str) -> tuple[float, float]:
    return known.territories_by_slug[slug].centre


@contextmanager
def reads():
    """The queries that read (on PostgreSQL, a fallback also sets how its queries are planned,
    in a transaction of its own: see search_fallbacks._index_cursor)."""
    with CaptureQueriesContext(connection) as captured:
        yield captured
    captured.reads = [q for q in captured.captured_queries if q["sql"].startswith("SELECT")]


# --- Most of the words ---------------------------------------------------------------------------


def test_a_word_no_record_has_is_left_out_and_the_others_find_the_food_banks(known):
    search = Search(text="banque alimentaire zzyzx")
    assert run(search).ids == []

    ids, left_out = most_words(search)

    assert left_out == ["zzyzx"]
    assert ids == run(Search(text="banque alimentaire")).ids
    food = need_token(known.categories_by_code["aide-alimentaire"].pk)
    tags = tags_of(ids[:10])
    assert all(food in tags[pk] for pk in ids[:10])


def test_the_words_left_out_are_given_as_typed(known):
    ids, left_out = most_words(Search(text="Banque de la Alimentaire ZZYZX, qqqxq!"))

    assert left_out == ["ZZYZX", "qqqxq"]  # stopwords were never searched: never left out
    assert ids == run(Search(text="banque alimentaire")).ids


def test_when_every_word_finds_some_alone_the_rarest_is_left_out_first(known):
    assert run(Search(text="popote roulante toxicomanie")).ids == []
    assert run(Search(text="toxicomanie")).ids

    ids, left_out = most_words(Search(text="popote roulante toxicomanie"))

    assert left_out == ["toxicomanie"]
    assert ids == run(Search(text="popote roulante")).ids


def test_one_word_is_kept_when_no_two_find_anything_together(known):
    assert run(Search(text="popote toxicomanie")).ids == []

    ids, left_out = most_words(Search(text="popote toxicomanie"))

    assert left_out == ["toxicomanie"]  # the commoner word is kept: it finds more
    assert ids == run(Search(text="popote")).ids


def test_the_most_words_found_together_are_kept_even_when_rarer(known):
    # No four of these five words are in one record; « popote roulante » are in 70, but only
    # « roulante francisation emploi » are three together.
    text = "popote roulante francisation emploi toxicomanie"
    assert run(Search(text="popote roulante")).count > run(Search(text="francisation emploi")).count

    with reads() as queries:
        ids, left_out = most_words(Search(text=text))

    assert left_out == ["popote", "toxicomanie"]
    assert ids == run(Search(text="roulante francisation emploi")).ids
    assert len(queries.reads) <= 7  # alone, all but one, pairs, threes; ranked


def test_the_need_and_the_place_chosen_are_kept(known):
    food = known.categories_by_code["aide-alimentaire"]
    verdun = known.territories_by_slug["verdun"]
    search = Search(text="banque alimentaire zzyzx", category=food, territory=verdun)

    ids, left_out = most_words(search)

    assert left_out == ["zzyzx"]
    assert ids == run(Search(text="banque alimentaire", category=food, territory=verdun)).ids
    tags = tags_of(ids)
    assert all({need_token(food.pk), place_token(verdun.pk)} <= tags[pk] for pk in ids)


def test_a_search_near_a_point_keeps_its_radius(known):
    here = Point(*centre(known, "saint-lambert"))
    assert run(Search(text="banque alimentaire", near=here, radius_km=2)).ids == []

    ids, left_out = most_words(Search(text="banque alimentaire zzyzx", near=here, radius_km=5))

    assert left_out == ["zzyzx"]
    assert ids == run(Search(text="banque alimentaire", near=here, radius_km=5)).ids
    # Nothing within 2 km has either word with the other: nothing to offer there.
    assert most_words(Search(text="banque alimentaire zzyzx", near=here, radius_km=2)) == ([], [])


@pytest.mark.parametrize(
    "text",
    ["zzyzx qqqxq", "zzyzx", "banque", "de la zzyzx", "de la", "?!", "", "logement logements"],
)
def test_nothing_is_offered_without_two_words_or_when_no_word_finds_anything(known, text):
    assert most_words(Search(text=text)) == ([], [])


def test_leaving_words_out_takes_a_few_queries(known):
    with reads() as queries:
        ids, left_out = most_words(Search(text="popote roulante toxicomanie zzyzx"))

    assert left_out == ["toxicomanie", "zzyzx"]
    assert ids
    assert len(queries.reads) <= 6


def test_a_long_search_is_answered_in_bounded_queries(known):
    text = " ".join(["popote", "roulante", "toxicomanie", "juridique", "suicide", "francisation"])
    text += " emploi garderie meubles locataires zzyzx"
    with reads() as queries:
        ids, left_out = most_words(Search(text=text))

    assert ids
    assert "zzyzx" in left_out
    assert len(queries.reads) <= 12


# --- Nearby places -------------------------------------------------------------------------------


def test_a_need_missing_in_a_small_place_is_offered_in_the_nearest_places_with_it(known):
    addictions = known.categories_by_code["dependances"]
    saint_lambert = known.territories_by_slug["saint-lambert"]
    assert run(Search(category=addictions, territory=saint_lambert)).ids == []

    places, region = nearby_places(Search(category=addictions, territory=saint_lambert), known)

    assert region == run(Search(category=addictions)).count == 14
    assert len(places) == 5
    for place, count in places:
        assert place.kind == "municipality"  # the same kind as Saint-Lambert
        assert count == run(Search(category=addictions, territory=place)).count > 0
    distances = [_km(saint_lambert.centre, place.centre) for place, _count in places]
    assert distances == sorted(distances)
    # No nearer municipality has it.
    offered = {saint_lambert, *dict(places)}
    nearer = [
        territory
        for territory in known.territories
        if territory.kind == "municipality"
        and territory not in offered
        and _km(saint_lambert.centre, territory.centre) < distances[-1]
    ]
    assert not [t for t in nearer if run(Search(category=addictions, territory=t)).ids]


def test_places_of_the_same_kind_come_first(known):
    addictions = known.categories_by_code["dependances"]
    vieux_longueuil = known.territories_by_slug["le-vieux-longueuil"]

    places, _region = nearby_places(
        Search(category=addictions, territory=vieux_longueuil), known, limit=30
    )

    kinds = [place.kind for place, _count in places]
    assert kinds[0] == "borough"
    assert kinds == sorted(kinds, key=lambda kind: kind != "borough")  # then the municipalities
    assert "municipality" in kinds
    # Never the place searched, nor the city it is part of.
    assert not {"le-vieux-longueuil", "longueuil"} & {place.slug for place, _count in places}


def test_around_a_point_the_nearest_municipalities_and_boroughs_alike(known):
    addictions = known.categories_by_code["dependances"]
    here = Point(*centre(known, "saint-lambert"))
    search = Search(category=addictions, near=here, radius_km=2)
    assert run(search).ids == []

    places, region = nearby_places(search, known)

    assert region == 14
    assert {place.kind for place, _count in places} == {"borough", "municipality"}
    distances = [_km((here.latitude, here.longitude), place.centre) for place, _n in places]
    assert distances == sorted(distances)


def test_words_without_a_need_are_offered_elsewhere_too(known):
    saint_lambert = known.territories_by_slug["saint-lambert"]
    search = Search(text="toxicomanie", territory=saint_lambert)
    assert run(search).ids == []

    places, region = nearby_places(search, known)

    assert region == run(Search(text="toxicomanie")).count
    for place, count in places:
        assert count == run(Search(text="toxicomanie", territory=place)).count


def test_nothing_is_offered_when_nothing_anywhere(known):
    addictions = known.categories_by_code["dependances"]
    saint_lambert = known.territories_by_slug["saint-lambert"]

    assert nearby_places(
        Search(text="zzyzx", category=addictions, territory=saint_lambert), known
    ) == ([], 0)
    assert nearby_places(Search(text="?!", territory=saint_lambert), known) == ([], 0)
    assert nearby_places(Search(territory=saint_lambert), known) == ([], 0)


def test_nearby_places_are_counted_in_one_query(known):
    addictions = known.categories_by_code["dependances"]
    boucherville = known.territories_by_slug["boucherville"]

    with reads() as queries:
        places, region = nearby_places(Search(category=addictions, territory=boucherville), known)

    assert places and region == 14
    assert len(queries.reads) == 1


def test_a_search_matching_many_counts_the_nearest_places_a_few_at_a_time(known, monkeypatch):
    # Past COUNT_LIMIT matches in the region the places are counted one by one: a lower limit
    # takes that way on the demo directory, and the counts stop at the limit as the results' do.
    limit = 10
    monkeypatch.setattr(search_fallbacks, "COUNT_LIMIT", limit)
    addictions = known.categories_by_code["dependances"]
    saint_lambert = known.territories_by_slug["saint-lambert"]
    search = Search(category=addictions, territory=saint_lambert)

    with reads() as queries:
        places, region = nearby_places(search, known)

    assert region == limit + 1  # more than the limit
    assert len(queries.reads) <= 1 + search_fallbacks.NEARBY_BATCHES
    monkeypatch.undo()
    assert places == [
        (place, min(count, limit + 1)) for place, count in nearby_places(search, known)[0]
    ]
    assert limit < COUNT_LIMIT
