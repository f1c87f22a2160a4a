"""What an agent types for the territory and the needs, understood as a person would."""

import pytest

from organisations.factories import LocationFactory, OrganisationFactory, territory
from portraits.matching import need_match, place_match

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("Montréal-Nord", "montreal-nord"),
        ("montreal nord", "montreal-nord"),
        ("mtl-n", "montreal-nord"),
        ("MTL N", "montreal-nord"),
        ("rosemont", "rosemont-la-petite-patrie"),
        ("petite patrie", "rosemont-la-petite-patrie"),
        ("hochelaga", "mercier-hochelaga-maisonneuve"),
        ("cdn", "cote-des-neiges-notre-dame-de-grace"),
        ("Laval", "laval"),  # the municipality, not the sector of the same name
        ("duvernay", "duvernay"),
        ("st-hubert", "saint-hubert"),
        ("Longueuil", "longueuil"),
        ("66023", "montreal"),  # a MAMH code, as an export may hold
        ("verdun", "verdun"),
        ("Montréal-Nord (Montréal)", "montreal-nord"),  # as the screen's list offers it
        ("Duvernay (Laval)", "duvernay"),
    ],
)
def test_a_territory_is_understood_from_its_name_a_beginning_or_a_nickname(typed, slug):
    found = place_match(typed)
    assert found.territory is not None, found.error
    assert found.territory.slug == slug


def test_a_postal_code_is_placed_where_the_directorys_locations_with_its_fsa_are():
    for _ in range(2):
        LocationFactory(municipality=territory("montreal-nord"), postal_code="H1H 2B3")
    LocationFactory(municipality=territory("saint-leonard"), postal_code="H1H 5C6")

    assert place_match("H1H 4X9").territory.slug == "montreal-nord"
    assert place_match("h1h").territory.slug == "montreal-nord"


def test_a_postal_code_elsewhere_in_canada_is_outside_the_region():
    assert place_match("G1R 4P5").outside
    assert place_match("K1A 0B1").outside


def test_a_postal_code_of_the_region_that_no_location_has_asks_for_the_place():
    found = place_match("J7Z")
    assert not found.found
    assert "J7Z" in found.error


def test_outside_the_region_is_said_in_words():
    for typed in ("hors région", "Hors region", "outside the region", "extérieur"):
        assert place_match(typed).outside, typed


def test_an_unknown_place_is_explained():
    found = place_match("Atlantide")
    assert not found.found
    assert "Atlantide" in found.error
    assert place_match("   ").error


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("alim", "aide-alimentaire"),  # the family before the needs under it
        ("aide alimentaire", "aide-alimentaire"),
        ("banque alim", "banques-alimentaires"),
        ("banques alimentaires", "banques-alimentaires"),
        ("déménag", "demenagement"),
        ("demenagement", "demenagement"),
        ("movers", "demenagement"),  # an English keyword
        ("popote", "popote-roulante"),
        ("meals on wheels", "popote-roulante"),
        ("déneigement", "deneigement"),
        ("refuges", "refuges-itinerance"),
        ("transport-accompaniment", "transport-accompagnement"),
        ("Homeless shelters", "refuges-itinerance"),
        ("repit-proches-aidants", "repit-proches-aidants"),  # a code
    ],
)
def test_a_need_is_understood_from_its_names_keywords_or_code(typed, code):
    found = need_match(typed)
    assert found.category is not None, found.error
    assert found.category.code == code


def test_a_need_that_could_be_several_names_the_others():
    found = need_match("alim")
    assert "banques-alimentaires" in [c.code for c in found.others]


def test_an_unknown_need_is_explained():
    found = need_match("xyzzy")
    assert found.category is None
    assert "xyzzy" in found.error


def test_a_place_with_no_location_in_the_directory_still_is_a_place():
    OrganisationFactory()  # no locations anywhere: names still work
    assert place_match("Mirabel").territory.slug == "mirabel"


def test_every_place_and_need_the_screen_offers_is_understood_as_itself():
    from organisations.models import Territory
    from organisations.search import reference
    from portraits.matching import need_label, place_label

    known = reference()
    for place in known.territories:
        if place.kind != Territory.Kind.REGION:
            assert place_match(place_label(place), known).territory == place, place_label(place)
    for need in known.categories:
        assert need_match(need_label(need), known).category == need, need_label(need)
