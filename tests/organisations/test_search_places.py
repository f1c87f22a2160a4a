"""Places and postal codes typed in the search's words (issue 16, item 4): what is read as a place
or a point, what stays words, and where a postal code is when no geocoder answers.

Most tests read the reference territories the migrations load; the last ones read the issue's demo
directory (``demo_seed`` with 1,000 organisations, seed 7, offline geocoder), seeded once for them.
"""

import math
import time

import pytest
from django.db import transaction
from django.urls import reverse

from organisations import search, search_places
from organisations.demo import demo_seed
from organisations.factories import LocationFactory, OrganisationFactory, category, territory
from organisations.geocoding import GeocodePrecision
from organisations.models import Organisation, SearchDocument, Territory
from organisations.reference import ALIASES, load_territories
from organisations.search_places import (
    place_in_words,
    postal_code_area,
    postal_code_point,
    postal_code_written,
    territory_named,
)
from tests.nominatim import place

ISLAND = "secteur-agglomeration-de-montreal"


def known() -> search.Reference:
    """The reference data as the search reads them now (a fresh read: tests edit them)."""
    return search.Reference(search.public_version())


def read(text: str):
    return place_in_words(text, known())


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * search.KM_PER_DEGREE
    dx = (a[1] - b[1]) * search.KM_PER_DEGREE * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


# --- Place names ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "slug", "rest"),
    [
        ("aide alimentaire Laval", "laval", "aide alimentaire"),
        ("Laval aide alimentaire", "laval", "aide alimentaire"),
        ("popote roulante Duvernay", "duvernay", "popote roulante"),
        ("emploi Terrebonne", "terrebonne", "emploi"),
        ("déménagement Rosemont", "rosemont-la-petite-patrie", "déménagement"),
        ("aide alimentaire, Verdun", "verdun", "aide alimentaire"),
    ],
)
def test_a_place_among_the_words_becomes_the_place_and_the_rest_stays_words(text, slug, rest):
    found = read(text)

    assert found.territory.slug == slug
    assert found.rest == rest
    assert (found.point, found.postal_code, found.outside) == (None, "", False)


@pytest.mark.django_db
def test_laval_is_the_municipality_not_the_sector_of_the_same_name():
    assert read("Laval").territory.kind == Territory.Kind.MUNICIPALITY


@pytest.mark.django_db
def test_a_query_that_is_only_a_place_leaves_no_words():
    found = read("  Laval ")

    assert (found.typed, found.rest, found.territory.slug) == ("Laval", "", "laval")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("NDG", "cote-des-neiges-notre-dame-de-grace"),
        ("CDN", "cote-des-neiges-notre-dame-de-grace"),
        ("HoMa", "mercier-hochelaga-maisonneuve"),
        ("Hochelag", "mercier-hochelaga-maisonneuve"),
        ("le Plateau", "le-plateau-mont-royal"),
        ("Plateau", "le-plateau-mont-royal"),
        ("Plateau-Mont-Royal", "le-plateau-mont-royal"),
        ("RDP", "riviere-des-prairies-pointe-aux-trembles"),
        ("PAT", "riviere-des-prairies-pointe-aux-trembles"),
        ("Vieux-Longueuil", "le-vieux-longueuil"),
        ("Saint-Bruno", "saint-bruno-de-montarville"),
        ("DDO", "dollard-des-ormeaux"),
        ("Saint-Henri", "le-sud-ouest"),
        ("Grand Montréal", "cmm"),
    ],
)
def test_short_names_and_nicknames_name_their_place(typed, slug):
    found = read(f"francisation {typed}")

    assert found.territory.slug == slug
    assert (found.typed, found.rest) == (typed, "francisation")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("cote des neiges", "cote-des-neiges-notre-dame-de-grace"),
        ("COTE-DES-NEIGES", "cote-des-neiges-notre-dame-de-grace"),
        ("notre dame de grace", "cote-des-neiges-notre-dame-de-grace"),
        ("montreal nord", "montreal-nord"),
        ("st-bruno", "saint-bruno-de-montarville"),
        ("Ste-Julie", "sainte-julie"),
        ("ile perrot", "l-ile-perrot"),
        ("l'ile-bizard", "l-ile-bizard-sainte-genevieve"),
    ],
)
def test_names_match_without_case_accents_hyphens_or_abbreviated_saints(text, slug):
    assert read(f"logement {text}").territory.slug == slug


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "slug", "rest"),
    [
        ("logement Laval-des-Rapides", "laval-des-rapides", "logement"),  # not Laval
        ("Le Plateau-Mont-Royal", "le-plateau-mont-royal", ""),  # not Mont-Royal
        ("aînés Montréal-Nord", "montreal-nord", "aînés"),  # not Montréal
        ("Côte-des-Neiges–Notre-Dame-de-Grâce", "cote-des-neiges-notre-dame-de-grace", ""),
        ("Notre-Dame-de-l'Île-Perrot", "notre-dame-de-l-ile-perrot", ""),  # not L'Île-Perrot
    ],
)
def test_the_longest_name_wins(text, slug, rest):
    found = read(text)

    assert (found.territory.slug, found.rest) == (slug, rest)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["lavallois", "Verdunois", "festival Lavalfest", "montrealais"])
