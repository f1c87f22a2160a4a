"""Demo requests shaped like the 211 of Greater Montréal's annual report, so that ``make run``
shows living portraits (``manage.py seed_requests --years N``).

The report's figures for April to December 2018 set the shape:

- volumes: 26,840 communications and 50,392 needs expressed in 9 months (1.88 needs a
  communication), with the seasons of a 211 (July's moving day, winter's snow) and a few percent
  more each year;
- places: the top Montréal boroughs by requests (Rosemont–La Petite-Patrie 1,677,
  Mercier–Hochelaga-Maisonneuve 1,662, Ahuntsic-Cartierville 1,309…), the rest of the region by
  its weight, a few percent from outside the region;
- the nature of requests by category, and the top 10 unmet needs (transport-accompaniment 129,
  movers 91, home help 77, homeless shelters 42, home donation pickup 41, residential snow
  removal 36, temporary financial aid 25, food aid 24, respite care 20, support groups 16), each
  with the reasons that fit it among the seven.

Everything not in the report is a plausible guess, written here as weights. The same seed gives
the same requests. Rows are written in bulk a month at a time; the monthly counts are added up in
memory and written once (``counts.Tally``).
"""

import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock

from django.db import connection, transaction
from django.utils import timezone

from organisations.models import Category, Organisation, Service, Territory
from organisations.search import reference

from .counts import Tally, counts_apply
from .models import Channel, Need, Outcome, Reason, Referral, Request, Source

# The report's 9 months.
REPORT_MONTHS = 9
REPORT_COMMUNICATIONS = 26_840
REPORT_NEEDS = 50_392
YEARLY_GROWTH = 0.03

# Needs in one communication: 1 to 5, averaging the report's 1.88.
NEEDS_PER_REQUEST = ((1, 46), (2, 31), (3, 15), (4, 5), (5, 3))

# A 211's months (January first): July's moving day, the winter, the summer's lull.
SEASON = (1.04, 0.98, 1.0, 0.96, 1.02, 1.12, 1.16, 0.94, 0.95, 0.98, 0.99, 0.92)

# Communications per 9 months by place (slugs). The first three are the report's; the other
# Montréal boroughs follow its ranking down; elsewhere a weight by population. Places not
# listed weigh DEFAULT_PLACE_WEIGHT.
PLACE_WEIGHTS = {
    "rosemont-la-petite-patrie": 1677,
    "mercier-hochelaga-maisonneuve": 1662,
    "ahuntsic-cartierville": 1309,
    "villeray-saint-michel-parc-extension": 1240,
    "cote-des-neiges-notre-dame-de-grace": 1190,
    "le-plateau-mont-royal": 1020,
    "le-sud-ouest": 960,
    "ville-marie": 950,
    "montreal-nord": 930,
    "riviere-des-prairies-pointe-aux-trembles": 880,
    "saint-laurent": 690,
    "verdun": 650,
    "lasalle": 610,
    "saint-leonard": 560,
    "lachine": 440,
    "pierrefonds-roxboro": 420,
    "anjou": 370,
    "outremont": 140,
    "l-ile-bizard-sainte-genevieve": 70,
    "montreal": 420,  # Montréal, the borough not said
    "laval": 300,
    "chomedey": 520,
    "laval-des-rapides": 330,
    "pont-viau": 260,
    "vimont": 200,
    "duvernay": 190,
    "sainte-rose": 180,
    "fabreville": 230,
    "saint-francois": 110,
    "saint-vincent-de-paul": 150,
    "sainte-dorothee": 140,
    "auteuil": 110,
    "laval-ouest": 90,
    "iles-laval": 10,
    "laval-sur-le-lac": 10,
    "longueuil": 150,
    "le-vieux-longueuil": 880,
    "saint-hubert": 560,
    "greenfield-park": 190,
    "brossard": 260,
    "boucherville": 120,
    "terrebonne": 450,
    "repentigny": 300,
    "blainville": 190,
    "mascouche": 170,
    "saint-eustache": 170,
    "mirabel": 150,
    "sainte-therese": 120,
    "boisbriand": 110,
    "chateauguay": 250,
    "vaudreuil-dorion": 170,
    "chambly": 120,
    "saint-constant": 110,
    "la-prairie": 100,
    "sainte-julie": 100,
    "beloeil": 90,
    "candiac": 80,
    "varennes": 70,
    "dollard-des-ormeaux": 160,
    "pointe-claire": 110,
    "cote-saint-luc": 140,
    "dorval": 70,
    "westmount": 60,
    "mont-royal": 60,
    "montreal-est": 40,
}
DEFAULT_PLACE_WEIGHT = 25
OUTSIDE_SHARE = 0.04
# Places where most calls are in English.
ENGLISH_PLACES = {
    "cote-des-neiges-notre-dame-de-grace", "pierrefonds-roxboro", "dollard-des-ormeaux",
    "pointe-claire", "cote-saint-luc", "westmount", "dorval", "kirkland", "beaconsfield",
    "baie-d-urfe", "sainte-anne-de-bellevue", "senneville", "hampstead", "montreal-ouest",
    "greenfield-park", "l-ile-bizard-sainte-genevieve", "hudson",
}  # fmt: skip

