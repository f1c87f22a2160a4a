"""Search demand: each public search counted per day without anything that identifies the
person, a report for the curators, and a searched phrase made a need's keyword in one step."""

import io
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.contrib.search_promotions.models import Query, QueryDailyHits

from cms import search_demand
from cms.search_demand import SearchDemand, months_before, normalise, prune, record
from organisations.factories import LocationFactory, OrganisationFactory, ServiceFactory, territory
from organisations.models import Category
from organisations.search import search_index_rebuild

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Firefox/130.0"
REPORT = "/admin/search-demand/"


@pytest.fixture(autouse=True)
def _no_remembered_queries():
    """The ids of the queries counted are remembered per process; each test's database starts
    again, so each test starts with none."""
    search_demand._query_ids.clear()
    yield
    search_demand._query_ids.clear()


def search(client, params, agent=BROWSER, language="fr"):
    path = "/fr/recherche/" if language == "fr" else "/en/search/"
    return client.get(path, params, HTTP_USER_AGENT=agent)


def demand(query: str) -> list[SearchDemand]:
    return list(SearchDemand.objects.filter(query__query_string=query))


@pytest.fixture
def soup(db):
    organisation = OrganisationFactory(name="Soupe populaire", description_fr="Repas chauds")
    LocationFactory(organisation=organisation, municipality=territory("verdun"))
    search_index_rebuild()
    return organisation


def test_a_search_is_counted_once_per_day_per_query_and_language(client, soup):
    search(client, {"q": "Repas"})
    search(client, {"q": "  répas  "})  # the same query, folded as the engine folds
    search(client, {"q": "repas"}, language="en")

    rows = {row.language: row for row in demand("repas")}
    assert rows["fr"].hits == 2 and rows["en"].hits == 1
    assert rows["fr"].date == timezone.localdate()
    assert rows["fr"].results == 1
    assert QueryDailyHits.objects.get(query__query_string="repas").hits == 3


def test_nothing_that_identifies_the_person_is_stored(client, soup, monkeypatch):
    fields = {field.name for field in SearchDemand._meta.get_fields()}
    assert fields == {"id", "query", "date", "language", "need", "place", "hits", "results"}
    assert normalise("Aide alimentaire H2L 1A1") == "aide alimentaire h2l"

    search(client, {"q": "repas", "lat": "45.46", "lon": "-73.57"})
    assert demand("repas")[0].place == "~position"  # near the visitor: never the point

    import organisations.search
    import organisations.search_places

    monkeypatch.setattr(
        organisations.search_places,
        "locate",
        lambda text, known=None: organisations.search.Point(45.5, -73.6),
    )
    search(client, {"q": "soupe", "pres": "1234 rue Ontario Est"})
    search(client, {"q": "soupe", "pres": "h2l 1a1"})
    places = {row.place for row in demand("soupe")}
    assert places == {"~address", "h2l"}  # never the address itself, nor the full postal code


def test_the_need_and_place_searched_are_kept(client, soup):
    need = Category.objects.filter(parent__isnull=False).first()
    search(client, {"q": "repas", "categorie": need.code, "territoire": "verdun"})
    row = demand("repas")[0]
    assert (row.need, row.place, row.results) == (need.code, "verdun", 0)


def test_a_cached_answer_is_counted(client, soup, settings):
    settings.PUBLIC_CACHE_SECONDS = 300
    cache.clear()
    first = search(client, {"q": "repas"})
    with CaptureQueriesContext(connection) as captured:
        again = search(client, {"q": "repas"})

    assert again.content == first.content
    assert "searchdocument" not in " ".join(q["sql"] for q in captured.captured_queries)
    assert demand("repas")[0].hits == 2


