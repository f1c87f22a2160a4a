"""Bring in past requests: ``python manage.py import_requests FILE [--dry-run]``.

The file (xlsx or csv, the layout in docs/requests-import.md) is checked whole first. One row in
error refuses it: the problems are listed by row, nothing is written, and the command ends with
status 1. ``--dry-run`` checks and writes nothing.
"""

import getpass
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portraits.importing import requests_import
from portraits.models import Outcome


class Command(BaseCommand):
    help = "Import past requests (one row per need) from the call system's export, xlsx or csv."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args, file, dry_run, **options):
        if not os.path.isfile(file):
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        checked = requests_import(file, imported_by=_who(), dry_run=dry_run)
        if checked.refused:
            raise CommandError(checked.refused)
        for note in checked.notes:
            self.stdout.write(note)
        if checked.error_count:
            for error in checked.errors:
                self.stderr.write(error)
            if checked.error_count > len(checked.errors):
                self.stderr.write(
                    _("… and %(count)s more.")
                    % {"count": checked.error_count - len(checked.errors)}
                )
            raise CommandError(
                ngettext(
                    "File refused: %(count)s row error. Nothing was imported.",
                    "File refused: %(count)s row errors. Nothing was imported.",
                    checked.error_count,
                )
                % {"count": checked.error_count}
            )
        summary = _(
            "%(requests)s requests, %(needs)s needs, from %(first)s to %(last)s "
            "(referred %(referred)s, information only %(information)s, unmet %(unmet)s)."
        ) % {
            "requests": len(checked.requests),
            "needs": checked.needs,
            "first": checked.first_day.isoformat(),
            "last": checked.last_day.isoformat(),
            "referred": checked.outcomes[Outcome.REFERRED],
            "information": checked.outcomes[Outcome.INFORMATION],
            "unmet": checked.outcomes[Outcome.UNMET],
        }
        self.stdout.write(summary)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported.")))


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
