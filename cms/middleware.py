"""Django's LocaleMiddleware, except that the open-data API's "not found" stays one."""

from django.middleware import locale

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
