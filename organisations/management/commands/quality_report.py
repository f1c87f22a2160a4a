"""The stored quality results, for a person or a script."""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from organisations.models import DuplicatePair, Organisation, QualityRun
from organisations.quality.checks import CHECKS_BY_CODE
from organisations.quality.selectors import quality_counts


class Command(BaseCommand):
    help = _("Print the quality report (what the last checks found).")

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, format, **options):
        counts = quality_counts()
        last = QualityRun.objects.first()
        report = {
            "checked": last.checked
            if last
            else Organisation.objects.exclude(status=Organisation.Status.CLOSED).count(),
            "checked_at": last.finished_at.isoformat() if last else None,
            "by_check": counts["by_check"],
            "by_severity": counts["by_severity"],
            "severe": counts["records_with_severe"],
            "duplicates": DuplicatePair.objects.filter(status=DuplicatePair.Status.OPEN).count(),
        }
        if format == "json":
            self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
            return
        self.stdout.write(
            # Labels and counts: reads right for any number, in both languages.
            _(
                "Records checked: %(checked)d. With a severe problem: %(severe)d. Probable "
                "duplicates to decide: %(duplicates)d."
            )
            % report
        )
        for code, count in counts["by_check"].items():
            check = CHECKS_BY_CODE.get(code)
            label = str(check.message) if check else code
            self.stdout.write(f"{count:>7}  {code}: {label}")
