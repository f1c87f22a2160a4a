"""Requests as the tests need them.

``given("montreal-nord", date(2025, 3, 4), "banques-alimentaires", ("demenagement", "unmet:cost"))``
records one request through the service an agent's screen uses, with its needs (a code: referred;
(code, "information") or (code, "unmet:<reason>")). ``counted(...)`` writes only the monthly
counts of many one-need requests, as imports and the demo do (``counts.Tally``): the public
figures and the reports read nothing else, and a year of them is written in a second."""

from datetime import date

from organisations.factories import category, territory
from portraits.counts import Tally, counts_apply
from portraits.services import NeedInput, request_record


def need(spec) -> NeedInput:
    code, result = (spec, "referred") if isinstance(spec, str) else spec
    outcome, _, reason = result.partition(":")
    return NeedInput(category=category(code), outcome=outcome, reason=reason)


def given(
    place: str | None,
    day: date,
    *needs,
    channel: str = "phone",
    language: str = "fr",
    times: int = 1,
    user=None,
):
    """Record ``times`` requests from ``place`` (a slug; ``None``: outside the region)."""
    where = territory(place) if place else None
    for _ in range(times):
        request_record(
            user=user,
            channel=channel,
            language=language,
            territory=where,
            needs=[need(spec) for spec in needs or ["banques-alimentaires"]],
            received_on=day,
        )


def counted(place: str, month: date, need: str, n: int, *, reason: str = "", tally=None) -> None:
    """``n`` one-need requests from ``place`` in ``month`` (unmet for ``reason`` when given),
    counted into ``tally`` when given (to write many at once with ``counts_apply``), else
    written now."""
    adding = tally if tally is not None else Tally()
    for _ in range(n):
        adding.add(
            received_on=month,
            territory_id=territory(place).pk,
            channel="phone",
            language="fr",
            age_band="",
            needs=[(category(need).pk, "unmet" if reason else "referred", reason)],
        )
    if tally is None:
        counts_apply(adding)
