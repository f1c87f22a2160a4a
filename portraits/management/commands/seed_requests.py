"""Demo requests: ``python manage.py seed_requests --years N [--seed S] [--if-empty]``."""

from django.core.management.base import BaseCommand, CommandError

from portraits.demo import demo_requests_seed
from portraits.models import Request


class Command(BaseCommand):
    help = (
        "Make N years of demo requests shaped like the 211's annual report (volumes, boroughs, "
        "needs, unmet needs and their reasons), up to today."
    )

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, required=True, help="How many years, up to today.")
        parser.add_argument(
            "--seed", type=int, default=211, help="Random seed: the same seed gives the same data."
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Volume against the report's (26,840 communications in 9 months): 0.5 for half.",
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when requests are already there."
        )

    def handle(self, *args, years, seed, scale, if_empty, **options):
        if years < 1 or years > 20 or not 0 < scale <= 10:
            raise CommandError("--years goes from 1 to 20, --scale from 0 (excluded) to 10.")
        existing = Request.objects.count()
        if if_empty and existing:
            self.stdout.write(f"Requests already in the database ({existing:,}): none added.")
            return
        counts = demo_requests_seed(years=years, seed=seed, scale=scale, progress=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['requests']:,} requests, {counts['needs']:,} needs "
                f"({counts['unmet']:,} unmet), {counts['referrals']:,} referrals; "
                f"{counts['count_rows']:,} monthly count rows."
            )
        )
        self.stdout.write(
            f"{counts['seconds']:.1f} s (rows {counts['insert_seconds']:.1f} s, "
            f"counts {counts['seconds'] - counts['insert_seconds']:.1f} s)."
        )
