"""The geocoding cache key: every way of writing one address gives the same key, and different
places never share one. Property-based, with hypothesis."""

from hypothesis import example, given
from hypothesis import strategies as st

from organisations.geocoding import address_key, normalise_street, street_for_query
from organisations.lib.text import fold

STREETS = st.sampled_from(
    [
        "rue Saint-Denis",
        "boulevard René-Lévesque Ouest",
        "avenue du Mont-Royal Est",
        "chemin de la Côte-des-Neiges",
        "rue Notre-Dame",
        "boulevard des Laurentides",
        "montée Masson",
        "Sherbrooke Street West",
    ]
)
CIVIC = st.integers(min_value=1, max_value=99999)
MUNICIPALITIES = st.sampled_from(["Montréal", "Laval", "Longueuil", "Sainte-Anne-de-Bellevue"])
POSTAL = st.from_regex(r"[A-Z][0-9][A-Z][0-9][A-Z][0-9]", fullmatch=True)
UNITS = st.sampled_from(
    ["bureau 200", "app. 4", "suite 310", "local 12B", "#5", "2e étage", "unité 3", "Apt 7"]
)
SPACES = st.text(alphabet=" \t", min_size=1, max_size=3)


def key(street, postal="H2X 3J7", municipality="Montréal"):
    return address_key(street=street, postal_code=postal, municipality=municipality)


def strip_accents(text: str) -> str:
    table = str.maketrans("éèêëàâîïôöùûüçÉÈÊÀÂÎÔÛÇ", "eeeeaaiioouuucEEEAAIOUC")
    return text.translate(table)


@given(CIVIC, STREETS, st.sampled_from([str.upper, str.lower, str.title, str.swapcase]))
def test_case_makes_no_difference(civic, street, change_case):
    address = f"{civic} {street}"
    assert key(change_case(address)) == key(address)


@given(CIVIC, STREETS)
def test_accents_make_no_difference(civic, street):
    address = f"{civic} {street}"
    assert key(strip_accents(address)) == key(address)


@given(CIVIC, STREETS, SPACES, SPACES)
def test_spacing_makes_no_difference(civic, street, before, between):
    assert key(f"{before}{civic}{between}{street.replace(' ', between)}  ") == key(
        f"{civic} {street}"
    )


@given(CIVIC, STREETS, UNITS, st.sampled_from([", ", " ", " , "]))
@example(1234, "rue Saint-Denis", "bureau 200", ", ")
def test_a_unit_written_after_the_street_makes_no_difference(civic, street, unit, separator):
    assert key(f"{civic} {street}{separator}{unit}") == key(f"{civic} {street}")


@given(st.integers(min_value=1, max_value=999), CIVIC.filter(lambda n: n >= 1000), STREETS)
def test_a_unit_written_before_the_civic_number_makes_no_difference(unit, civic, street):
    assert key(f"{unit}-{civic} {street}") == key(f"{civic} {street}")


@given(POSTAL, st.sampled_from(["{a} {b}", "{a}{b}", "{a}-{b}", " {a}  {b} "]), st.booleans())
def test_the_postal_codes_format_makes_no_difference(postal, layout, lower):
    written = layout.format(a=postal[:3], b=postal[3:])
    written = written.lower() if lower else written
    assert key("10 rue Rachel", postal=written) == key("10 rue Rachel", postal=postal)


@given(CIVIC, CIVIC, STREETS)
def test_different_civic_numbers_never_share_a_key(first, second, street):
    if first != second:
        assert key(f"{first} {street}") != key(f"{second} {street}")


@given(CIVIC, STREETS, MUNICIPALITIES, MUNICIPALITIES)
def test_the_same_street_in_two_municipalities_never_shares_a_key(civic, street, one, other):
    if one != other:
        assert key(f"{civic} {street}", municipality=one) != key(
            f"{civic} {street}", municipality=other
        )


@given(st.text(max_size=80))
def test_normalising_twice_changes_nothing(text):
    once = normalise_street(text)
    assert normalise_street(once) == once
    assert fold(fold(text)) == fold(text)


@given(st.text(max_size=200), st.text(max_size=20), st.text(max_size=40))
def test_any_input_gives_a_key_that_fits_the_cache(street, postal, municipality):
    assert len(address_key(street=street, postal_code=postal, municipality=municipality)) <= 500


def test_common_abbreviations_are_the_same_street():
    assert key("55 boul. René-Lévesque E") == key("55, boulevard René-Lévesque Est")
    assert key("10 av. du Parc") == key("10 avenue du Parc")
    assert key("300 rue St-Jacques") == key("300 rue Saint-Jacques")


def test_the_query_keeps_the_street_as_written_without_the_unit():
    assert street_for_query("200-1234, rue Saint-Denis, bureau 300") == "1234, rue Saint-Denis"
    assert street_for_query("1234 Main St") == "1234 Main St"