def test_only_whole_words_name_a_place(text):
    assert read(text) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "typed", "rest"),
    [
        ("aînés le Plateau", "le Plateau", "aînés"),
        ("logement à Laval", "à Laval", "logement"),
        ("aide alimentaire près de Laval", "près de Laval", "aide alimentaire"),
        ("cuisines collectives dans le Plateau", "dans le Plateau", "cuisines collectives"),
        ("food bank in NDG", "in NDG", "food bank"),
        ("shelter near the Plateau", "near the Plateau", "shelter"),
        ("maison des jeunes de la ville de Laval", "de la ville de Laval", "maison des jeunes"),
        ("banque alimentaire des Cèdres", "des Cèdres", "banque alimentaire"),
        ("popote roulante du Sud-Ouest", "du Sud-Ouest", "popote roulante"),
    ],
)
def test_the_little_words_before_a_place_leave_with_it(text, typed, rest):
    found = read(text)

    assert (found.typed, found.rest) == (typed, rest)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        "avenue du Mont-Royal",
        "boulevard Saint-Laurent",
        "1234 rue Laval",
        "chemin de la Côte-des-Neiges",
        "métro Verdun",
    ],
)
def test_a_street_or_station_named_after_a_place_is_no_place(text):
    assert read(text) is None


@pytest.mark.django_db
def test_after_a_to_a_place_word_after_a_street_word_is_a_place_again():
    assert read("une place en garderie à Laval").territory.slug == "laval"


@pytest.mark.django_db
def test_no_reference_place_name_is_also_a_need_name_or_keyword():
    """The collision the search guards against (a need's word read as a place) does not happen
    with the reference data: no name or other name of a territory is a need's name, keyword or
    word as the index stems it, nor inside one."""
    from organisations.search_places import _is_need, _names

    names = _names(known())

    assert [name for name in names.territories if _is_need(name, names)] == []
    assert names.inside_needs == {}


@pytest.mark.django_db
def test_a_place_name_that_is_also_a_need_keyword_is_a_place_only_when_said_to_be_one():
    # The Société de Saint-Vincent-de-Paul runs clothing counters: a curator may well make its
    # name a keyword of the need. Laval also has a district of that name.
    clothes = category("comptoirs-vestimentaires")
    clothes.keywords_fr += ", Saint-Vincent-de-Paul"
    clothes.save(update_fields=["keywords_fr"])

    assert read("Saint-Vincent-de-Paul") is None
    assert read("comptoir Saint-Vincent-de-Paul") is None
    found = read("vêtements à Saint-Vincent-de-Paul")
    assert (found.territory.slug, found.rest) == ("saint-vincent-de-paul", "vêtements")


@pytest.mark.django_db
def test_a_place_name_inside_a_need_keyword_stays_words():
    # The Maisonneuve-Rosemont hospital is in Mercier–Hochelaga-Maisonneuve, not in Rosemont.
    medical = category("accompagnement-medical")
    medical.keywords_fr += ", Maisonneuve-Rosemont"
    medical.save(update_fields=["keywords_fr"])

    assert read("transport Maisonneuve-Rosemont") is None
    assert read("transport Rosemont").territory.slug == "rosemont-la-petite-patrie"


