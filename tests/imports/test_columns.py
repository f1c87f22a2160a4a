"""From a partner's words to our values: header suggestions, transforms, probable matches."""

import pytest

from imports.columns import (
    TARGETS_BY_KEY,
    CellProblem,
    Reference,
    clean,
    format_hours,
    parse_hours,
    suggest_target,
)
from imports.matching import Matcher, likeness, name_key
from imports.models import ImportRow
from organisations.factories import LocationFactory, OrganisationFactory, PhoneFactory, territory

from .sheets import MUNICIPAL_HEADERS, check, municipal_profile, results, xlsx


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("Nom de l'organisme", "name"),
        ("NOM DE L’ORGANISME", "name"),
        ("Organization name", "name"),
        ("Adresse civique", "street_address"),
        ("Tél.", "phone"),
        ("Téléphone", "phone"),
        ("Télécopieur", "fax"),
        ("Courriel", "email"),
        ("E-mail", "email"),
        ("Code postal", "postal_code"),
        ("Municipalité", "municipality"),
        ("Clientèle", "eligibility_fr"),
        ("Site Web", "website"),
        ("Heures d'ouverture", "hours"),
        ("service_name_fr", "service_name_fr"),
        ("Couleur préférée", ""),
    ],
)
def test_headers_in_french_or_english_suggest_a_field(header, target):
    assert suggest_target(header) == target


def cleaned(key, value, reference=None):
    return clean(TARGETS_BY_KEY[key], value, reference)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("oui", True), ("Non", False), ("YES", True), ("x", True), ("faux", False), (1, True)],
)
def test_yes_and_no_in_french_and_english(value, expected):
    assert cleaned("address_is_confidential", value) is expected


def test_an_empty_cell_means_leave_it_as_it_is():
    assert cleaned("email", None) is None
    assert cleaned("email", "   ") is None


def test_languages_by_name_in_either_language_or_by_code():
    assert cleaned("service_languages", "Français, anglais; Espagnol / ar") == "fr, en, es, ar"
    with pytest.raises(CellProblem, match="not a language we know"):
        cleaned("service_languages", "klingon")


@pytest.mark.django_db
def test_municipalities_with_or_without_accents_and_abbreviations():
    reference = Reference()
    for text in ("Montréal-Nord", "montreal nord", "MONTREAL-NORD"):
        assert cleaned("municipality", text, reference) == territory("montreal-nord").pk
    assert cleaned("municipality", "Ste-Thérèse", reference) == territory("sainte-therese").pk
    assert cleaned("municipality", "Laval", reference) == territory("laval").pk


@pytest.mark.django_db
def test_needs_by_our_code_our_name_or_the_profiles_mapping():
    reference = Reference({"Repas à domicile": "popote-roulante", "Mot inconnu": "nope"})
    ids = cleaned("categories", "Repas à domicile; Aide alimentaire; deneigement", reference)
    names = {reference.categories[pk].code for pk in ids}
    assert names == {"popote-roulante", "aide-alimentaire", "deneigement"}
    with pytest.raises(CellProblem, match="needs mapping"):
        cleaned("categories", "Mot inconnu", reference)


def test_opening_hours_in_the_ways_people_write_them():
    assert parse_hours("lu-ve 9h-17h; sa 10:00-12:00") == [
        {"weekday": d, "opens": "09:00:00", "closes": "17:00:00"} for d in range(1, 6)
    ] + [{"weekday": 6, "opens": "10:00:00", "closes": "12:00:00"}]
    assert parse_hours("Mon, Wed 9:30-12:00, 13:00-16:30") == [
        {"weekday": 1, "opens": "09:30:00", "closes": "12:00:00"},
        {"weekday": 3, "opens": "09:30:00", "closes": "12:00:00"},
        {"weekday": 1, "opens": "13:00:00", "closes": "16:30:00"},
        {"weekday": 3, "opens": "13:00:00", "closes": "16:30:00"},
    ]
    hours = parse_hours("lu 09:00-12:00; lu 13:00-17:00")
    assert format_hours(hours) == "lu 09:00-12:00; lu 13:00-17:00"
    with pytest.raises(CellProblem, match="closing time is not after"):
        parse_hours("lu 17:00-9:00")
    with pytest.raises(CellProblem, match="not a day"):
        parse_hours("funday 9-17")


def test_names_fold_accents_abbreviations_and_small_words():
    assert name_key("Centre d'entraide St-Jean") == "centre entraide saint jean"
    assert name_key("CTR D'ENTRAIDE SAINT-JEAN") == "centre entraide saint jean"
    assert (
        likeness(
            name_key("Centre d'entraide St-Jean"), name_key("Centre d'entraide Saint-Jean-Baptiste")
        )
        >= 80
    )
    assert likeness(name_key("Centre d'entraide St-Jean"), name_key("Club de hockey mineur")) < 50


@pytest.mark.django_db
def test_a_similar_name_alone_is_no_match_it_needs_a_shared_postal_code_or_phone():
    lookalike = OrganisationFactory(name="Centre d'entraide Saint-Jean")
    LocationFactory(organisation=lookalike, postal_code="J4K 1A1")
    PhoneFactory(organisation=lookalike, number="+14505550000")
    matcher = Matcher(scheme="")
    far = matcher.match(
        partner_id="",
        uuid="",
        name="Centre d'entraide St-Jean",
        postal_codes=["H2X 1Y4"],
        phones=[],
    )
    assert far.organisation_id is None
    by_phone = matcher.match(
        partner_id="",
        uuid="",
        name="Centre entraide St-Jean",
        postal_codes=[],
        phones=["+14505550000"],
    )
    assert (by_phone.organisation_id, by_phone.how, by_phone.reason) == (
        lookalike.pk,
        "probable",
        "same phone number",
    )
    other = matcher.match(
        partner_id="", uuid="", name="Club de hockey", postal_codes=["J4K 1A1"], phones=[]
    )
    assert other.organisation_id is None


@pytest.mark.django_db
def test_our_uuid_matches_when_the_partner_has_no_id_for_the_record():
    record = OrganisationFactory(name="Ancien nom")
    profile = municipal_profile(
        columns=[{"column": "UUID", "target": "uuid"}, {"column": "Nom", "target": "name"}]
    )
    batch = check(xlsx([["UUID", "Nom"], [str(record.uuid), "Nouveau nom"]]), profile)
    [result] = batch.results.all()
    assert (result.outcome, result.organisation) == (ImportRow.Outcome.UPDATE, record)


@pytest.mark.django_db
def test_repeats_inside_the_file_are_reported():
    profile = municipal_profile()
    row = ["L-9", "Cuisine collective", "1 rue A", "Laval", "H7S 1M9", None, None, None, None]
    lookalike = [
        "L-10",
        "Cuisine collective",
        "1, rue A",
        "Laval",
        "H7S1M9",
        None,
        None,
        None,
        None,
    ]
    batch = check(xlsx([MUNICIPAL_HEADERS, row, row, lookalike]), profile)
    found = results(batch)
    assert found[2].outcome == ImportRow.Outcome.NEW
    assert found[3].outcome == ImportRow.Outcome.DUPLICATE
    assert "already on row 2" in found[3].errors[0]["message"]
    assert found[4].outcome == ImportRow.Outcome.DUPLICATE
    assert "looks like the organisation on row 2" in found[4].errors[0]["message"]
    assert batch.summary["duplicates"] == 2
