"""The demo requests follow the annual report's shape, and their counts are those of their rows."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from portraits.counts import counts_rebuild
from portraits.demo import demo_requests_seed
from portraits.models import MonthlyNeedCount, MonthlyRequestCount, Need, Request

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 6)


@pytest.fixture
def seeded():
    return demo_requests_seed(years=1, seed=7, today=TODAY, scale=0.3)


def test_the_volumes_follow_the_report(seeded):
    # 26,840 communications in 9 months, here at 30 %: about 10,700 in a year.
    assert 9_500 < seeded["requests"] < 12_000
    # 50,392 needs for 26,840 communications: 1.88 each (a need drawn twice in a call counts once).
    assert 1.75 < seeded["needs"] / seeded["requests"] < 1.95
    assert Request.objects.count() == seeded["requests"]
    assert max(Request.objects.values_list("received_on", flat=True)) <= TODAY
    assert min(Request.objects.values_list("received_on", flat=True)) >= date(2026, 1, 1)


def test_the_boroughs_rank_as_in_the_report(seeded):
    boroughs = (
        MonthlyRequestCount.objects.filter(
            territory__kind="borough", territory__parent__slug="montreal"
        )
        .values_list("territory__slug")
        .annotate(n=Sum("count"))
        .order_by("-n")
    )
    top = [slug for slug, _n in boroughs[:4]]
    assert set(top[:2]) == {"rosemont-la-petite-patrie", "mercier-hochelaga-maisonneuve"}
    assert "ahuntsic-cartierville" in top


def test_the_unmet_needs_are_the_reports_with_their_reasons(seeded):
    unmet = Counter(Need.objects.filter(outcome="unmet").values_list("category__code", flat=True))
    top = [code for code, _n in unmet.most_common(3)]
    assert top[0] == "accompagnement-medical"
    assert "demenagement" in top
    shelters = Counter(
        Need.objects.filter(outcome="unmet", category__code="refuges-itinerance").values_list(
            "reason", flat=True
        )
    )
    assert shelters.most_common(1)[0][0] == "waiting_list"
    # Unmet needs are a small share, as in the report (about 1 %).
    assert 0.005 < sum(unmet.values()) / seeded["needs"] < 0.03


def test_snow_removal_is_asked_in_winter_and_movers_in_summer(seeded):
    def month_of(code):
        return Counter(
            d.month
            for d in Need.objects.filter(category__code=code).values_list(
                "request__received_on", flat=True
            )
        )

    snow, movers = month_of("deneigement"), month_of("demenagement")
    assert snow[7] == 0 and snow[1] > 50
    assert movers[7] > 2 * movers[11]


def test_the_seed_counts_are_those_of_its_rows(seeded):
    kept = sorted(map(str, MonthlyNeedCount.objects.values_list(*MonthlyNeedCount.KEY, "count")))
    assert counts_rebuild() == (seeded["requests"], seeded["needs"])
    again = sorted(map(str, MonthlyNeedCount.objects.values_list(*MonthlyNeedCount.KEY, "count")))
    assert again == kept


def test_the_same_seed_gives_the_same_requests():
    first = demo_requests_seed(years=1, seed=3, today=TODAY, scale=0.02)
    shape = list(
        Request.objects.order_by("pk").values_list("received_on", "territory_id", "language")
    )
    Need.objects.all().delete()
    Request.objects.all().delete()
    second = demo_requests_seed(years=1, seed=3, today=TODAY, scale=0.02)
    assert (first["requests"], first["needs"]) == (second["requests"], second["needs"])
    assert (
        list(Request.objects.order_by("pk").values_list("received_on", "territory_id", "language"))
        == shape
    )


def test_the_command_adds_nothing_to_requests_already_there():
    out = StringIO()
    call_command("seed_requests", "--years", "1", "--scale", "0.01", stdout=out)
    count = Request.objects.count()
    assert count > 0 and "requests" in out.getvalue()
    call_command("seed_requests", "--years", "1", "--scale", "0.01", "--if-empty", stdout=out)
    assert Request.objects.count() == count
