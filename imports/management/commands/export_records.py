"""Export organisations in the default layout: ``python manage.py export_records OUT.xlsx``.

The file is what ``import_records --profile default`` reads back (docs/imports.md). The private
contact for updating and confidential addresses are left blank unless ``--confidential``.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from imports.exports import records_export
from organisations.models import Organisation


class Command(BaseCommand):
    help = "Export organisations to xlsx or csv in the layout the default import profile reads."

    def add_arguments(self, parser):
        parser.add_argument("output", help="OUTPUT.xlsx or OUTPUT.csv")
        parser.add_argument(
            "--confidential",
            action="store_true",
            help="Include confidential addresses and the private contact for updating.",
        )
        parser.add_argument(
            "--include-closed", action="store_true", help="Include archived organisations."
        )

    def handle(self, *args, output, confidential, include_closed, **options):
        format = output.rsplit(".", 1)[-1].lower()
        if format not in ("xlsx", "csv"):
            raise CommandError(_("The output file must end in .xlsx or .csv."))
        queryset = Organisation.objects.all()
        if not include_closed:
            queryset = queryset.exclude(status=Organisation.Status.CLOSED)
        with open(output, "wb") as stream:
            records_export(queryset, format=format, stream=stream, confidential=confidential)
        count = queryset.count()
        self.stdout.write(
            ngettext(
                "%(count)d organisation written to %(file)s.",
                "%(count)d organisations written to %(file)s.",
                count,
            )
            % {"count": count, "file": output}
        )
