"""The monthly counts again from the requests: ``python manage.py recount_requests``.

They are kept in step on every write; this is for after a restore, or to check them."""

from django.core.management.base import BaseCommand

from portraits.counts import counts_rebuild


class Command(BaseCommand):
    help = "Count every request again into the monthly counts the reports and portraits read."

    def handle(self, *args, **options):
        requests, needs = counts_rebuild()
        self.stdout.write(self.style.SUCCESS(f"{requests:,} requests and {needs:,} needs counted."))
