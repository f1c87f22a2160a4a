"""Privacy by construction: every public figure counts at least 5 or says « moins de 5 », and no
withheld figure can be worked out from the published ones, on the pages or in the open data.

The attacker here knows only what is published, and the sums the figures obviously make (all
needs and the families; a family and its needs; a year and its months; unmet needs and their
reasons; a territory and the places in it, taken as exact, as the fixture records nothing for a
municipality without its borough). It solves every system of those sums it can build, by linear
algebra (modulo a large prime: a figure is determined exactly when its column is in the row
space), and by subtracting known parts from totals again and again.
"""

import csv
import io
import random
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from portraits import published
from portraits.counts import Tally, counts_apply
from portraits.disclosure import COMPLEMENT, SMALL, suppress
from portraits.published import Figure
from tests.portraits.given import counted

pytestmark = pytest.mark.django_db

YEAR = 2025
LEAVES = ["montreal-nord", "verdun", "anjou", "chomedey"]
NEEDS = [
    "banques-alimentaires",
    "popote-roulante",
    "aide-alimentaire",
    "demenagement",
    "recherche-logement",
]
REASONS = ["cost", "waiting_list", "transport"]


@pytest.fixture(autouse=True)
def _fresh_figures():
    published.forget()
    yield
    published.forget()


@pytest.fixture
def year_of_requests(db):
    """A year in four places, most figures large, some small (always the same)."""
    rng = random.Random(19)
    tally = Tally()
    for place in LEAVES:
        for month in range(1, 13):
            for need in NEEDS:
                big = rng.random() < 0.6
                n = rng.randint(5, 30) if big else rng.randint(0, 4)
                counted(place, date(YEAR, month, 1), need, n, tally=tally)
                if rng.random() < 0.5:
                    unmet = rng.randint(0, 6)
                    counted(
                        place,
                        date(YEAR, month, 1),
                        need,
                        unmet,
                        reason=rng.choice(REASONS),
                        tally=tally,
                    )
    counts_apply(tally)


# --- The attacker ----------------------------------------------------------------------------------

PRIME = 2_147_483_647


def recoverable(known: dict, equations: list[tuple[list, list]]) -> set:
    """The unknown cells (``known[cell] is None``) that ``equations`` determine exactly. Each
    equation is (totals, parts): sum(totals) == sum(parts). Gaussian elimination over GF(PRIME)
    on sparse rows: a cell is determined when its reduced row holds nothing else."""
    pivots: dict = {}  # cell -> its row, in the order found
    order: dict = {}
    for totals, parts in equations:
        row: dict = {}
        for cell, sign in [(c, 1) for c in totals] + [(c, -1) for c in parts]:
            if cell not in known:
                break
            if known[cell] is None:
                row[cell] = (row.get(cell, 0) + sign) % PRIME
        else:
            row = {cell: value for cell, value in row.items() if value}
            # Take out the cells already pivots; each step brings only newer pivots in.
            while row:
                found = [cell for cell in row if cell in pivots]
                if not found:
                    break
                cell = min(found, key=order.__getitem__)
                factor = row[cell]
                for other, value in pivots[cell].items():
                    row[other] = (row.get(other, 0) - factor * value) % PRIME
                row = {c: v for c, v in row.items() if v}
            if row:
                pivot = next(iter(row))
                inverse = pow(row[pivot], PRIME - 2, PRIME)
                pivots[pivot] = {c: v * inverse % PRIME for c, v in row.items()}
                order[pivot] = len(order)
    # Back-substitution, newest pivot first: each row then holds its pivot and free cells only.
    for pivot in sorted(pivots, key=order.__getitem__, reverse=True):
        row = pivots[pivot]
        for cell in [c for c in row if c != pivot and c in pivots]:
            factor = row.pop(cell)
            for other, value in pivots[cell].items():
                if other != cell:
                    row[other] = (row.get(other, 0) - factor * value) % PRIME
        pivots[pivot] = {c: v for c, v in row.items() if v}
    return {pivot for pivot, row in pivots.items() if len(row) == 1}


def peeled(known: dict, equations: list[tuple[list, list]]) -> set:
    """The unknown cells found by subtracting known parts from totals, again and again."""
    values = dict(known)
    found: set = set()
    progress = True
    while progress:
        progress = False
        for totals, parts in equations:
            cells = totals + parts
            if any(c not in values for c in cells):
                continue
            unknown = [c for c in cells if values[c] is None]
            if len(unknown) == 1:
                cell = unknown[0]
                total = sum(values[c] for c in totals if c != cell)
                rest = sum(values[c] for c in parts if c != cell)
                values[cell] = rest - total if cell in totals else total - rest
                found.add(cell)
                progress = True
    return found


# --- The open data ---------------------------------------------------------------------------------


