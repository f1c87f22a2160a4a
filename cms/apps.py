from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self):
        # The records' public pages are this site's directory pages (organisations never
        # imports the site: it asks organisations.public_site, which this fills in).
        from organisations.public_site import directory_register

        from .models import DirectoryPage

        directory_register(DirectoryPage)
        # The site's two page trees are created after every migrate, so a fresh database
        # serves /fr/ and /en/ at once; site_ensure is idempotent.
        post_migrate.connect(_ensure_site, sender=self)
        # A page published, unpublished or moved changes what the public sees: the cached
        # public pages and the URLs the search remembers are stale (organisations.search).
        from wagtail.signals import page_published, page_unpublished, post_page_move

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(_public_changed, dispatch_uid="repertoire-public-version")
        # So does a page made private or public again (SearchPage remembers its restrictions).
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import PageViewRestriction

        for signal in (post_save, post_delete):
            signal.connect(
                _public_changed, sender=PageViewRestriction, dispatch_uid="repertoire-privacy"
            )


def _public_changed(sender, **kwargs):
    from organisations.search import public_version_bump

    public_version_bump()


def _ensure_site(sender, **kwargs):
    from django.contrib.contenttypes.models import ContentType

    from .models import site_ensure

    # After a flush (transactional tests) the cached content type ids point at deleted rows.
    ContentType.objects.clear_cache()

    site_ensure()
