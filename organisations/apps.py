from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "organisations"
    verbose_name = _("Organisations")

    def ready(self):
        from django.db.models.signals import post_migrate
        from wagtail.signals import published, unpublished

        from . import audit
        from .models import Organisation

        audit.register_models()
        # Publication happens in Wagtail's own actions (the edit view, the workflow's last
        # approval, scheduled publishing); its signal is the one place that sees them all.
        published.connect(after_publish, sender=Organisation, dispatch_uid="repertoire")
        unpublished.connect(after_unpublish, sender=Organisation, dispatch_uid="repertoire")
        post_migrate.connect(after_migrate, sender=self)
        # What the public sees changed: the open data packages are made again once it commits.
        from .hsds.package import data_package_refresh_later
        from .search import public_version_changed

        public_version_changed.connect(
            lambda sender, **kwargs: data_package_refresh_later(),
            weak=False,
            dispatch_uid="repertoire-open-data",
        )


def after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """A migration that changes what the public search index holds empties it: fill it again,
    with the code of today. Live records loaded without a revision get their live revision
    (organisations/revisions.py; one query when none is missing)."""
    from .revisions import live_revisions_ensure
    from .search import search_index_ensure

    if using == DEFAULT_DB_ALIAS:
        search_index_ensure()
        live_revisions_ensure()


def after_publish(sender, instance, **kwargs):
    from .quality.services import quality_recompute_later
    from .search import search_document_update
    from .services import organisation_geocode_later

    search_document_update(organisation_id=instance.pk)
    organisation_geocode_later(organisation=instance)
    quality_recompute_later(organisation_ids=[instance.pk])


def after_unpublish(sender, instance, **kwargs):
    from .search import search_document_update

    search_document_update(organisation_id=instance.pk)
