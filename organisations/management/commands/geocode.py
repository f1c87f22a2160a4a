"""Geocode locations in bulk: ``manage.py geocode [--missing | --fallback | --doubtful | --all]``.

Resumable: every location is written as soon as it is placed, ``--missing`` only picks locations
whose address has no point yet, and the other selections skip what this run (or the interrupted
run named by ``--before``) already did. Answers are cached, so a re-run asks the provider nothing
it has already answered.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from organisations.geocoding import (
    OFFLINE,
    PUBLIC_NOMINATIM,
    get_geocoder,
    location_geocode,
    needs_geocoding,
)
from organisations.models import GeocodePrecision, Location
from organisations.search import search_document_update

CHUNK = 500
# Public Nominatim forbids bulk geocoding: above this, a self-hosted or paid provider is needed.
PUBLIC_BULK_LIMIT = 100


class Progress:
    """A progress bar on a terminal; a line every 10 % in a log. ``stream``: an OutputWrapper."""

    def __init__(self, total: int, stream):
        self.total, self.stream, self.done = total, stream, 0
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self._last_tenth = -1

    def step(self) -> None:
        self.done += 1
        share = self.done / self.total if self.total else 1
        if self.tty:
            elapsed = time.monotonic() - self.started
            rate = self.done / elapsed if elapsed else 0
            left = (self.total - self.done) / rate if rate else 0
            bar = "#" * int(share * 30)
            remaining = _("%(minutes)d min left") % {"minutes": left // 60}
            self.stream.write(
                ending="",
                msg=f"\r[{bar:<30}] {self.done:,}/{self.total:,} {share:4.0%}  "
                f"{rate:5.1f}/s  {remaining}  ",
            )
            if self.done == self.total:
                self.stream.write("")
            self.stream.flush()
        elif int(share * 10) != self._last_tenth:
            self._last_tenth = int(share * 10)
            self.stream.write(f"{self.done:,}/{self.total:,} ({share:.0%})")


class Command(BaseCommand):
    help = "Geocode locations: those without a point (default), or again by selection."

    def add_arguments(self, parser):
        selection = parser.add_mutually_exclusive_group()
        for flag, helptext in (
            ("missing", "locations with no point, or whose address changed (the default)"),
            ("fallback", "locations left at their municipality's centre (after going offline)"),
            ("doubtful", "locations whose point was flagged as doubtful"),
            ("all", "every location, except pins placed by hand"),
        ):
            selection.add_argument(
                f"--{flag}", dest="selection", action="store_const", const=flag, help=helptext
            )
        parser.set_defaults(selection="missing")
        parser.add_argument("--limit", type=int, help="stop after this many locations")
        parser.add_argument(
            "--before",
            help="only locations not geocoded since this moment (ISO 8601): continue an "
            "interrupted --all, --fallback or --doubtful run",
        )
        parser.add_argument(
            "--allow-public-bulk",
            action="store_true",
            help=f"allow more than {PUBLIC_BULK_LIMIT} requests to the public Nominatim",
        )

    def handle(self, *args, selection, limit, before, allow_public_bulk, **options):
        started = timezone.now()
        before = self._moment(before) if before else started
        geocoder = get_geocoder()
        due = self._due(selection, before)
        if limit is not None:
            due = due[: max(limit, 0)]
        self._check_policy(geocoder, len(due), allow_public_bulk)

        self.stdout.write(
            _("%(count)s locations to geocode with %(provider)s (%(selection)s).")
            % {"count": f"{len(due):,}", "provider": geocoder.name, "selection": selection}
        )
        requests_before, hits_before = geocoder.stats.requests, geocoder.stats.cache_hits
        outcomes = {"geocoded": 0, "cache": 0, "fallback": 0, "failed": 0}
        progress = Progress(len(due), self.stderr)
        try:
            for start in range(0, len(due), CHUNK):
                chunk = due[start : start + CHUNK]
                rows = Location.objects.filter(pk__in=chunk).select_related(
                    "municipality__parent__parent"
                )
                placed = set()
                for location in sorted(rows, key=lambda row: row.pk):
                    placement = location_geocode(
                        location=location, geocoder=geocoder, force=selection != "missing"
                    )
                    if placement:
                        outcomes[placement.outcome] += 1
                        placed.add(location.organisation_id)
                    progress.step()
                for organisation_id in sorted(placed):  # "near" and the public map
                    search_document_update(organisation_id=organisation_id)
        except KeyboardInterrupt:
            self.stdout.write("")
            self.stdout.write(
                self.style.WARNING(_("Interrupted. Run the same command again to continue:"))
            )
            resume = f"manage.py geocode --{selection}"
            if selection != "missing":
                resume += f" --before {before.isoformat()}"
            self.stdout.write(f"  {resume}")
            self._summary(outcomes, geocoder, requests_before, hits_before)
            raise SystemExit(130) from None
        self._summary(outcomes, geocoder, requests_before, hits_before)

    def _due(self, selection: str, before) -> list[int]:
        locations = Location.objects.filter(coordinates_locked=False).order_by("pk")
        if selection != "missing":
            locations = locations.exclude(geocoded_at__gte=before)
        if selection == "fallback":
            locations = locations.filter(
                geocode_source=OFFLINE,
                geocode_precision__in=[GeocodePrecision.MUNICIPALITY, GeocodePrecision.FAILED],
            )
        elif selection == "doubtful":
            locations = locations.exclude(geocode_doubt="")
        if selection != "missing":
            return list(locations.values_list("pk", flat=True))
        # Whether the address changed since it was geocoded is decided by the normalised key,
        # which only Python computes: read the few columns it needs, a chunk at a time.
        rows = locations.only(
            "pk",
            "street_address",
            "postal_code",
            "latitude",
            "geocode_precision",
            "geocoded_address",
            "coordinates_locked",
            "municipality",
        ).select_related("municipality__parent__parent")
        return [row.pk for row in rows.iterator(chunk_size=2000) if needs_geocoding(row)]

    def _check_policy(self, geocoder, count: int, allowed: bool) -> None:
        public = (
            geocoder.name == "nominatim"
            and getattr(geocoder.provider, "domain", "") == PUBLIC_NOMINATIM
        )
        if public and count > PUBLIC_BULK_LIMIT and not allowed:
            raise CommandError(
                _(
                    "%(count)s addresses is bulk geocoding, which the public Nominatim's usage "
                    "policy forbids. Set GEOCODER_DOMAIN to your own Nominatim (or choose another "
                    "provider with GEOCODER), use --limit, or pass --allow-public-bulk for a "
                    "one-time job at one request a second."
                )
                % {"count": f"{count:,}"}
            )

    def _moment(self, text: str):
        moment = parse_datetime(text)
        if moment is None:
            raise CommandError(_("--before: “%(value)s” is not a date and time.") % {"value": text})
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)

    def _summary(self, outcomes, geocoder, requests_before, hits_before) -> None:
        lines = [
            (_("geocoded by the provider"), outcomes["geocoded"]),
            (_("from the cache"), outcomes["cache"]),
            (_("at the municipality's centre (offline or not found)"), outcomes["fallback"]),
            (_("failed, to try again later"), outcomes["failed"]),
            (_("requests made"), geocoder.stats.requests - requests_before),
            (_("cache hits"), geocoder.stats.cache_hits - hits_before),
        ]
        width = max(len(label) for label, _count in lines)
        for label, count in lines:
            self.stdout.write(f"  {label:<{width}}  {count:>8,}")
