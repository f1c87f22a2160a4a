from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Review and publication")

    def ready(self):
        # Like Django's own permissions, the roles and the workflow are set up after every
        # migrate, so a fresh database is usable at once; the service is idempotent.
        post_migrate.connect(_ensure_roles, sender=self)
        # A publication is an interim change of the record, and approves the organisation's
        # proposal whose revision it publishes.
        from wagtail.signals import published

        from organisations.models import Organisation

        published.connect(_after_publish, sender=Organisation, dispatch_uid="review")


def _ensure_roles(sender, using="default", **kwargs):
    from .services import roles_and_workflow_ensure

    roles_and_workflow_ensure(using=using)


def _after_publish(sender, instance, revision=None, **kwargs):
    from .proposals import proposals_published
    from .services import interim_change_record

    # A publication changes the record between two yearly updates; only a verification (a
    # person confirming it, services.verification_record) moves "last verified".
    interim_change_record(organisation=instance)
    proposals_published(organisation=instance, revision=revision)
