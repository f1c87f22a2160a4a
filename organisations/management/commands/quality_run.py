"""Check every record and look for duplicates (nightly, from cron)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from organisations.quality.services import quality_run


class Command(BaseCommand):
    help = _("Check every record for quality problems and probable duplicates.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-duplicates", action="store_true", help=_("Leave out the search for duplicates.")
        )

    def handle(self, *args, no_duplicates, **options):
        run = quality_run(duplicates=not no_duplicates)
        self.stdout.write(
            # Labels and counts: reads right for any number, in both languages.
            _(
                "Records checked: %(checked)d (%(seconds)s s). With a severe problem: "
                "%(severe)d. Probable duplicates: %(duplicates)d."
            )
            % {
                "checked": run.checked,
                "seconds": run.seconds,
                "severe": run.records_with_severe,
                "duplicates": run.duplicates,
            }
        )
