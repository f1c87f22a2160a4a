from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self):
        # The site's two page trees are created after every migrate, so a fresh database
        # serves /fr/ and /en/ at once; site_ensure is idempotent.
        post_migrate.connect(_ensure_site, sender=self)


def _ensure_site(sender, **kwargs):
    from django.contrib.contenttypes.models import ContentType

    from .models import site_ensure

    # After a flush (transactional tests) the cached content type ids point at deleted rows.
    ContentType.objects.clear_cache()

    site_ensure()
