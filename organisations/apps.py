from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from wagtail.signals import published, unpublished

        from . import audit
        from .models import Organisation

        audit.register_models()
        # Publication happens in Wagtail's own actions (the edit view, the workflow's last
        # approval, scheduled publishing); its signal is the one place that sees them all.
        published.connect(after_publish, sender=Organisation, dispatch_uid="repertoire")
        unpublished.connect(after_unpublish, sender=Organisation, dispatch_uid="repertoire")


def after_publish(sender, instance, **kwargs):
    from .geocoding import organisation_geocode_later
    from .search import search_document_update

    search_document_update(organisation_id=instance.pk)
    organisation_geocode_later(organisation=instance)


def after_unpublish(sender, instance, **kwargs):
    from .search import search_document_update

    search_document_update(organisation_id=instance.pk)
