"""Geocode every location of a demo database against a Nominatim on loopback: prints the figures.

    .venv/bin/python tests/bench/bench_geocode.py [--organisations 6000]

A scratch SQLite database under ``.bench/`` is seeded, then ``manage.py geocode --all`` runs twice
with no minimum delay. The first run asks the loopback server once per distinct address (and once
more for the postal code of an address it does not know); the second must make no request at all.
"""

import argparse
import os
import sys
import time
import zlib
from io import StringIO
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATABASE = PROJECT_DIR / ".bench" / "geocode.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=6_000)
    args = parser.parse_args()

    sys.path.insert(0, str(PROJECT_DIR))
    from tests.nominatim import NominatimServer, place

    centres: dict[str, tuple[float, float]] = {}

    def resolver(params):
        """A plausible answer for any demo address: near the centre of the municipality named in
        the query, one address in twenty unknown (as real data has)."""
        query = params.get("q", "")
        digest = zlib.crc32(query.encode())
        parts = [p.strip() for p in query.split(",")]
        city = next((p for p in parts if p in centres), None)
        if city is None or digest % 20 == 0:
            return []
        lat, lon = centres[city]
        jitter_lat = ((digest >> 8) % 1000 - 500) / 50_000
        jitter_lon = ((digest >> 18) % 1000 - 500) / 40_000
        return [place(lat + jitter_lat, lon + jitter_lon, city=city)]

    server = NominatimServer(resolver=resolver).start()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DATABASE_URL": f"sqlite:///{DATABASE}",
            "GEOCODER": "nominatim",
            "GEOCODER_DOMAIN": server.domain,
            "GEOCODER_SCHEME": "http",
            "GEOCODER_MIN_DELAY_SECONDS": "0",
            "LOG_LEVEL": "ERROR",
        }
    )
    DATABASE.parent.mkdir(exist_ok=True)
    for leftover in DATABASE.parent.glob(f"{DATABASE.name}*"):
        leftover.unlink()

    import django

    django.setup()
    from django.core.management import call_command

    from organisations.demo import demo_seed
    from organisations.geocoding import get_geocoder
    from organisations.models import GeocodedAddress, Location, Territory

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    demo_seed(organisations=args.organisations, seed=211, drafts=0, index=False, stdout=StringIO())
    print(f"seed_demo --organisations {args.organisations}: {time.perf_counter() - started:.1f} s")
    centres.update(
        (t.name, t.centre) for t in Territory.objects.select_related("parent") if t.centre
    )

    locations = Location.objects.count()
    locked = Location.objects.filter(coordinates_locked=True).count()
    print(f"locations: {locations:,} ({locked:,} pins placed by hand, left alone)")
    geocoder = get_geocoder()
    for run in (1, 2):
        requests_before, hits_before = len(server.search_requests()), geocoder.stats.cache_hits
        output = StringIO()
        started = time.perf_counter()
        call_command("geocode", "--all", stdout=output, stderr=StringIO())
        seconds = time.perf_counter() - started
        requests = len(server.search_requests()) - requests_before
        hits = geocoder.stats.cache_hits - hits_before
        print(f"run {run}: {seconds:.1f} s, {requests:,} requests, {hits:,} cache hits")
        for line in output.getvalue().splitlines()[1:]:
            print(f"    {line.strip()}")
    print(f"cached answers: {GeocodedAddress.objects.count():,}")
    doubtful = Location.objects.exclude(geocode_doubt="").count()
    print(f"doubtful: {doubtful:,}")
    server.stop()
    if requests:
        print(f"FAIL: the second run made {requests} requests (expected 0)")
        sys.exit(1)


if __name__ == "__main__":
    main()