@pytest.mark.django_db
def test_an_organisation_named_after_a_place_it_is_not_in_is_read_as_that_place():
    """The decision (search_places' docstring): recognition knows no organisation names, which
    would cost a query per search; the page offers the words as typed in one click."""
    found = read("Société de Saint-Vincent-de-Paul")

    assert (found.territory.slug, found.typed, found.rest) == (
        "saint-vincent-de-paul",
        "de Saint-Vincent-de-Paul",
        "Société",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text", ["", "   ", "!!!", "aide alimentaire", "'; DROP TABLE --", "é" * 5000]
)
def test_words_without_a_place_give_nothing(text):
    assert read(text) is None


# --- Other names: data and admin -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_reference_territories_come_with_their_other_names():
    assert "NDG" in territory("cote-des-neiges-notre-dame-de-grace").aliases
    assert "HoMa" in territory("mercier-hochelaga-maisonneuve").aliases
    assert set(ALIASES) <= set(Territory.objects.values_list("slug", flat=True))


@pytest.mark.django_db
def test_loading_the_reference_data_again_keeps_a_curators_other_names():
    Territory.objects.filter(slug="verdun").update(aliases="Wellington-de-l'Église")
    Territory.objects.filter(slug="le-plateau-mont-royal").update(aliases="")

    load_territories(Territory)

    assert territory("verdun").aliases == "Wellington-de-l'Église"
    assert territory("le-plateau-mont-royal").aliases == ALIASES["le-plateau-mont-royal"]


@pytest.mark.django_db
def test_other_names_a_curator_gives_in_the_admin_are_read_at_once(
    client_for, administrator, django_capture_on_commit_callbacks
):
    verdun = territory("verdun")
    url = reverse("wagtailsnippets_organisations_territory:edit", args=[verdun.pk])
    client = client_for(administrator)
    assert 'name="aliases"' in client.get(url).content.decode()
    assert read("aide alimentaire Wellington") is None

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "name": verdun.name,
                "name_en": verdun.name_en,
                "slug": verdun.slug,
                "kind": verdun.kind,
                "parent": verdun.parent_id,
                "mrc": verdun.mrc,
                "geographic_code": verdun.geographic_code,
                "latitude": verdun.latitude,
                "longitude": verdun.longitude,
                "coord_source": verdun.coord_source,
                "aliases": "Wellington-de-l'Église, Wellington",
            },
        )

    assert response.status_code == 302
    found = place_in_words("aide alimentaire Wellington", search.reference())
    assert found.territory.slug == "verdun"


# --- Postal codes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("H7G 1A1", "H7G 1A1"),
        ("h7g1a1", "H7G 1A1"),
        ("H7G-1A1", "H7G 1A1"),
        ("h7g - 1a1", "H7G 1A1"),
        ("H7G", "H7G"),
        ("K1A 0B1", "K1A 0B1"),
        ("H7G 1A", ""),
        ("D7G 1A1", ""),  # Canada Post never uses D
        ("H7O 1A1", ""),  # nor O
        ("H1N1", ""),
    ],
)
def test_postal_codes_are_read_in_every_usual_form(text, written):
    assert postal_code_written(text) == written


def public_place(postal_code: str, latitude: float, longitude: float, **kwargs):
    return LocationFactory(
        postal_code=postal_code,
        latitude=latitude,
        longitude=longitude,
        municipality=territory("laval"),
        **kwargs,
    )


@pytest.mark.django_db
def test_offline_a_postal_code_is_at_the_centre_of_the_places_sharing_it():
    public_place("H7G 1A1", 45.60, -73.70)
    public_place("H7G 1A1", 45.62, -73.72)
    public_place("H7G 4B2", 45.50, -73.60)  # same FSA, another code: not counted

    point = postal_code_point("h7g1a1", known())

    assert (point.latitude, point.longitude) == pytest.approx((45.61, -73.71))
    assert point.label == "H7G 1A1"


