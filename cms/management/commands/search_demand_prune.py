"""Keep 18 months of search demand: delete the older daily counts, then the queries left with none.

Daily from cron (README): ``python manage.py search_demand_prune``.
"""

from django.core.management.base import BaseCommand

from cms.search_demand import KEEP_MONTHS, prune


class Command(BaseCommand):
    help = (
        "Delete the search demand's daily counts older than 18 months, and queries left with none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, default=KEEP_MONTHS, help="Months kept (default: %(default)s)."
        )

    def handle(self, *args, months: int, **options):
        done = prune(months=max(months, 1))
        self.stdout.write(
            f"{done['rows']} daily rows before {done['cutoff']:%Y-%m-%d} deleted, "
            f"{done['queries']} queries left with no count deleted."
        )
