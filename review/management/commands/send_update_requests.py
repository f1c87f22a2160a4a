"""``python manage.py send_update_requests [--due-within DAYS] [--dry-run]``"""

from django.core.management.base import BaseCommand

from review.requests import due_organisations, requests_create


class Command(BaseCommand):
    help = (
        "Email each active organisation due for its yearly check within DAYS (or never verified), "
        "and without a request under way, a link to its own record, in its language."
    )

    def add_arguments(self, parser):
        parser.add_argument("--due-within", type=int, default=60, metavar="DAYS")
        parser.add_argument(
            "--dry-run", action="store_true", help="say what would be sent; send and write nothing"
        )

    def handle(self, *args, due_within, dry_run, **options):
        organisations = list(due_organisations(within_days=due_within))
        outcome = requests_create(organisations, dry_run=dry_run)
        verb = "would be asked" if dry_run else "asked"
        self.stdout.write(f"{len(outcome.requested)} organisations {verb} to check their record.")
        if outcome.no_email:
            self.stdout.write(
                f"{len(outcome.no_email)} have no contact email for updating (phone them):"
            )
            for organisation in outcome.no_email:
                phone = organisation.update_contact_phone or "-"
                self.stdout.write(f"  {organisation.name} · {phone}")