# The open data's columns, by position (their names are in the visitor's language).
PERIOD, PLACE, PART_OF, NEED, FAMILY = 0, 1, 4, 5, 7
COMMUNICATIONS, EXPRESSED, UNMET = 8, 9, 10
REASON_COLUMNS = range(11, 18)
FIGURES = [COMMUNICATIONS, EXPRESSED, UNMET, *REASON_COLUMNS]


def open_data(client) -> list[list[str]]:
    """The rows of the year's open data, header left out."""
    response = client.get(reverse("portraits_open_data", args=[YEAR]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def csv_system(rows: list[list[str]]) -> tuple[dict, list]:
    """The cells of the open data, (period, territory, need, column) -> value or None, and the
    sums among them."""
    known: dict = {}
    parents: dict = {}
    periods, needs, children = set(), set(), {}
    for row in rows:
        period, place, need = row[PERIOD], row[PLACE], row[NEED]
        parents[place] = row[PART_OF]
        periods.add(period)
        needs.add(need)
        if row[FAMILY] and row[FAMILY] != need:
            children.setdefault(row[FAMILY], set()).add(need)
        for column in FIGURES:
            value = row[column]
            if value != "":
                known[(period, place, need, column)] = int(value) if value.isdigit() else None
    year, months = str(YEAR), sorted(p for p in periods if "-" in p)
    under = {n for ns in children.values() for n in ns}
    families = sorted(n for n in needs if n != "*" and n not in under)
    places = sorted(parents)
    equations = []
    for place in places:
        for period in [*months, year]:
            for column in (EXPRESSED, UNMET):
                equations.append(
                    (
                        [(period, place, "*", column)],
                        [(period, place, f, column) for f in families],
                    )
                )
        for need in ["*", *families]:
            for column in (COMMUNICATIONS, EXPRESSED, UNMET):
                equations.append(
                    ([(year, place, need, column)], [(m, place, need, column) for m in months])
                )
        for family, inside in children.items():
            for column in (EXPRESSED, UNMET, *REASON_COLUMNS):
                equations.append(
                    (
                        [(year, place, family, column)],
                        [(year, place, n, column) for n in inside],
                    )
                )
        for need in needs:
            equations.append(
                (
                    [(year, place, need, UNMET)],
                    [(year, place, need, column) for column in REASON_COLUMNS],
                )
            )
    for parent in places:
        inside = [place for place in places if parents[place] == parent]
        if not inside:
            continue
        for period in [*months, year]:
            for need in needs:
                for column in FIGURES:
                    equations.append(
                        (
                            [(period, parent, need, column)],
                            [(period, place, need, column) for place in inside],
                        )
                    )
    return known, equations


def test_the_open_data_gives_no_withheld_figure_away(client, year_of_requests):
    rows = open_data(client)
    known, equations = csv_system(rows)
    hidden = [cell for cell, value in known.items() if value is None]
    assert hidden, "the fixture has small figures"

    assert peeled(known, equations) == set()
    # Linear algebra on the places of the fixture and those beside them (the system of the
    # whole region is too large to solve here; subtraction above covers all of it).
    chains = {"cmm", "secteur-agglomeration-de-montreal", "secteur-laval", "montreal", "laval"}
    beside = {row[PLACE] for row in rows if row[PART_OF] in chains}
    near = {cell: value for cell, value in known.items() if cell[1] in chains | beside}
    assert recoverable(near, equations) == set()


def test_the_open_data_shows_a_small_figure_as_fewer_than_5_and_nothing_under_5(
    client, year_of_requests
):
    rows = open_data(client)

    values = [row[column] for row in rows for column in FIGURES]
    shown = [int(v) for v in values if v.isdigit()]
    assert min(shown) >= 5
    assert "<5" in values
    assert set(values) - {""} <= {"<5", "x"} | {str(n) for n in shown}


# --- The pages -------------------------------------------------------------------------------------


def page_system(portrait) -> tuple[dict, list]:
    """The figures of a portrait page, as its tables show them, and the sums among them."""
    known: dict = {}
    equations = []
    charts = {chart.slug: chart for chart in portrait.charts}
    for slug in ("needs", "unmet", "months"):
        for r, row in enumerate(charts[slug].table.rows):
            for c, cell in enumerate(row.cells):
                if isinstance(cell, Figure):
                    known[(slug, r, c)] = cell.value
    # The needs: the families add up to the total row (column 0: this year; 3: unmet).
    needs = charts["needs"].table.rows
    for column in (0, 3):
        equations.append(
            (
                [("needs", len(needs) - 1, column)],
                [("needs", r, column) for r in range(len(needs) - 1)],
            )
        )
    # The months add up to the year, which the headline and the needs' total show.
    months = charts["months"].table.rows
    equations.append(
        ([("needs", len(needs) - 1, 0)], [("months", r, 0) for r in range(len(months))])
    )
    # Unmet needs: each row's reasons add up to it; the total row is every need's.
    for r, row in enumerate(charts["unmet"].table.rows):
        if isinstance(row.cells[0], Figure):
            equations.append(
                ([("unmet", r, 0)], [("unmet", r, c) for c in range(1, len(row.cells))])
            )
    return known, equations


@pytest.mark.parametrize("place", ["montreal-nord", "montreal", "laval", "cmm"])
def test_a_portrait_gives_no_withheld_figure_away(client, year_of_requests, place):
    response = client.get(reverse("portrait", args=[place]), {"annee": YEAR})
    portrait = response.context["portrait"]
    known, equations = page_system(portrait)

    assert recoverable(known, equations) == set()
    assert peeled(known, equations) == set()


def test_a_portrait_shows_every_figure_under_5_as_fewer_than_5(client, year_of_requests):
    response = client.get(reverse("portrait", args=["chomedey"]), {"annee": YEAR})
    figures = [
        cell
        for chart in response.context["portrait"].charts
        for row in chart.table.rows
        for cell in row.cells
        if isinstance(cell, Figure)
    ]

    assert all(f.value >= 5 for f in figures if f.shown)
    assert any(f.withheld == SMALL for f in figures)
    with translation.override("fr"):
        assert str(Figure(None, SMALL)) in response.content.decode()  # « moins de 5 »


def test_no_public_page_or_file_holds_a_single_request(client):
    counted("verdun", date(YEAR, 5, 1), "demenagement", 1, reason="cost")

    for place in ("verdun", "montreal", "cmm"):
        response = client.get(reverse("portrait", args=[place]), {"annee": YEAR})
        assert response.status_code == 200
        portrait = response.context["portrait"]
        for headline in portrait.headlines:
            assert not headline.figure.shown
        for chart in portrait.charts:
            for row in chart.table.rows:
                for cell in row.cells:
                    if isinstance(cell, Figure):
                        assert not cell.shown, (place, chart.slug, row.header)
    rows = open_data(client)
    assert not [(row[PERIOD], row[PLACE]) for row in rows for c in FIGURES if row[c].isdigit()]


# --- The rule --------------------------------------------------------------------------------------


def test_a_lone_small_figure_in_a_sum_takes_the_next_smallest_with_it():
    values = {"total": 40, "a": 3, "b": 7, "c": 12, "d": 18}
    withheld = suppress(values, [["total", "a", "b", "c", "d"]])

    assert withheld == {"a": SMALL, "b": COMPLEMENT}


def test_a_complement_is_followed_into_the_other_sums_it_is_part_of():
    # Two rows and two columns: withholding b for row 1 leaves column 2 with one withheld.
    values = {"r1": 20, "r2": 30, "c1": 23, "c2": 27, "a": 3, "b": 17, "c": 20, "d": 10}
    sums = [["r1", "a", "b"], ["r2", "c", "d"], ["c1", "a", "c"], ["c2", "b", "d"]]
    withheld = suppress(values, sums)

    assert withheld == {"a": SMALL, "b": COMPLEMENT, "c": COMPLEMENT, "d": COMPLEMENT}
    for members in sums:
        assert sum(member in withheld for member in members) != 1


def test_zero_is_fewer_than_5_like_the_others():
    # A part rather than the sum when they are equal.
    assert suppress({"total": 9, "a": 0, "b": 9}, [["total", "a", "b"]]) == {
        "a": SMALL,
        "b": COMPLEMENT,
    }


def test_the_attacker_finds_a_figure_hidden_alone():
    known = {"total": 40, "a": None, "b": 7, "c": 12, "d": 18}
    sums = [(["total"], ["a", "b", "c", "d"])]

    assert recoverable(known, sums) == {"a"} == peeled(known, sums)
    # Two hidden in the same sum, and nothing else to go on: neither is found.
    assert recoverable({**known, "b": None}, sums) == set()


def test_a_small_month_takes_another_month_with_it(client):
    tally = Tally()
    for month in range(1, 13):
        counted(
            "verdun", date(YEAR, month, 1), "demenagement", 2 if month == 6 else 10, tally=tally
        )
    counts_apply(tally)

    response = client.get(
        reverse("portrait", args=["verdun"]), {"annee": YEAR, "besoin": "demenagement"}
    )
    months = next(c for c in response.context["portrait"].charts if c.slug == "months")
    figures = [row.cells[0] for row in months.table.rows]

    assert figures[5].withheld == SMALL  # June: 2
    assert [f.withheld for f in figures].count(COMPLEMENT) == 1  # one 10 withheld with it
    assert response.context["portrait"].headlines[0].figure == Figure(112)
    rows = open_data(client)
    verdun = [r for r in rows if r[PLACE] == "verdun" and r[NEED] == "demenagement"]
    assert sorted(r[EXPRESSED] for r in verdun).count("x") == 1
    assert sorted(r[EXPRESSED] for r in verdun).count("<5") == 1