def test_bots_page_two_and_the_team_are_not_counted(client, soup, curator):
    search(client, {"q": "repas"}, agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    search(client, {"q": "repas"}, agent="")
    search(client, {"q": "repas", "page": "2"})
    assert demand("repas") == []

    client.force_login(curator)
    search(client, {"q": "repas"})
    assert demand("repas") == []


def test_a_count_that_fails_never_breaks_the_page(client, soup, monkeypatch):
    def broken(*args):
        raise RuntimeError("database gone")

    monkeypatch.setattr("cms.search_demand.record", broken)
    response = search(client, {"q": "repas"})
    assert response.status_code == 200


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def test_the_report_lists_queries_with_no_result_first_when_asked(client_for, curator):
    record(
        {
            "query": "frigo solidaire du coin",
            "language": "fr",
            "need": "",
            "place": "",
            "results": 0,
        },
        days_ago(1),
    )
    for _ in range(3):
        record(
            {"query": "repas", "language": "fr", "need": "", "place": "verdun", "results": 12},
            days_ago(1),
        )
    client = client_for(curator)

    everything = client.get(REPORT).content.decode()
    assert everything.index("repas") < everything.index("frigo solidaire du coin")

    empty = client.get(REPORT, {"results": "none"}).content.decode()
    assert "frigo solidaire du coin" in empty and "<strong>repas</strong>" not in empty
    assert "Ajouter comme mot-clé d’un besoin" in empty or "Add as a need" in empty


def test_the_report_reads_in_a_constant_number_of_queries(client_for, curator):
    client = client_for(curator)
    record({"query": "q0", "language": "fr", "need": "", "place": "", "results": 0}, days_ago(0))
    client.get(REPORT)
    with CaptureQueriesContext(connection) as few:
        client.get(REPORT)
    for n in range(1, 40):
        record(
            {"query": f"q{n}", "language": "en", "need": "", "place": "", "results": n},
            days_ago(n % 5),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(REPORT)
    assert len(many) == len(few)


def test_the_export_opens_in_a_spreadsheet_and_holds_the_rows(client_for, curator):
    record(
        {"query": "=hyperlink(x)", "language": "fr", "need": "", "place": "", "results": 0},
        days_ago(2),
    )
    record(
        {"query": "logement", "language": "en", "need": "", "place": "", "results": 7}, days_ago(2)
    )

    response = client_for(curator).get(REPORT, {"export": "xlsx"})
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    rows = list(sheet.iter_rows(values_only=True))

    assert len(rows) == 3
    queries = {row[0] for row in rows[1:]}
    assert queries == {"'=hyperlink(x)", "logement"}


def test_a_month_keeps_only_its_days(client_for, curator):
    today = timezone.localdate()
    last_month = months_before(today.replace(day=1), 1)
    record({"query": "ancien", "language": "fr", "need": "", "place": "", "results": 0}, last_month)
    record({"query": "nouveau", "language": "fr", "need": "", "place": "", "results": 0}, today)

    page = client_for(curator).get(REPORT, {"month": f"{today:%Y-%m}"}).content.decode()
    assert "nouveau" in page and "ancien" not in page


def test_a_curator_adds_a_searched_phrase_as_a_need_keyword(
    client_for, curator, django_capture_on_commit_callbacks
):
    need = Category.objects.get(
        code=Category.objects.filter(parent__isnull=True).values("code")[:1]
    )
    record(
        {
            "query": "frigo solidaire du coin",
            "language": "fr",
            "need": "",
            "place": "",
            "results": 0,
        },
        days_ago(0),
    )
    query = Query.objects.get(query_string="frigo solidaire du coin")
    client = client_for(curator)

    form = client.get(f"/admin/search-demand/keyword/{query.pk}/?language=fr")
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/admin/search-demand/keyword/{query.pk}/",
            {"need": need.pk, "language": "fr", "next": REPORT + "?results=none"},
        )

    assert done.status_code == 302 and done["Location"] == REPORT + "?results=none"
    need.refresh_from_db()
    assert need.keywords_fr.endswith("frigo solidaire du coin")
    # Twice is once.
    client.post(f"/admin/search-demand/keyword/{query.pk}/", {"need": need.pk, "language": "fr"})
    need.refresh_from_db()
    assert need.keywords_fr.count("frigo solidaire du coin") == 1


def test_the_next_search_finds_the_keyword_added(
    client_for, curator, client, django_capture_on_commit_callbacks
):
    organisation = OrganisationFactory(name="Cuisine collective", description_fr="Cuisine")
    LocationFactory(organisation=organisation, municipality=territory("verdun"))
    need = Category.objects.filter(parent__isnull=False).first()
    ServiceFactory(organisation=organisation, categories=[need])
    search_index_rebuild()
    record(
        {"query": "frigo partage", "language": "fr", "need": "", "place": "", "results": 0},
        days_ago(0),
    )
    query = Query.objects.get(query_string="frigo partage")

    with django_capture_on_commit_callbacks(execute=True):
        client_for(curator).post(
            f"/admin/search-demand/keyword/{query.pk}/", {"need": need.pk, "language": "fr"}
        )
    client.logout()

    assert "Cuisine collective" in search(client, {"q": "frigo partage"}).content.decode()


def test_a_curator_sees_the_report_and_an_outsider_does_not(client_for, curator, editor, outsider):
    assert client_for(curator).get(REPORT).status_code == 200
    assert client_for(editor).get(REPORT).status_code == 200
    response = client_for(outsider).get(REPORT)
    assert response.status_code in (302, 403)


def test_prune_keeps_eighteen_months(db):
    today = date(2026, 12, 6)
    record(
        {"query": "vieux", "language": "fr", "need": "", "place": "", "results": 0},
        date(2025, 6, 5),
    )
    record(
        {"query": "limite", "language": "fr", "need": "", "place": "", "results": 0},
        date(2025, 6, 6),
    )
    record(
        {"query": "limite", "language": "fr", "need": "", "place": "", "results": 0},
        date(2025, 6, 4),
    )

    done = prune(today)

    assert done["rows"] == 2 and done["queries"] == 1
    assert not Query.objects.filter(query_string="vieux").exists()
    assert [row.date for row in demand("limite")] == [date(2025, 6, 6)]
    assert list(QueryDailyHits.objects.values_list("date", flat=True)) == [date(2025, 6, 6)]


def test_the_prune_command_runs(db):
    record(
        {"query": "vieux", "language": "fr", "need": "", "place": "", "results": 0},
        date(2000, 1, 1),
    )
    out = io.StringIO()
    call_command("search_demand_prune", stdout=out)
    assert "1 daily rows" in out.getvalue()
    assert not SearchDemand.objects.exists()


def test_a_query_pruned_since_it_was_remembered_is_counted_again(db):
    row = {"query": "vieux", "language": "fr", "need": "", "place": "", "results": 0}
    record(row, date(2000, 1, 1))
    prune()
    assert not Query.objects.filter(query_string="vieux").exists()
    assert "vieux" in search_demand._query_ids  # this process still remembers its id

    record(row, timezone.localdate())

    assert demand("vieux")[0].hits == 1
