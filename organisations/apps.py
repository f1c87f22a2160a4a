from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from wagtail.signals import published

        from . import audit
        from .models import Organisation

        audit.register_models()
        # Publication happens in Wagtail's own actions (the edit view, the workflow's last
        # approval, scheduled publishing); its signal is the one place that sees them all.
        published.connect(geocode_after_publish, sender=Organisation, dispatch_uid="geocode")


def geocode_after_publish(sender, instance, **kwargs):
    from .geocoding import organisation_geocode_later

    organisation_geocode_later(organisation=instance)
