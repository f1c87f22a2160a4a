"""The public portraits of needs: a page per territory in French and English, the needs and their
trend, the unmet needs and why, what the directory offers beside them, what people search for;
choices as plain links; bad parameters answered with a clear page; the open data."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from wagtail.contrib.search_promotions.models import Query

from cms.search_demand import SearchDemand
from organisations.search import search_index_rebuild
from portraits import published
from portraits.counts import Tally, counts_apply
from portraits.published import Figure
from tests.portraits.directory import serving
from tests.portraits.given import counted

pytestmark = pytest.mark.django_db

YEAR = 2025


@pytest.fixture(autouse=True)
def _fresh_figures():
    published.forget()
    yield
    published.forget()


@pytest.fixture
def north(db):
    """Montréal-Nord in 2024 and 2025: food banks asked for every month, moves often unmet for
    lack of movers; two food banks and one mover in the directory."""
    tally = Tally()
    for year, food, moves in ((2024, 20, 6), (2025, 25, 9)):
        for month in range(1, 13):
            day = date(year, month, 1)
            counted("montreal-nord", day, "banques-alimentaires", food, tally=tally)
            counted(
                "montreal-nord", day, "demenagement", moves, reason="not_in_territory", tally=tally
            )
            counted("montreal-nord", day, "demenagement", 1, tally=tally)
    counts_apply(tally)
    serving("Banque alimentaire du Nord", "banques-alimentaires", "montreal-nord")
    serving("Dépannage Pie-IX", "banques-alimentaires", "montreal-nord")
    serving("Déménagement solidaire", "demenagement", "verdun", areas=["montreal"])
    search_index_rebuild()


def chart(response, slug):
    return next(c for c in response.context["portrait"].charts if c.slug == slug)


def rows(chart_) -> dict:
    return {row.header: row.cells for row in chart_.table.rows}


def test_the_index_lists_a_portrait_for_every_place_in_both_languages(client, north):
    for url in ("/fr/portraits/", "/en/portraits/"):
        response = client.get(url)
        page = response.content.decode()

        assert response.status_code == 200
        for slug in ("cmm", "secteur-laval", "montreal", "montreal-nord", "chomedey", "longueuil"):
            assert f'href="{url}{slug}/"' in page
        assert f'href="{url}{YEAR}.csv"' in page


def test_a_portrait_shows_the_needs_their_trend_and_what_the_directory_offers(client, north):
    with translation.override("en"):
        response = client.get("/en/portraits/montreal-nord/", {"year": YEAR})
        needs = rows(chart(response, "needs"))

    assert response.status_code == 200
    headlines = {h.label: h for h in response.context["portrait"].headlines}
    assert headlines["Needs expressed"].figure == Figure(12 * (25 + 9 + 1))
    assert headlines["Needs expressed"].previous == Figure(12 * (20 + 6 + 1))
    assert str(headlines["Communications"].change) == "+30 %"  # 420 against 324
    food = needs["Food aid"]
    assert food[:2] == [Figure(300), Figure(240)]
    assert str(food[2]) == "+25 %"
    assert food[4] == 2  # organisations serving Montréal-Nord for food aid
    moving = needs["Moving help"]
    assert moving[3] == Figure(108)  # unmet
    assert moving[4] == 1


def test_a_portrait_shows_where_demand_meets_little_supply(client, north):
    with translation.override("en"):
        response = client.get("/en/portraits/montreal-nord/", {"year": YEAR})

    assert response.context["portrait"].little_supply == [("Moving help", Figure(108), 1)]
    assert "Where demand meets little supply" in response.content.decode()


def test_a_portrait_shows_the_unmet_needs_and_why(client, north):
    with translation.override("en"):
        response = client.get("/en/portraits/montreal-nord/", {"year": YEAR})
        unmet = chart(response, "unmet")

    columns = unmet.table.columns
    moving = rows(unmet)["Moving help"]
    assert moving[0] == Figure(108)
    assert moving[columns.index("Not available in the territory") - 1] == Figure(108)
    assert "Moving help (108)" in unmet.summary
    assert "not available in the territory (108)" in unmet.summary


def test_the_month_by_month_trend_compares_each_month_with_a_year_earlier(client, north):
    with translation.override("en"):
        response = client.get("/en/portraits/montreal-nord/", {"year": YEAR})
        months = rows(chart(response, "months"))

    assert months["March 2025"][:2] == [Figure(35), Figure(27)]
    assert months["March 2025"][3] == Figure(35)  # communications


def test_a_portrait_counts_the_places_in_it(client, north):
    response = client.get("/fr/portraits/montreal/", {"annee": YEAR})

    headlines = response.context["portrait"].headlines
    assert headlines[1].figure == Figure(420)


def test_choices_are_plain_links(client, north):
    response = client.get("/fr/portraits/montreal-nord/", {"annee": YEAR})
    page = response.content.decode()

    assert "<form" not in page.split('id="main"')[1]
    assert 'href="/fr/portraits/montreal-nord/?annee=2024"' in page
    assert 'href="/fr/portraits/montreal-nord/?annee=2025&amp;besoin=aide-alimentaire"' in page
    assert "<script" not in page


def test_a_family_shows_the_needs_under_it(client, north):
    with translation.override("en"):
        response = client.get(
            "/en/portraits/montreal-nord/", {"year": YEAR, "need": "aide-alimentaire"}
        )
        needs = rows(chart(response, "needs"))

    assert response.context["family"].code == "aide-alimentaire"
    assert needs["Food banks and emergency food"][0] == Figure(300)
    assert list(needs)[-1] == "Food aid"
    # French names in the English page's address work too, and a need under a family shows it.
    response = client.get(
        "/en/portraits/montreal-nord/", {"annee": YEAR, "besoin": "popote-roulante"}
    )
    assert response.context["family"].code == "aide-alimentaire"


def test_what_people_search_for_is_shown_when_searched_5_times(client, north):
    for need, hits, results in (("popote-roulante", 7, 0), ("demenagement", 3, 4)):
        SearchDemand.objects.create(
            query=Query.get(need),
            date=date(YEAR, 5, 4),
            language="fr",
            need=need,
            place="montreal-nord",
            hits=hits,
            results=results,
        )

    with translation.override("en"):
        response = client.get("/en/portraits/montreal-nord/", {"year": YEAR})

    searches = rows(response.context["searches"])
    assert list(searches) == ["Food aid › Meals on wheels"]
    assert searches["Food aid › Meals on wheels"] == [Figure(7), Figure(7)]


def test_the_month_under_way_is_not_public(client):
    today = timezone.localdate()
    counted("montreal-nord", today.replace(day=1), "banques-alimentaires", 40)
    last_month = today.replace(day=1) - timedelta(days=1)
    counted("montreal-nord", last_month.replace(day=1), "banques-alimentaires", 30)

    response = client.get("/fr/portraits/montreal-nord/", {"annee": last_month.year})

    headlines = response.context["portrait"].headlines
    assert headlines[1].figure == Figure(30)


@pytest.mark.parametrize(
    "query",
    [
        {"annee": "1999"},
        {"annee": "deux mille"},
        {"annee": "9" * 40},
        {"year": "-1"},
        {"besoin": "atlantide"},
        {"besoin": "x" * 500},
        {"annee": YEAR, "besoin": "<script>alert(1)</script>"},
    ],
)
def test_bad_parameters_give_a_clear_page(client, north, query):
    response = client.get("/fr/portraits/montreal-nord/", query)

    assert response.status_code == 200
    assert response.context["problems"]
    assert response.context["portrait"] is not None
    assert "<script>alert" not in response.content.decode()


def test_an_unknown_place_is_a_page_saying_so(client, north):
    response = client.get("/fr/portraits/atlantide/")

    assert response.status_code == 404
    assert "atlantide" in response.content.decode()
    assert 'href="/fr/portraits/montreal-nord/"' in response.content.decode()


def test_a_portrait_without_any_request_yet_says_so(client):
    response = client.get("/fr/portraits/montreal-nord/")

    assert response.status_code == 200
    assert response.context["portrait"] is None


def test_the_open_data_states_its_licence(client, north, settings):
    response = client.get(f"/en/portraits/{YEAR}.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert settings.REPERTOIRE_OPEN_DATA_LICENSE_URL in response["Link"]
    assert 'rel="license"' in response["Link"]
    assert f"{YEAR}.csv" in response["Content-Disposition"]
    page = client.get("/fr/portraits/").content.decode()
    assert settings.REPERTOIRE_OPEN_DATA_LICENSE_URL in page
    assert client.get("/fr/portraits/1999.csv").status_code == 404


def test_a_portrait_reads_a_few_queries_once_its_figures_are_worked_out(client, north):
    client.get("/fr/portraits/montreal-nord/", {"annee": YEAR})

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fr/portraits/laval/", {"annee": YEAR})

    assert response.status_code == 200
    assert len(queries) <= 6, "\n".join(q["sql"][:100] for q in queries)