@pytest.mark.django_db
def test_offline_a_code_only_one_place_has_is_at_the_centre_of_its_fsa():
    public_place("H7G 1A1", 45.60, -73.70)
    public_place("H7G 4B2", 45.50, -73.60)
    public_place("H7H 1A1", 45.00, -73.00)  # another FSA

    point = postal_code_point("H7G 1A1", known())
    fsa = postal_code_point("H7G", known())

    assert (point.latitude, point.longitude) == pytest.approx((45.55, -73.65))
    assert (fsa.latitude, fsa.longitude, fsa.label) == (
        pytest.approx(45.55),
        pytest.approx(-73.65),
        "H7G",
    )


@pytest.mark.django_db
def test_confidential_stand_in_and_unpublished_places_do_not_place_a_code():
    public_place("H7G 1A1", 45.60, -73.70)
    public_place("H7G 1A1", 45.60, -73.70, address_is_confidential=True)
    public_place("H7G 1A2", 45.40, -73.40, geocode_precision=GeocodePrecision.MUNICIPALITY)
    public_place("H7G 1A3", 45.40, -73.40, organisation=OrganisationFactory(live=False))
    public_place(
        "H7G 1A4",
        45.40,
        -73.40,
        organisation=OrganisationFactory(status=Organisation.Status.CLOSED),
    )

    point = postal_code_point("H7G 1A1", known())

    assert (point.latitude, point.longitude) == pytest.approx((45.60, -73.70))


@pytest.mark.django_db
def test_the_centre_of_an_fsa_is_read_once_per_public_version(django_assert_num_queries):
    public_place("H7G 1A1", 45.60, -73.70)
    reference = known()

    with django_assert_num_queries(1):
        first = postal_code_point("H7G 1A1", reference)
    with django_assert_num_queries(0):
        assert postal_code_point("h7g 4b2", reference).latitude == first.latitude
        assert place_in_words("popote roulante H7G", reference).point.latitude == first.latitude

    public_place("H7G 4B2", 45.40, -73.50)
    search.public_version_bump()
    assert postal_code_point("H7G 1A1", known()).latitude == pytest.approx(45.50)


@pytest.mark.django_db
def test_a_postal_code_among_the_words_is_the_point_searched_near():
    public_place("H7G 1A1", 45.60, -73.70)

    found = read("popote roulante H7G 1A1")

    assert (found.typed, found.rest, found.postal_code) == (
        "H7G 1A1",
        "popote roulante",
        "H7G 1A1",
    )
    assert (found.point.latitude, found.point.longitude, found.point.label) == (
        pytest.approx(45.60),
        pytest.approx(-73.70),
        "H7G 1A1",
    )
    assert (found.territory, found.outside) == (None, False)
    assert read("h7g1a1").rest == ""
    assert read("aide près de H7G-1A1").typed == "près de H7G-1A1"


@pytest.mark.django_db
def test_a_postal_code_comes_before_a_place_name_which_stays_words():
    public_place("H7G 1A1", 45.60, -73.70)

    found = read("popote roulante Laval H7G 1A1")

    assert (found.postal_code, found.rest, found.territory) == (
        "H7G 1A1",
        "popote roulante Laval",
        None,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "slug"),
    [("aide alimentaire H2L", ISLAND), ("H9X 3L9", ISLAND), ("H7X 9Z9", "laval")],
)
def test_an_h_code_nothing_places_is_still_on_the_island_or_in_laval(text, slug):
    found = read(text)

    assert found.territory.slug == slug
    assert (found.point, found.outside) == (None, False)
    assert postal_code_area(found.postal_code, known()).slug == slug


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "rest", "queries"),
    [
        ("K1A 0B1", "", 0),  # Ottawa: not a letter of the region, nothing asked
        ("aide alimentaire M5V 3L9", "aide alimentaire", 0),  # Toronto
        ("J8Y 3G5", "", 1),  # Gatineau: a J code, which the directory has no place for
    ],
)
def test_a_postal_code_outside_the_region_says_so(text, rest, queries, django_assert_num_queries):
    reference = known()

    with django_assert_num_queries(queries):
        found = place_in_words(text, reference)

    assert found.outside
    assert (found.territory, found.point, found.rest) == (None, None, rest)


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["résultat a1c", "T4G", "covid h1n1"])
def test_an_fsa_alone_outside_the_region_stays_words(text):
    assert read(text) is None