# The nature of requests: each need's share of the needs expressed (families and the needs
# under them, as agents record them).
NEED_WEIGHTS = {
    "aide-alimentaire": 4.0,
    "banques-alimentaires": 7.2,
    "popote-roulante": 1.9,
    "cuisines-collectives": 0.9,
    "repas-communautaires": 1.9,
    "logement-hebergement": 3.0,
    "refuges-itinerance": 2.4,
    "hebergement-urgence": 1.8,
    "recherche-logement": 4.6,
    "droits-locataires": 2.0,
    "aide-domicile-repit": 1.0,
    "aide-domicile": 3.2,
    "repit-proches-aidants": 1.6,
    "transport-accompagnement": 1.2,
    "accompagnement-medical": 2.6,
    "transport-adapte": 1.4,
    "demenagement": 2.0,
    "aide-financiere": 3.0,
    "aide-financiere-temporaire": 4.8,
    "impots-budget": 2.8,
    "sante": 2.0,
    "sante-mentale": 5.2,
    "prevention-suicide": 0.8,
    "soins-sante": 2.4,
    "dependances": 2.0,
    "violence": 0.8,
    "violence-conjugale": 2.0,
    "maltraitance-aines": 0.6,
    "aide-juridique": 6.0,
    "emploi": 3.0,
    "immigration": 1.2,
    "francisation": 1.2,
    "accueil-immigrants": 1.9,
    "aines": 3.6,
    "jeunesse-famille": 1.4,
    "petite-enfance": 1.2,
    "jeunes": 1.3,
    "handicap": 2.0,
    "education": 1.6,
    "groupes-soutien": 2.0,
    "entretien-domicile": 0.4,
    "deneigement": 1.0,
    "menus-travaux": 0.8,
    "dons": 0.6,
    "cueillette-dons": 1.2,
    "comptoirs-vestimentaires": 2.0,
}
# Needs of a season: their weight is multiplied by the month's factor (January first).
NEED_SEASONS = {
    "demenagement": (0.6, 0.6, 0.8, 1.0, 1.6, 2.8, 3.0, 1.0, 0.7, 0.6, 0.6, 0.5),
    "recherche-logement": (0.8, 0.8, 0.9, 1.0, 1.4, 1.8, 1.7, 1.0, 0.9, 0.8, 0.8, 0.8),
    "deneigement": (2.8, 2.6, 1.6, 0.3, 0, 0, 0, 0, 0, 0.4, 1.8, 2.6),
    "refuges-itinerance": (1.5, 1.5, 1.2, 1.0, 0.8, 0.7, 0.7, 0.7, 0.8, 1.0, 1.2, 1.5),
}
# The report's top 10 unmet needs in its 9 months, with the reasons that fit each (weights);
# every other need goes unmet now and then (BACKGROUND_UNMET) for any reason.
UNMET = {
    "accompagnement-medical": (129, {"not_in_territory": 5, "cost": 2, "transport": 3, "schedule": 2}),
    "demenagement": (91, {"cost": 6, "not_in_territory": 3, "schedule": 2}),
    "aide-domicile": (77, {"waiting_list": 5, "eligibility": 3, "cost": 2}),
    "refuges-itinerance": (42, {"waiting_list": 7, "eligibility": 2, "language": 1}),
    "cueillette-dons": (41, {"not_in_territory": 7, "schedule": 2}),
    "deneigement": (36, {"cost": 4, "waiting_list": 3, "not_in_territory": 3}),
    "aide-financiere-temporaire": (25, {"eligibility": 7, "waiting_list": 2}),
    "aide-alimentaire": (24, {"schedule": 3, "eligibility": 3, "not_in_territory": 2, "transport": 2}),
    "repit-proches-aidants": (20, {"waiting_list": 6, "cost": 2, "not_in_territory": 2}),
    "groupes-soutien": (16, {"language": 4, "not_in_territory": 3, "schedule": 3}),
}  # fmt: skip
BACKGROUND_UNMET = 0.002
# Referrals are made for the last months only: nothing reads them but a request's own page, and
# they would double the rows to write.
REFERRAL_MONTHS = 3
REFERRED_SHARE = 0.72  # of the needs that were met; the rest: information only

