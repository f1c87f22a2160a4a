from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortraitsConfig(AppConfig):
    name = "portraits"
    verbose_name = _("Portraits of needs")

    def ready(self):
        import reversion

        from organisations.audit import FORMAT

        from .models import Need, Referral, Request, RequestImport

        # No ``follow``: a request's needs and referrals are written in bulk and added to the
        # revision by the service (portraits/services.py), so that the audit costs the same
        # few queries whatever the number of needs.
        for model in (Request, Need, Referral, RequestImport):
            reversion.register(model, format=FORMAT)
        # The agents' role, after every migrate, like review's roles (idempotent).
        post_migrate.connect(_ensure_role, sender=self)


def _ensure_role(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    from .roles import report_readers_ensure
    from .services import agents_role_ensure

    agents_role_ensure(using=using)
    report_readers_ensure(using=using)
