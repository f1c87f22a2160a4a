"""Where the yearly cycle stands: ``python manage.py review_status [--format json]``."""

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from review.selectors import review_status


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


class Command(BaseCommand):
    help = (
        "Print the coverage of the yearly cycle (active organisations verified in the last 12 "
        "months), what is overdue and due in 30, 60 and 90 days, by sector and by curator."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, format, **options):
        status = review_status()
        if format == "json":
            self.stdout.write(json.dumps(status.as_dict(), ensure_ascii=False, indent=2))
            return
        totals = status.totals
        write = self.stdout.write
        write(_("Yearly cycle on %(date)s") % {"date": status.today.isoformat()})
        write(
            _(
                "Coverage: %(coverage)s (%(verified)d of %(active)d active organisations verified in the last 12 months)"
            )
            % {
                "coverage": _percent(totals.coverage),
                "verified": totals.verified_12m,
                "active": totals.active,
            }
        )
        write(
            _(
                "Verified this cycle (since %(start)s): %(count)d; needed from now on: %(pace)d a month"
            )
            % {
                "start": status.cycle_start.isoformat(),
                "count": status.verified_this_cycle,
                "pace": status.needed_per_month,
            }
        )
        write(
            _(
                "Overdue: %(overdue)d · due within 30 days: %(d30)d, 60 days: %(d60)d, 90 days: %(d90)d"
            )
            % {
                "overdue": totals.overdue,
                "d30": totals.due_30,
                "d60": totals.due_60,
                "d90": totals.due_90,
            }
        )
        for title, rows in (
            (_("By sector"), [(name, counts) for name, counts in status.by_sector]),
            (_("By curator"), [(name, counts) for name, _pk, counts in status.by_curator]),
        ):
            write("")
            write(title)
            width = max((len(name) for name, _counts in rows), default=10)
            header = _("active · coverage · overdue · due 30/60/90")
            write(f"  {'':{width}}  {header}")
            for name, counts in rows:
                write(
                    f"  {name:{width}}  {counts.active:6d} · {_percent(counts.coverage):>7} · "
                    f"{counts.overdue:6d} · {counts.due_30}/{counts.due_60}/{counts.due_90}"
                )
