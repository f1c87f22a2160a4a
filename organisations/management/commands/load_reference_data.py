from django.core.management.base import BaseCommand

from organisations.audit import audited
from organisations.models import AuditSource, Category, Territory
from organisations.reference import load_categories, load_territories


class Command(BaseCommand):
    help = "Load or refresh the CMM territory and the tree of needs (idempotent)."

    def handle(self, *args, **options):
        with audited(
            comment="load_reference_data",
            source=AuditSource.Source.COMMAND,
            reference="load_reference_data",
        ):
            territories = load_territories(Territory)
            categories = load_categories(Category)
        self.stdout.write(f"{territories} territories, {categories} categories up to date.")
