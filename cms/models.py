"""The public site's pages.

One page tree per language (Wagtail's i18n: ``/fr/`` and ``/en/``), so each page has a slug in its
own language: the directory is ``/fr/organismes/`` and ``/en/organisations/``. The directory page
serves every live organisation at ``<directory>/<slug>/`` through a route, so organisations stay
snippets (one record, one workflow) rather than pages.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Locale, Page

from organisations import search, selectors
from organisations.models import Category

from . import search_page
from .cache import cached_for_anonymous
from .search_demand import SearchDemand  # noqa: F401  (the model lives with its counting)
from .search_promotions import OrganisationPromotion, promoted_first  # noqa: F401


def alternate_language_urls(page: Page, suffix: str = "") -> dict[str, str]:
    """The URL of this page (plus a route ``suffix``) in each language that has it."""
    urls = {}
    for translated in page.get_translations(inclusive=True).live().select_related("locale"):
        url = translated.get_url()
        if url:
            urls[translated.locale.language_code] = url + suffix
    return urls


class HomePage(Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["cms.DirectoryPage", "cms.SearchPage", "cms.ContentPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["directory"] = DirectoryPage.objects.live().filter(locale=self.locale).first()
        context["search_page"] = SearchPage.objects.live().filter(locale=self.locale).first()
        context["needs"] = Category.objects.filter(parent__isnull=True).order_by("sort_order")
        context["alternates"] = alternate_language_urls(self)
        return context


class OnePerLanguage:
    """A page the site has once in each language."""

    @classmethod
    def for_language(cls, language: str | None = None):
        """The live page of this type in ``language`` (the active language by default)."""
        language = (language or translation.get_language() or "fr")[:2]
        return cls.objects.live().filter(locale__language_code=language).first()


class DirectoryPage(OnePerLanguage, RoutablePageMixin, Page):
    """The directory: an index of live organisations and one page per organisation."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = []
    parent_page_types = ["cms.HomePage"]
    max_count_per_parent = 1

    PAGE_SIZE = 50

    class Meta:
        verbose_name = _("directory page")

    @classmethod
    def organisation_url(cls, slug: str, language: str | None = None) -> str | None:
        page = cls.for_language(language)
        if page is None:
            return None
        with translation.override(page.locale.language_code):
            base = page.get_url()
        return f"{base}{slug}/" if base else None

    @path("")
    def index_route(self, request):
        paginator = Paginator(selectors.organisations_for_directory_index(), self.PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
        return self.render(
            request,
            context_overrides={
                "page_obj": page_obj,
                "alternates": alternate_language_urls(self),
            },
        )

    @path("<slug:slug>/")
    def organisation_route(self, request, slug):
        return cached_for_anonymous(request, lambda: self._organisation_page(request, slug))

    @classmethod
    def organisation_context(cls, organisation, *, preview: bool = False) -> dict:
        """What an organisation's page shows; the admin's preview of a record shows the same
        (organisations.public_site)."""
        return selectors.organisation_public_context(organisation, preview=preview)

    def _organisation_page(self, request, slug):
        organisation = selectors.organisation_for_public_page(slug)
        if organisation is None:
            raise Http404
        context = self.organisation_context(organisation)
        context["alternates"] = alternate_language_urls(self, suffix=f"{slug}/")
        # The public's suggestions go to the review (the record's template knows nothing of it).
        context["suggestion_url"] = reverse("review:suggestion_create", args=[slug])
        return self.render(
            request,
            template="organisations/organisation_detail.html",
            context_overrides=context,
        )


class SearchPage(OnePerLanguage, Page):
    """The public search: ``/fr/recherche/`` and ``/en/search/``, every search a shareable URL.

    Parameters have a French and an English name (``categorie``/``category``, ``territoire``/
    ``area``, ``pres``/``near``, ``rayon``/``radius``), both accepted in either language.
    """

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = []
    parent_page_types = ["cms.HomePage"]
    max_count_per_parent = 1

    PAGE_SIZE = 20

    class Meta:
        verbose_name = _("search page")

    def get_view_restrictions(self):
        """Wagtail's privacy settings for this page, read once per public version (a change to
        a restriction bumps it, cms/apps.py): the search page checks them on every request."""
        restrictions = super().get_view_restrictions
        return search.reference().memo(("view_restrictions", self.pk), lambda: list(restrictions()))

    def serve(self, request, *args, **kwargs):
        def build():
            context = self.get_context(request, *args, **kwargs)
            context.update(search_page.search_context(request))
            page_obj = context.get("page_obj")
            if page_obj is not None and page_obj.number == 1:
                # Promoted for these words by the 211's team, first on page 1 only.
                context.update(
                    promoted_first(
                        context["rows"],
                        context["typed"],
                        (translation.get_language() or "fr")[:2],
                        search_page.known_for(request),
                        context["results"].distances,
                        context["search"].near,
                    )
                )
            # The language switcher keeps the search: both languages accept both names.
            query = request.GET.urlencode()
            suffix = f"?{query}" if query else ""
            alternates = search_page.known_for(request).memo(
                ("alternates", self.pk), lambda: alternate_language_urls(self)
            )
            context["alternates"] = {code: url + suffix for code, url in alternates.items()}
            return TemplateResponse(request, self.get_template(request), context)

        return cached_for_anonymous(request, build)


class ContentPage(Page):
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]

    class Meta:
        verbose_name = _("content page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["alternates"] = alternate_language_urls(self)
        return context


def site_ensure() -> HomePage:
    """Create the two locales, the home and directory pages in French and English, and point the
    default site at them. Idempotent: run after every migrate."""
    from wagtail.models import Site

    fr, _created = Locale.objects.get_or_create(language_code="fr")
    en, _created = Locale.objects.get_or_create(language_code="en")
    root = Page.get_first_root_node()
    if root is None:  # a flushed database: Wagtail's migration made the root, nothing remakes it
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=fr))

    home_fr = HomePage.objects.filter(locale=fr).first()
    if home_fr is None:
        # Wagtail's own migration leaves a placeholder "Welcome" page; ours replaces it.
        Page.objects.filter(
            depth=2, content_type__model="page", content_type__app_label="wagtailcore"
        ).delete()
        root.refresh_from_db()
        home_fr = root.add_child(
            instance=HomePage(
                title="Répertoire des ressources communautaires",
                slug="accueil",
                locale=fr,
                intro="<p>Trouvez un organisme communautaire près de chez vous, dans la région de Montréal.</p>",
            )
        )
    home_en = HomePage.objects.filter(locale=en, translation_key=home_fr.translation_key).first()
    if home_en is None:
        root.refresh_from_db()
        home_en = root.add_child(
            instance=HomePage(
                title="Directory of community resources",
                slug="home",
                locale=en,
                translation_key=home_fr.translation_key,
                intro="<p>Find a community organisation near you, in the Montréal region.</p>",
            )
        )
    directory_fr = DirectoryPage.objects.filter(locale=fr).first()
    if directory_fr is None:
        home_fr.refresh_from_db()
        directory_fr = home_fr.add_child(
            instance=DirectoryPage(title="Organismes", slug="organismes", locale=fr)
        )
    if not DirectoryPage.objects.filter(
        locale=en, translation_key=directory_fr.translation_key
    ).exists():
        home_en.refresh_from_db()
        home_en.add_child(
            instance=DirectoryPage(
                title="Organisations",
                slug="organisations",
                locale=en,
                translation_key=directory_fr.translation_key,
            )
        )
    search_fr = SearchPage.objects.filter(locale=fr).first()
    if search_fr is None:
        home_fr.refresh_from_db()
        search_fr = home_fr.add_child(
            instance=SearchPage(title="Recherche", slug="recherche", locale=fr)
        )
    if not SearchPage.objects.filter(locale=en, translation_key=search_fr.translation_key).exists():
        home_en.refresh_from_db()
        home_en.add_child(
            instance=SearchPage(
                title="Search", slug="search", locale=en, translation_key=search_fr.translation_key
            )
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home_fr, is_default_site=True)
    elif site.root_page_id != home_fr.pk:
        site.root_page = home_fr
        site.save(update_fields=["root_page"])
    return home_fr
