from django.core.management.base import BaseCommand, CommandError

from organisations.demo import DemoDataError, default_drafts, demo_seed
from organisations.models import Organisation
from organisations.quality.services import quality_run


class Command(BaseCommand):
    help = (
        "Fill the directory with realistic, reproducible demo organisations across the CMM "
        "(live records with services, locations, hours, phones and private contacts)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--organisations", type=int, required=True, help="How many organisations to create."
        )
        parser.add_argument(
            "--seed", type=int, default=211, help="Random seed: the same seed gives the same data."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already holds organisations.",
        )
        parser.add_argument(
            "--drafts",
            type=int,
            default=None,
            help="Organisations that also get a draft in the review workflow "
            "(default: about 1%% of them, at most 30; each sends workflow notifications).",
        )
        parser.add_argument(
            "--no-quality",
            action="store_true",
            help="Leave out the data-quality checks and the search for duplicates "
            "(`manage.py quality_run` does them later).",
        )
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="Leave the new records out of Wagtail's search index (admin search); "
            "`manage.py update_index` adds them later.",
        )

    def handle(self, *args, organisations, seed, if_empty, drafts, no_index, no_quality, **options):
        if organisations < 0 or (drafts is not None and drafts < 0):
            raise CommandError("--organisations and --drafts cannot be negative.")
        existing = Organisation.objects.count()
        if if_empty and existing:
            self.stdout.write(
                f"Organisations already in the database ({existing:,}): no demo data added."
            )
            return
        if existing:
            # Adding is what a developer who asks for more data on a non-empty database wants;
            # slugs and UUIDs stay unique (see demo_seed).
            self.stdout.write(f"Adding to the organisations already there ({existing:,}).")
        drafts = default_drafts(organisations) if drafts is None else drafts
        try:
            counts = demo_seed(
                organisations=organisations,
                seed=seed,
                drafts=drafts,
                index=not no_index,
                stdout=self.stdout,
            )
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{counts['organisations']:,} organisations, {counts['services']:,} services, "
                f"{counts['locations']:,} locations, {counts['phones']:,} phones, "
                f"{counts['hours']:,} opening hours, {counts['contacts']:,} contacts; "
                f"{counts['drafts']} drafts submitted for review."
            )
        )
        index_note = (
            f"search index {counts['index_seconds']:.1f} s"
            if not no_index
            else "search index skipped (run update_index)"
        )
        self.stdout.write(
            f"{counts['seconds']:.1f} s (generation and inserts {counts['insert_seconds']:.1f} s, "
            f"{index_note})."
        )
        if not no_quality:
            # A demo shows the quality panel, the report and the probable duplicates filled in,
            # as the nightly quality_run leaves them in production.
            run = quality_run(duplicates=True)
            self.stdout.write(
                f"Data quality: {run.checked:,} records checked, {run.records_with_severe:,} with "
                f"a severe problem, {run.duplicates:,} probable duplicates ({run.seconds} s)."
            )