CHANNELS = ((Channel.PHONE, 86), (Channel.CHAT, 6), (Channel.EMAIL, 6), (Channel.WALK_IN, 2))
OTHER_LANGUAGES = (
    ("es", 30), ("ar", 20), ("ht", 10), ("zh", 8), ("pt", 6), ("fa", 6), ("vi", 4), ("ru", 4),
    ("uk", 4), ("ta", 2), ("pa", 2), ("tl", 2), ("it", 1), ("lsq", 1), ("other", 5),
)  # fmt: skip
OTHER_LANGUAGE_SHARE = 0.05
AGE_BANDS = (
    ("", 45), ("0-17", 2), ("18-29", 8), ("30-44", 13), ("45-64", 16), ("65-74", 8), ("75+", 8)
)  # fmt: skip


class _Picker:
    """``pick()`` draws one value by weight (cumulative weights, bisected by ``random``)."""

    def __init__(self, rng: random.Random, pairs):
        self.rng = rng
        self.values = [value for value, _weight in pairs]
        weights = [weight for _value, weight in pairs]
        self.cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]

    def pick(self):
        return self.rng.choices(self.values, cum_weights=self.cumulative)[0]


def _months(years: int, today: date) -> list[date]:
    first = date(today.year - years, today.month, 1) + timedelta(days=32)
    first = first.replace(day=1)
    months, month = [], first
    while month <= today:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _days_in(month: date) -> int:
    return ((month + timedelta(days=32)).replace(day=1) - month).days


