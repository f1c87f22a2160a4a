from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import login_throttling, portraits_views, views

urlpatterns = [
    # Wagtail's password-reset form, with requests counted per address and per email address.
    path("admin/password_reset/", login_throttling.password_reset_view),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz", views.health, name="health"),
    path("api/hsds/", include("organisations.hsds.urls")),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("sitemap.xml", views.sitemap_xml, name="sitemap"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

from review import update_views  # noqa: E402

urlpatterns += i18n_patterns(
    path("suggestions/", include("review.urls")),
    # An organisation's update link: /fr/mise-a-jour/<token>/, /en/update/<token>/.
    path(_("update/<str:token>/"), update_views.update_request_view, name="update_request"),
    path(
        _("update/<str:token>/thanks/"),
        update_views.update_request_thanks_view,
        name="update_request_thanks",
    ),
    path(
        _("update/<str:token>/changes/"),
        update_views.update_request_propose_view,
        name="update_request_propose",
    ),
    path(
        _("update/<str:token>/sent/"),
        update_views.update_request_sent_view,
        name="update_request_sent",
    ),
    # The search page's stable paths, served without the page tree's walk (views.search_page).
    path("recherche/", views.search_page, name="search_fr"),
    path("search/", views.search_page, name="search_en"),
    # The public portraits of needs (issue 19): the same paths in both languages.
    path("portraits/", portraits_views.portraits_index, name="portraits_index"),
    path("portraits/<int:year>.csv", portraits_views.open_data, name="portraits_open_data"),
    path("portraits/<slug:slug>/", portraits_views.portrait, name="portrait"),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
