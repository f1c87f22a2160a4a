from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from organisations.models import AuditSource
from organisations.services import RecoveryError, deleted_organisations, organisation_recover


class Command(BaseCommand):
    help = (
        "List organisations deleted for good, or bring one back from the audit log "
        "(django-reversion) with all its services, locations, hours, phones and contacts."
    )

    def add_arguments(self, parser):
        parser.add_argument("version", nargs="?", type=int, help="The number shown by --list.")
        parser.add_argument("--list", action="store_true", help="List what can be recovered.")
        parser.add_argument("--user", help="Username to record as the one who recovered it.")

    def handle(self, *args, version=None, list=False, user=None, **options):
        if list or version is None:
            rows = deleted_organisations()[:200]
            if not rows:
                self.stdout.write("No deleted organisation can be recovered.")
            for row in rows:
                who = row.revision.user or "?"
                self.stdout.write(
                    f"{row.pk:>8}  {row.revision.date_created:%Y-%m-%d %H:%M}  {who}  {row.object_repr}"
                )
            return
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {user!r}.") from None
        try:
            organisation = organisation_recover(
                version_id=version, user=actor, source=AuditSource.Source.COMMAND
            )
        except RecoveryError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Recovered “{organisation}” (id {organisation.pk}).")