def demo_requests_seed(
    *,
    years: int,
    seed: int = 211,
    today: date | None = None,
    scale: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Make ``years`` years of requests up to ``today`` (the current month up to that day).
    Returns the counts and the seconds taken."""
    started = time.monotonic()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    territories = {t.slug: t.pk for t in Territory.objects.all()}
    categories = {c.code: c.pk for c in Category.objects.all()}
    places = _Picker(
        rng,
        [
            (pk, PLACE_WEIGHTS.get(slug, DEFAULT_PLACE_WEIGHT))
            for slug, pk in territories.items()
            if slug in PLACE_WEIGHTS or _is_local(slug)
        ],
    )
    english = {territories[slug] for slug in ENGLISH_PLACES if slug in territories}
    needs_count = _Picker(rng, NEEDS_PER_REQUEST)
    channels = _Picker(rng, CHANNELS)
    others = _Picker(rng, OTHER_LANGUAGES)
    ages = _Picker(rng, AGE_BANDS)
    month_needs = [
        _Picker(
            rng,
            [
                (categories[code], weight * NEED_SEASONS.get(code, (1,) * 12)[m])
                for code, weight in NEED_WEIGHTS.items()
                if code in categories
            ],
        )
        for m in range(12)
    ]
    unmet = _unmet_chances(categories, rng)
    offered = _offered(categories)
    known = reference()
    tally = Tally()
    per_month = REPORT_COMMUNICATIONS / REPORT_MONTHS * scale
    counts = {"requests": 0, "needs": 0, "referrals": 0, "unmet": 0}
    last_year = today.year
    months = _months(years, today)
    referrals_from = months[max(0, len(months) - REFERRAL_MONTHS)]
    for month in months:
        days = _days_in(month)
        upto = today.day if (month.year, month.month) == (today.year, today.month) else days
        growth = (1 + YEARLY_GROWTH) ** (month.year - last_year)
        wanted = per_month * SEASON[month.month - 1] * growth * upto / days
        volume = max(0, round(rng.gauss(wanted, wanted * 0.03)))
        requests, needs_by_request = [], []
        for _ in range(volume):
            territory_id = None if rng.random() < OUTSIDE_SHARE else places.pick()
            in_english = territory_id in english
            share = rng.random()
            if share < OTHER_LANGUAGE_SHARE:
                language = others.pick()
            elif share < (0.55 if in_english else 0.27) + OTHER_LANGUAGE_SHARE:
                language = "en"
            else:
                language = "fr"
            day = month.replace(day=rng.randint(1, upto))
            moment = timezone.make_aware(
                datetime.combine(day, clock(rng.randint(8, 19), rng.randint(0, 59)))
            )
            requests.append((day, channels.pick(), language, territory_id, ages.pick(), moment))
            chosen = []
            for _n in range(needs_count.pick()):
                category_id = month_needs[month.month - 1].pick()
                if category_id not in (c for c, _o, _r in chosen):
                    chosen.append(_outcome(category_id, unmet, rng))
            needs_by_request.append(chosen)
        with transaction.atomic():
            ids = _insert_requests(requests)
            needs = [
                (request_id, position, *need)
                for request_id, chosen in zip(ids, needs_by_request, strict=True)
                for position, need in enumerate(chosen)
            ]
            if month >= referrals_from:
                referrals = _insert_referred(needs, offered, rng)
            else:
                _insert(Need, ["request_id", "position", "category_id", "outcome", "reason"], needs)
                referrals = 0
        for (day, channel, language, territory_id, age_band, _m), chosen in zip(
            requests, needs_by_request, strict=True
        ):
            tally.add(
                received_on=day,
                territory_id=territory_id,
                channel=channel,
                language=language,
                age_band=age_band,
                needs=chosen,
                places=known.places,
            )
        counts["requests"] += len(requests)
        counts["needs"] += len(needs)
        counts["referrals"] += referrals
        counts["unmet"] += sum(1 for need in needs if need[3] == Outcome.UNMET)
        if progress and month.month == 12:
            progress(f"{month.year}: {counts['requests']:,} requests so far")
    insert_seconds = time.monotonic() - started
    with transaction.atomic():
        counts_apply(tally)
    counts["count_rows"] = len(tally.needs) + len(tally.requests)
    counts["insert_seconds"] = insert_seconds
    counts["seconds"] = time.monotonic() - started
    return counts


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Rows written as they are, in one prepared statement (Django's ``bulk_create`` builds
    SQL for each batch: two thirds of the time of a seed)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 (names from the model)
        f"({', '.join(quote(c) for c in columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _insert_requests(requests: list[tuple]) -> list[int]:
    """Write a month of requests and return their ids, in order: the ids after the largest one
    before (the seed is the only writer while it runs, inside its transaction)."""
    ops = connection.ops
    before = Request.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _insert(
        Request,
        ["received_on", "channel", "language", "territory_id", "age_band", "note", "source",
         "created_at", "updated_at"],
        [
            (ops.adapt_datefield_value(day), channel, language, territory_id, age_band, "",
             Source.DEMO, ops.adapt_datetimefield_value(moment),
             ops.adapt_datetimefield_value(moment))
            for day, channel, language, territory_id, age_band, moment in requests
        ],
    )  # fmt: skip
    ids = list(Request.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    if len(ids) != len(requests):
        raise RuntimeError("Requests were written by someone else during the seed.")
    return ids


def _insert_referred(needs: list[tuple], offered: dict, rng) -> int:
    """Write needs through the ORM (their ids are wanted) with referrals to organisations of
    the directory meeting them; returns how many referrals."""
    rows = Need.objects.bulk_create(
        [
            Need(request_id=r, position=p, category_id=c, outcome=o, reason=reason)
            for r, p, c, o, reason in needs
        ],
        batch_size=2_000,
    )
    referrals = []
    for need in rows:
        choices = offered.get(need.category_id) if need.outcome == Outcome.REFERRED else None
        if choices:
            for organisation_id, service_id, name in rng.sample(
                choices, min(len(choices), 1 + (rng.random() < 0.3))
            ):
                referrals.append(
                    Referral(
                        need=need,
                        organisation_id=organisation_id,
                        service_id=service_id,
                        organisation_name=name,
                    )
                )
    Referral.objects.bulk_create(referrals, batch_size=2_000)
    return len(referrals)


def _is_local(slug: str) -> bool:
    """Municipalities, boroughs and districts get a weight; sectors and the region do not
    (a request names a place)."""
    return not (slug.startswith("secteur-") or slug == "cmm")


def _unmet_chances(categories: dict[str, int], rng) -> dict[int, tuple[float, _Picker]]:
    """{need: (chance that it goes unmet, its reasons)}: the report's count over the volume of
    the need it implies."""
    total = sum(NEED_WEIGHTS.values())
    chances = {}
    for code, (count, reasons) in UNMET.items():
        if code not in categories:
            continue
        expected = REPORT_NEEDS * NEED_WEIGHTS[code] / total
        chances[categories[code]] = (min(count / expected, 0.6), _Picker(rng, reasons.items()))
    background = _Picker(rng, [(reason.value, 1) for reason in Reason])
    for pk in categories.values():
        chances.setdefault(pk, (BACKGROUND_UNMET, background))
    return chances


def _outcome(category_id: int, unmet: dict, rng) -> tuple[int, str, str]:
    chance, reasons = unmet[category_id]
    if rng.random() < chance:
        return (category_id, Outcome.UNMET.value, reasons.pick())
    if rng.random() < REFERRED_SHARE:
        return (category_id, Outcome.REFERRED.value, "")
    return (category_id, Outcome.INFORMATION.value, "")


def _offered(categories: dict[str, int]) -> dict[int, list[tuple[int, int, str]]]:
    """{need: [(organisation, service, name)]} of the live organisations whose services meet
    the need or a need under it (one query)."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    offered: dict[int, list] = {}
    rows = (
        Service.objects.filter(
            organisation__live=True, organisation__status=Organisation.Status.ACTIVE
        )
        .values_list("organisation_id", "pk", "organisation__name", "categories")
        .order_by("organisation_id", "pk")
    )
    for organisation_id, service_id, name, category_id in rows:
        if category_id is None:
            continue
        for pk in (category_id, parents.get(category_id)):
            if pk is not None:
                entries = offered.setdefault(pk, [])
                if not entries or entries[-1][0] != organisation_id:
                    entries.append((organisation_id, service_id, name))
    return offered
