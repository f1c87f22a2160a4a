"""Check the websites due for a check (daily, from cron): ``manage.py check_links``."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organisations.quality.links import links_check_due


class Command(BaseCommand):
    help = _(
        "Check whether the organisations' websites still answer, the ones not checked for a "
        "while first, at a polite pace."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit",
            type=int,
            help=_("Check at most this many websites (default: REPERTOIRE_LINK_CHECK_BATCH, %s).")
            % settings.REPERTOIRE_LINK_CHECK_BATCH,
        )
        parser.add_argument(
            "--max-age-days",
            type=int,
            help=_(
                "Check the websites not checked for this many days, and those never checked "
                "(default: REPERTOIRE_LINK_CHECK_MAX_AGE_DAYS, %s)."
            )
            % settings.REPERTOIRE_LINK_CHECK_MAX_AGE_DAYS,
        )

    def handle(self, *args, limit, max_age_days, **options):
        counts = links_check_due(limit=limit, min_age_days=max_age_days)
        # One plural per sentence: the other counts follow a colon, where no noun agrees.
        self.stdout.write(
            ngettext(
                "%(checked)d website checked: %(ok)d OK, %(broken)d broken.",
                "%(checked)d websites checked: %(ok)d OK, %(broken)d broken.",
                counts["checked"],
            )
            % counts
        )
        self.stdout.write(
            ngettext(
                "%(changed)d answer changed since the last check; records queued for a quality "
                "check: %(records)d.",
                "%(changed)d answers changed since the last check; records queued for a quality "
                "check: %(records)d.",
                counts["changed"],
            )
            % counts
        )
        if counts["failed"]:
            self.stdout.write(
                self.style.WARNING(
                    ngettext(
                        "%(failed)d check failed on our side (see the log).",
                        "%(failed)d checks failed on our side (see the log).",
                        counts["failed"],
                    )
                    % counts
                )
            )
