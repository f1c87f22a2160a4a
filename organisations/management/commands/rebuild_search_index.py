"""Rebuild the public search's full-text index from the live records."""

import time

from django.core.management.base import BaseCommand

from organisations.search import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the public search index (after a restore or an import outside the app)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = search_index_rebuild()
        self.stdout.write(
            f"{count:,} organisations indexed in {time.perf_counter() - started:.1f} s."
        )
