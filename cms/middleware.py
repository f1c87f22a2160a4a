"""Django's LocaleMiddleware, except that the open-data API's "not found" stays one; the
Content-Security-Policy on every answer."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.middleware import locale

# Wagtail's admin (cms/urls.py), password reset included.
_ADMIN = "/admin/"

# Paths outside the two language trees whose 404 is an answer, not a missing prefix.
_NOT_LOCALISED = ("/api/",)


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django answers a 404 at a path without a language prefix with a redirect to the same
    path under /fr/ whenever that path would resolve, and the page tree's catch-all resolves
    every path: an unknown or draft id in the HSDS API (/api/hsds/services/<id>) was a 302 to
    a page that does not exist, where a client must be told 404."""

    def process_response(self, request, response):
        if response.status_code == 404 and request.path_info.startswith(_NOT_LOCALISED):
            return response
        return super().process_response(request, response)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with settings.CONTENT_SECURITY_POLICY on every answer and, in
    Wagtail's admin only, settings.CONTENT_SECURITY_POLICY_ADMIN on top (its inline scripts and styles).

    It sits outside the public response cache: a page served from the cache gets the header as
    it leaves, like any other, and the policy uses no nonce that a cached page could freeze."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith(_ADMIN):
            update = dict(parts.update or {})
            for directive, sources in settings.CONTENT_SECURITY_POLICY_ADMIN.items():
                update[directive] = [*update.get(directive, ()), *sources]
            parts.update = update
        return parts
