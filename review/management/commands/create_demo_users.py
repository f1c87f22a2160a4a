from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from review.services import ADMINISTRATORS, CURATORS, EDITORS

DEMO_USERS = [
    # username, first name, last name, group, superuser
    ("curatrice", "Nadia", "Curatrice", CURATORS, False),
    ("editrice", "Sophie", "Éditrice", EDITORS, False),
    ("admin", "Alex", "Administrateur", ADMINISTRATORS, True),
    # The information-and-referral agents' group is the portraits part's (portraits/services.py
    # AGENTS): named here, not imported, as review never imports portraits.
    ("agent", "Karim", "Agent", "Agents", False),
]


class Command(BaseCommand):
    help = "Create one demo user per role (curator, editor, administrator, agent) and print their credentials."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default="demo-211-repertoire", help="Password for all of them."
        )

    @transaction.atomic
    def handle(self, *args, password, **options):
        from django.conf import settings

        if not settings.DEBUG:
            # A well-known password must never reach a production database.
            raise CommandError("create_demo_users is for development (DEBUG on) only.")
        User = get_user_model()
        for username, first, last, group_name, superuser in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                },
            )
            if created:
                user.set_password(password)
            user.is_staff = superuser
            user.is_superuser = superuser
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
            self.stdout.write(
                f"  {group_name:<15} {username} / {password}"
                + ("" if created else "  (already there)")
            )
        self._fill_the_curators_queue(User.objects.get(username="curatrice"))

    def _fill_the_curators_queue(self, curator) -> None:
        """Nadia's queue: every third active record without a curator, so that "My queue" and
        the report's table by curator show something on a demo database."""
        from organisations.models import Organisation

        unassigned = Organisation.objects.filter(
            status=Organisation.Status.ACTIVE, assigned_curator=None
        ).order_by("pk")
        if Organisation.objects.filter(assigned_curator=curator).exists():
            return
        ids = list(unassigned.values_list("pk", flat=True))[::3]
        Organisation.objects.filter(pk__in=ids).update(assigned_curator=curator)
        self.stdout.write(f"  {len(ids)} records in {curator.get_full_name()}'s queue")
