"""``python manage.py review_tick``: run from cron (hourly or daily) or the task worker."""

from django.core.management.base import BaseCommand

from review.requests import review_tick


class Command(BaseCommand):
    help = (
        "Expire old update requests, try failed emails again and send the reminders due; "
        "running it again at once does nothing more."
    )

    def handle(self, *args, **options):
        tick = review_tick()
        self.stdout.write(
            f"{tick.expired} expired, {tick.retried} emails tried again, "
            f"{tick.reminded} reminders sent."
        )
