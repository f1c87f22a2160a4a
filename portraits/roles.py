"""Who reads the 211's reports on requests (admin, exact figures): editors, administrators and
the agents' supervisors, by the permission ``REPORT``.

The reports count every request of a territory and a period, small figures included; they hold
nothing that identifies a person, but they are the 211's own management figures, not the
public's (the public portraits withhold small figures). Agents record requests and see their
own; curators keep the records: neither reads the reports unless given the permission, which
an administrator may grant any group (Wagtail's group editor lists it).
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from organisations.roles import ADMINISTRATORS, EDITORS

# Django's "view" permission of the monthly counts the reports read.
REPORT = "portraits.view_monthlyneedcount"
SUPERVISORS = "Supervisors"


def report_permission(using: str = "default") -> Permission:
    app_label, codename = REPORT.split(".")
    content_type = ContentType.objects.db_manager(using).get_by_natural_key(
        app_label, "monthlyneedcount"
    )
    return Permission.objects.using(using).get(content_type=content_type, codename=codename)


@transaction.atomic
def report_readers_ensure(*, using: str = "default") -> Group:
    """Give editors and administrators the reports; create or repair the Supervisors group
    (the admin, the reports, the requests); returns it. Idempotent: after every ``migrate``;
    permissions are added, never removed."""
    report = report_permission(using)
    for name in (EDITORS, ADMINISTRATORS):
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(report)
    supervisors, _created = Group.objects.using(using).get_or_create(name=SUPERVISORS)
    supervisors.permissions.add(
        report,
        Permission.objects.using(using).get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        ),
        Permission.objects.using(using).get(
            content_type__app_label="portraits", codename="view_request"
        ),
    )
    return supervisors