# --- Postal codes with a geocoder ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_geocoder_places_a_postal_code_and_is_asked_once(nominatim):
    nominatim.add("H2L 2C4", place(45.5225, -73.5688, kind="postcode", postcode="H2L 2C4"))

    found = read("aide alimentaire h2l2c4")
    again = read("H2L 2C4")

    assert (found.point.latitude, found.point.longitude) == pytest.approx((45.5225, -73.5688))
    assert again.point == found.point
    (request,) = nominatim.search_requests()
    assert request.query == "H2L 2C4, QC, Canada"


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["nothing", "error", "ottawa"])
def test_when_the_geocoder_cannot_place_a_code_the_directorys_places_do(nominatim, answer):
    public_place("H7G 1A1", 45.60, -73.70)
    if answer == "error":
        nominatim.fail_next(500, times=3)
    elif answer == "ottawa":
        nominatim.add("H7G 1A1", place(45.4215, -75.6972, city="Ottawa", kind="postcode"))

    point = postal_code_point("H7G 1A1", known())

    assert (point.latitude, point.longitude) == pytest.approx((45.60, -73.70))


@pytest.mark.django_db
def test_no_request_is_made_for_a_code_outside_the_region(nominatim):
    assert read("K1A 0B1").outside
    assert nominatim.search_requests() == []


# --- The "near" box ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("NDG", "cote-des-neiges-notre-dame-de-grace"),
        ("près du Plateau", "le-plateau-mont-royal"),
        ("Laval", "laval"),
        ("Duvernay", "duvernay"),
    ],
)
def test_near_a_place_by_any_of_its_names_is_near_its_centre(text, slug):
    point = search_places.locate(text, known())

    assert (point.latitude, point.longitude) == territory(slug).centre
    assert territory_named(text, known()).slug == slug


@pytest.mark.django_db
def test_near_a_postal_code_works_offline():
    public_place("H7G 1A1", 45.60, -73.70)

    point = search_places.locate("h7g 1a1", known())

    assert (point.latitude, point.longitude, point.label) == (
        pytest.approx(45.60),
        pytest.approx(-73.70),
        "H7G 1A1",
    )
    assert search_places.locate("K1A 0B1", known()) is None
    # The region: no place to be near.
    assert search_places.locate("Grand Montréal", known()) is None


