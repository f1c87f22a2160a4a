"""Write the HSDS tabular data package: ``python manage.py export_hsds OUTPUT.zip [--lang en]``.

The public records only, as the API and the site's download give them (organisations/hsds/).
"""

import contextlib
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from organisations.hsds import LANGUAGES
from organisations.hsds.package import data_package_write


class Command(BaseCommand):
    help = "Write the public records as an Open Referral HSDS 3.0 tabular data package (zip)."

    def add_arguments(self, parser):
        parser.add_argument("output", help="OUTPUT.zip")
        parser.add_argument(
            "--lang", choices=LANGUAGES, default="fr", help="Language of the texts (default fr)."
        )

    def handle(self, *args, output, lang, **options):
        target = Path(output)
        # Written beside the target, then renamed: an interrupted export leaves no half file.
        partial = target.with_name(f".{target.name}.part")
        try:
            with open(partial, "wb") as stream:
                files = data_package_write(stream=stream, language=lang)
            os.replace(partial, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise CommandError(f"Cannot write {output}: {error.strerror or error}.") from None
        for name, rows in files.items():
            self.stdout.write(f"{name:32} {rows:>9,d}")
        size = target.stat().st_size
        self.stdout.write(
            f"{len(files)} files, {sum(files.values()):,d} rows, "
            f"{size / 1_000_000:.1f} MB written to {output}."
        )
