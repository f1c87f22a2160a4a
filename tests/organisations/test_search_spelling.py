"""Typo correction (issue 16, item 3): a search's unknown words corrected against the index's own
vocabulary, on the issue's demo directory (``demo_seed`` with 1,000 organisations, seed 7, offline
geocoder), seeded once for the module."""

import pytest
from django.db import transaction

from organisations.demo import demo_seed
from organisations.lib.text import fold
from organisations.models import Category, Organisation, SearchDocument
from organisations.search import Search, public_version_bump, reference, run, stems
from organisations.search_spelling import corrections, max_edits, vocabulary

# What people mistype, and the need each means (tests/organisations/test_search_queries.py).
MISSPELT = [
    ("nouritture", "aide-alimentaire"),
    ("logemant", "logement-hebergement"),
    ("francisasion", "francisation"),
    ("demenagemnt", "demenagement"),
    ("vetments", "comptoirs-vestimentaires"),
    ("dépanage alimentaire", "aide-alimentaire"),
    ("popotte roullante", "popote-roulante"),
    ("aide juridque", "aide-juridique"),
    ("toxicomanei", "dependances"),
]


@pytest.fixture(scope="module")
def directory(django_db_setup, django_db_blocker):
    """The issue's demo directory, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            demo_seed(organisations=1_000, seed=7, drafts=0, index=False)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def serving(code: str, ids: list[int]) -> int:
    """How many of the organisations ``ids`` meet the need ``code`` (a family counting for the
    needs under it)."""
    token = f"n{Category.objects.get(code=code).pk}"
    tags = SearchDocument.objects.filter(organisation_id__in=ids).values_list("tags", flat=True)
    return sum(token in tag.split() for tag in tags)


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "need"), MISSPELT)
def test_a_misspelt_search_is_corrected_to_one_that_finds_the_need_meant(directory, typed, need):
    assert run(Search(text=typed)).count == 0

    found = corrections(typed, reference())

    assert found
    best = run(Search(text=found[0]))
    assert best.count > 0, found
    assert serving(need, best.ids[:10]) >= 5, found


@pytest.mark.django_db
def test_a_correction_keeps_the_known_words_as_typed_and_writes_the_word_with_its_accents(
    directory,
):
    assert corrections("dépanage alimentaire", reference())[0] == "dépannage alimentaire"
    assert corrections("Aide Juridque", reference())[0] == "Aide Juridique"
    assert corrections("popotte roullante !", reference())[0] == "popotte roulante !"
    assert corrections("vetments", reference())[0] == "vêtements"


@pytest.mark.django_db
def test_corrections_are_different_searches_best_first_and_at_most_three(directory):
    found = corrections("montral", reference())

    assert found[0] == "montréal"
    assert len(found) == 3
    # One spelling per stem: « logement » and « logements » would be the same search twice.
    assert len({stems(fold(text)) for text in found}) == 3
    assert len({stems(fold(text)) for text in corrections("logemant", reference())}) == len(
        corrections("logemant", reference())
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        "aide alimentaire",
        "nourriture",
        "Logements",
        "alimentations",
        "popote roulante",
        "hébergement d'urgence",
    ],
)
def test_a_search_already_right_is_not_corrected(directory, typed):
    assert corrections(typed, reference()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["x", "zq", "12345", "H2X 1Y4", "h2x1y4", "j7a"])
def test_short_words_numbers_and_postal_codes_are_never_corrected(directory, typed):
    assert corrections(typed, reference()) == []


@pytest.mark.django_db
def test_a_place_is_corrected_to_its_name_or_another_name(directory):
    assert corrections("Rosmont", reference())[0] == "Rosemont"
    assert corrections("cartierviile", reference())[0] == "cartierville"


@pytest.mark.django_db
def test_a_word_nothing_is_near_is_not_corrected(directory):
    assert corrections("xqzkwv", reference()) == []


@pytest.mark.django_db
def test_a_word_nothing_is_near_stays_as_typed_while_the_others_are_corrected(directory):
    assert corrections("xqzkwv juridque", reference())[0] == "xqzkwv juridique"


@pytest.mark.django_db
def test_short_words_are_corrected_by_one_edit_only(directory):
    assert max_edits("loyr") == 1
    assert max_edits("logemant") == 2
    assert corrections("loyr", reference())[0] == "loyer"
    assert corrections("lavl", reference())[0] == "laval"
    # « loyer » and « laval » are two edits away.
    assert corrections("lyr", reference()) == []
    assert corrections("lxvl", reference()) == []


@pytest.mark.django_db
def test_among_words_as_near_the_more_common_comes_first(directory):
    # « laval » (a place, and the words of many names) and « davl » (an organisation's initials)
    # are both one letter from « lavl ».
    assert corrections("lavl", reference())[:2] == ["laval", "davl"]


@pytest.mark.django_db
def test_the_vocabulary_is_made_once_per_public_version(directory, django_assert_num_queries):
    known = reference()
    with django_assert_num_queries(3):
        made = vocabulary(known)
    with django_assert_num_queries(0):
        assert vocabulary(known) is made
        corrections("logemant", known)


@pytest.mark.django_db
def test_the_vocabulary_follows_the_directory_from_one_public_version_to_the_next(directory):
    assert corrections("zephyrne", reference()) == []
    renamed = SearchDocument.objects.values_list("organisation_id", flat=True).first()
    Organisation.objects.filter(pk=renamed).update(name="Friperie Zéphyrine")
    assert corrections("zephyrne", reference()) == []  # the vocabulary of the version before

    public_version_bump()  # as the publication of the new name does

    assert corrections("zephyrne", reference()) == ["zéphyrine"]


@pytest.mark.django_db
def test_punctuation_and_an_empty_search_give_nothing_to_correct(directory):
    assert corrections("", reference()) == []
    assert corrections("  ?! -- ", reference()) == []