# --- On the demo directory -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def directory(django_db_setup, django_db_blocker):
    """The issue's demo directory, seeded once for these tests and rolled back after them."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_seed(organisations=1_000, seed=7, drafts=0, index=False)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# (query, the place it names, or "near" for a point, or "outside"; the words left)
ISSUE_QUERIES = [
    ("aide alimentaire Laval", "laval", "aide alimentaire"),
    ("popote roulante Duvernay", "duvernay", "popote roulante"),
    ("francisation CDN", "cote-des-neiges-notre-dame-de-grace", "francisation"),
    ("food bank NDG", "cote-des-neiges-notre-dame-de-grace", "food bank"),
    ("aide alimentaire HoMa", "mercier-hochelaga-maisonneuve", "aide alimentaire"),
    ("aînés le Plateau", "le-plateau-mont-royal", "aînés"),
    ("emploi Terrebonne", "terrebonne", "emploi"),
    ("déménagement Rosemont", "rosemont-la-petite-patrie", "déménagement"),
    ("aide alimentaire H2L", ISLAND, "aide alimentaire"),  # the demo has no place in H2L
    ("popote roulante H7G 1A1", "near", "popote roulante"),
    ("h7g1a1", "near", ""),
    ("K1A 0B1", "outside", ""),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "meant", "rest"), ISSUE_QUERIES)
def test_the_issues_queries_on_the_demo_directory(directory, text, meant, rest):
    found = place_in_words(text, search.reference())

    assert found.rest == rest
    if meant == "near":
        # Laval's FSAs start with H7: the demo's places in H7G are in Laval.
        laval = territory("laval").centre
        assert km((found.point.latitude, found.point.longitude), laval) < 10
    elif meant == "outside":
        assert found.outside
    else:
        assert found.territory.slug == meant


def in_place(ids: list[int], slug: str) -> float:
    """The share of the first ten of ``ids`` that are in the place or serve it."""
    first = ids[:10]
    if not first:
        return 0.0
    token = search.place_token(territory(slug).pk)
    tags = dict(
        SearchDocument.objects.filter(organisation_id__in=first).values_list(
            "organisation_id", "tags"
        )
    )
    return sum(1 for pk in first if token in tags[pk].split()) / len(first)


@pytest.mark.django_db
def test_read_as_places_the_issues_queries_find_organisations_there(directory, capsys):
    search.search_index_rebuild()
    reference = search.reference()
    lines, found_as_read, found_as_typed = [], [], []
    for text, meant, _rest in ISSUE_QUERIES:
        if meant == "outside":
            continue
        # A point: the nearest first, Laval's (its FSAs start with H7) and across the river.
        slug = "laval" if meant == "near" else meant
        found = place_in_words(text, reference)
        typed = search.run(search.Search(text=text)).ids
        read = search.run(
            search.Search(text=found.rest, territory=found.territory, near=found.point)
        ).ids
        found_as_typed.append(len(typed))
        found_as_read.append(len(read))
        lines.append(
            f"  {text!r:<28} as typed {len(typed):>4} found, {in_place(typed, slug):4.0%} there;"
            f" as read {len(read):>4} found, {in_place(read, slug):4.0%} there"
        )

    with capsys.disabled():
        print("\nThe first ten results in the place named (demo, 1,000 organisations):")
        print("\n".join(lines))
    assert min(found_as_read) >= 5
    assert all(r >= t for r, t in zip(found_as_read, found_as_typed, strict=True))


@pytest.mark.django_db
def test_organisation_names_with_a_place_mostly_name_the_place_they_are_in(directory, capsys):
    """The measure behind the decision to read a place in an organisation's name as a place: on
    the demo directory, nearly every organisation whose name holds a place is in it or serves it
    (the others are named after a saint Laval has a district of, or « Mercier » for Mercier–
    Hochelaga-Maisonneuve, where Mercier is a municipality too)."""
    search.search_index_rebuild()
    reference = search.reference()
    tags = dict(SearchDocument.objects.values_list("organisation_id", "tags"))
    named, elsewhere = 0, []
    for pk, name in Organisation.objects.public().values_list("pk", "name"):
        found = place_in_words(name, reference)
        if found is not None and found.territory is not None:
            named += 1
            if search.place_token(found.territory.pk) not in tags[pk].split():
                elsewhere.append(name)

    with capsys.disabled():
        print(
            f"\n{named} of 1,000 demo organisation names hold a place; {len(elsewhere)} "
            f"({len(elsewhere) / named:.1%}) are neither in it nor serve it, e.g. {elsewhere[:3]}"
        )
    assert named > 500
    assert len(elsewhere) / named < 0.05


@pytest.mark.django_db
def test_reading_places_in_the_words_costs_no_query_and_little_time(
    directory, django_assert_num_queries, capsys
):
    reference = search.reference()
    place_in_words("warm-up Laval", reference)  # the table of names, once per version
    texts = [text for text, _meant, _rest in ISSUE_QUERIES if not any(c.isdigit() for c in text)]
    texts += ["aide alimentaire", "maison des jeunes", "banque alimentaire de Verdun"] * 3
    runs = 200

    with django_assert_num_queries(0):
        started = time.perf_counter()
        for _ in range(runs):
            for text in texts:
                place_in_words(text, reference)
        elapsed = time.perf_counter() - started

    per_query = elapsed / (runs * len(texts)) * 1e6
    with capsys.disabled():
        print(f"\nReading a place in the words: {per_query:.0f} µs a query")
    assert per_query < 500
