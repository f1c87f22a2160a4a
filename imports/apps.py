from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Imports and exports")

    def ready(self):
        import reversion

        from organisations.audit import FORMAT

        from .models import MappingProfile

        # A profile's edits are in the audit log, like the records it feeds.
        reversion.register(MappingProfile, format=FORMAT)
