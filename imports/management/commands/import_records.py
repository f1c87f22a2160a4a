"""Import a partner's file: ``python manage.py import_records FILE --profile NAME [--dry-run]``.

The file is always checked first. Without ``--dry-run`` the new organisations and the updates
are then applied as drafts submitted to the review workflow; probable matches are never applied
from the command line (a person confirms them in the admin, on the batch's page). Exit status 0
when the file was read, even with row errors; 1 with a one-line message when it could not be.
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imports.services import (
    ImportRefused,
    batch_apply,
    batch_check,
    batch_create,
    batch_report,
    profile_get,
)


class Command(BaseCommand):
    help = "Check a partner's spreadsheet (xlsx, csv, ods) and, unless --dry-run, apply it."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--profile", default="default", help="Mapping profile's short name.")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish at once instead of submitting the changes to review (logged).",
        )

    def handle(self, *args, file, profile, dry_run, format, publish, **options):
        if not os.path.isfile(file):
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        try:
            profile = profile_get(profile)
            with open(file, "rb") as stream:
                batch = batch_create(
                    file=stream,
                    filename=os.path.basename(file),
                    profile=profile,
                    publish_directly=publish,
                )
        except ImportRefused as error:
            raise CommandError(str(error)) from None
        batch = batch_check(batch=batch)
        if batch.status == batch.Status.UNREADABLE:
            raise CommandError(batch.message)
        if not dry_run:
            batch = batch_apply(batch=batch)
        report = batch_report(batch)
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        write = self.stdout.write
        write(
            _(
                "%(rows)d rows read: %(new)d new, %(updated)d updated, %(unchanged)d unchanged, "
                "%(probable)d probable matches, %(duplicates)d repeated, %(in_review)d already "
                "in review, %(errors)d errors."
            )
            % {
                "rows": report["rows"],
                "new": report["new"],
                "updated": report["updated"],
                "unchanged": report["unchanged"],
                "probable": report["probable_matches"],
                "duplicates": report["duplicates"],
                "in_review": report["in_review"],
                "errors": len(report["errors"]),
            }
        )
        for note in report["notes"]:
            write(note)
        for error in report["errors"]:
            write(_("Row %(row)s, column “%(column)s”, value “%(value)s”: %(message)s") % error)
        if dry_run:
            write(_("Dry run: nothing was written. Batch %(batch)s.") % {"batch": report["batch"]})
        elif batch.status == batch.Status.FAILED:
            raise CommandError(batch.message)
        else:
            write(
                ngettext(
                    "%(count)d organisation written. Batch %(batch)s.",
                    "%(count)d organisations written. Batch %(batch)s.",
                    report["applied"],
                )
                % {"count": report["applied"], "batch": report["batch"]}
            )
