"""``/sitemap.xml``: the public site's pages and every public organisation, in both languages.

URLs are built on the host the sitemap was asked for, like robots.txt's ``Sitemap:`` line, so
that the sitemap and the URLs it lists are always on the same host. Only addresses and dates:
nothing of a record's content, so nothing confidential, can be in it.
"""

from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.db.models import Q
from django.utils import translation
from wagtail.models import Page, Site

from organisations.selectors import public_organisations

from .models import DirectoryPage


class PageSitemap(Sitemap):
    """Every live, public page of the site, in every language: the French home page's tree and
    its translations' (one tree per language)."""

    def __init__(self, request):
        self.request = request

    def items(self):
        site = Site.find_for_request(self.request)  # the default site when no hostname matches
        if site is None:
            return Page.objects.none()
        trees = Q()
        for root in site.root_page.get_translations(inclusive=True):
            trees |= Q(path__startswith=root.path)
        return (
            Page.objects.live()
            .public()
            .filter(trees)
            .order_by("path")
            .defer_streamfields()
            .specific()
        )

    def location(self, page):
        # The path only: Django's view puts the request's scheme and host before it.
        _site_id, _root_url, path = page.get_url_parts(self.request)
        return path

    def lastmod(self, page):
        return page.last_published_at or page.latest_revision_created_at


class OrganisationSitemap(Sitemap):
    """Every public organisation (live and not closed) at its page in each language, with the
    other language as an alternate."""

    i18n = True
    alternates = True

    def __init__(self, request):
        self.request = request

    @cached_property
    def directory_paths(self) -> dict[str, str]:
        """The directory page's path in each language that has one: one query for the whole
        sitemap, where ``Organisation.get_public_url`` would cost two for every organisation."""
        paths = {}
        for page in DirectoryPage.objects.live().select_related("locale"):
            parts = page.get_url_parts(self.request)
            if parts and parts[2]:
                paths.setdefault(page.locale.language_code, parts[2])
        return paths

    def items(self):
        return public_organisations().only("slug", "updated_at").order_by("pk")

    def get_languages_for_item(self, item):
        return [code for code in self._languages() if code in self.directory_paths]

    def location(self, organisation):
        # Django's i18n sitemap activates each item's language around this call.
        return f"{self.directory_paths[translation.get_language()]}{organisation.slug}/"

    def lastmod(self, organisation):
        return organisation.updated_at
