"""The read-only HSDS 3.0 API under ``/api/hsds/``.

Built on Django REST framework, which Wagtail already brings: its throttling gives the rate
limit per client address, its exceptions the JSON errors. The objects themselves come from
:mod:`.serialise` (HSDS defines them; we do not describe them twice), the rows from
:mod:`.queries`.

Every response carries an ETag and Last-Modified from the public version, which each
publication, verification or archiving moves on (``organisations.search.public_version_bump``):
a client asking again with ``If-None-Match`` gets a 304 after one primary-key read.
"""

import hashlib

from django.conf import settings
from django.http import Http404, HttpResponseNotModified
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from rest_framework.exceptions import ParseError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from ..models import Organisation, PublicVersion
from . import HSDS_PROFILE, HSDS_VERSION, LANGUAGES, queries, zone
from .serialise import TAXONOMY_ID, Serialiser, term_id

DEFAULT_PER_PAGE = 50


class JsonOnly(BaseContentNegotiation):
    """Always JSON. DRF's own negotiation reads ``?format=`` as its format override (a 404 for
    anything but ``json``) and answers 406 to an ``Accept`` it cannot meet; HSDS's ``format`` is
    a parameter of ours (``paging``), and JSON is all we serve."""

    def select_parser(self, request, parsers):
        return None  # GET only: nothing to parse

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def etag_of(key: str) -> str:
    return f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"'


def open_data_headers(response, etag: str, last_modified: int | None, language: str):
    """What every open-data answer carries (the API's and the data package's): validators for
    conditional requests, public caching, its language, and access from any web page."""
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={settings.REPERTOIRE_API_CACHE_SECONDS}"
    response["Content-Language"] = language
    response["Access-Control-Allow-Origin"] = "*"  # open data, for apps in a browser too
    patch_vary_headers(response, ["Accept-Language"])
    return response


class HsdsView(APIView):
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonOnly
    permission_classes = [AllowAny]
    authentication_classes = []  # public data: no session, no CSRF
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "hsds"

    def get(self, request, **kwargs):
        language = self._language(request)
        version = PublicVersion.objects.filter(pk=1).values_list("number", "changed_at").first()
        number, changed_at = version or (0, None)
        # Schedules' offsets change with the clocks (see .zone), not with the public version.
        today = zone.today()
        etag = etag_of(f"{number}|{zone.window_key(today)}|{language}|{request.get_full_path()}")
        # Whole seconds, as HTTP dates have them: with the microseconds, the date a client sends
        # back in If-Modified-Since would always look older than the data.
        changed = max(filter(None, (changed_at, zone.window_since(today))))
        last_modified = int(changed.timestamp())
        not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if isinstance(not_modified, HttpResponseNotModified):
            return open_data_headers(not_modified, etag, last_modified, language)
        with translation.override(language):
            try:
                data = self.build(request, Serialiser.for_language(language, today), **kwargs)
            except queries.BadParameter as problem:
                raise ParseError(str(problem)) from None
        return open_data_headers(Response(data), etag, last_modified, language)

    def build(self, request, serialiser: Serialiser, **kwargs) -> dict:
        raise NotImplementedError

    @staticmethod
    def _language(request) -> str:
        """``?lang=`` if given, else the best of ``Accept-Language``, else French."""
        asked = request.GET.get("lang", "").strip().lower()
        if asked:
            if asked not in LANGUAGES:
                raise ParseError(f"lang: use one of {', '.join(LANGUAGES)}.")
            return asked
        header = translation.get_language_from_request(request)[:2]
        return header if header in LANGUAGES else "fr"

    # --- Parameters -------------------------------------------------------------------------------

    @staticmethod
    def text(request, name: str) -> str:
        return request.GET.get(name, "").strip()[:200]

    @staticmethod
    def flag(request, name: str) -> bool:
        value = request.GET.get(name, "").strip().lower()
        if value in ("", "false", "0", "no"):
            return False
        if value in ("true", "1", "yes"):
            return True
        raise ParseError(f"{name}: use true or false.")

    @staticmethod
    def number(request, name: str, default: int) -> int:
        value = request.GET.get(name, "").strip()
        if not value:
            return default
        # ASCII digits only: "²" is a digit to str.isdigit(), not to int().
        if not (value.isascii() and value.isdigit()) or int(value) < 1:
            raise ParseError(f"{name}: use a whole number of 1 or more.")
        return int(value)

    def paging(self, request) -> tuple[int, int]:
        fmt = self.text(request, "format")
        if fmt and fmt != "json":
            raise ParseError("format: only json is offered; the data package has everything.")
        page = self.number(request, "page", 1)
        per_page = min(self.number(request, "per_page", DEFAULT_PER_PAGE),
                       settings.REPERTOIRE_API_MAX_PER_PAGE)  # fmt: skip
        if page > 1_000_000:
            raise ParseError("page: too large.")
        return page, per_page

    def modified_after(self, request):
        text = self.text(request, "modified_after")
        return queries.parse_modified_after(text) if text else None

    def page(self, request, ids: list, make) -> dict:
        """The HSDS page envelope around ``make(ids of this page)``."""
        page, per_page = self.paging(request)
        chunk = ids[(page - 1) * per_page : page * per_page]
        contents = make(chunk) if chunk else []
        return {
            **queries.page_bounds(len(ids), page, per_page),
            "size": len(contents),
            "empty": not contents,
            "contents": contents,
        }


class RootView(HsdsView):
    def build(self, request, serialiser, **kwargs):
        return {
            "version": HSDS_VERSION,
            "profile": HSDS_PROFILE,
            "openapi_url": request.build_absolute_uri(reverse("hsds:openapi")),
            "languages": list(LANGUAGES),
            "default_language": "fr",
            # Opening hours are this zone's local time; each carries its offset from UTC.
            "timezone": zone.zone_name(),
            "data_package_url": request.build_absolute_uri(reverse("hsds:data_package")),
        }


# --- Services -------------------------------------------------------------------------------------


def _services(request, view: HsdsView):
    return queries.filter_services(
        queries.public_services(),
        search=view.text(request, "search"),
        taxonomy_term_id=view.text(request, "taxonomy_term_id"),
        taxonomy_id=view.text(request, "taxonomy_id"),
        organization_id=view.text(request, "organization_id"),
        modified_after=view.modified_after(request),
    )


class ServiceListView(HsdsView):
    def build(self, request, serialiser, **kwargs):
        minimal, full = self.flag(request, "minimal"), self.flag(request, "full")
        ids = list(_services(request, self).values_list("pk", flat=True))

        def make(chunk):
            services = queries.services_full(chunk)
            if minimal:
                return [
                    {key: s[key] for key in ("id", "name", "status", "last_modified")}
                    for s in (
                        serialiser.service(x, nested=False, organisation=False) for x in services
                    )
                ]
            return [serialiser.service(s, nested=full) for s in services]

        return self.page(request, ids, make)


class ServiceDetailView(HsdsView):
    def build(self, request, serialiser, *, id):
        service = queries.by_uuid(queries.public_services(), id)
        if service is None:
            raise Http404
        [service] = queries.services_full([service.pk])
        return serialiser.service(service)


# --- Organisations --------------------------------------------------------------------------------


class OrganisationListView(HsdsView):
    def build(self, request, serialiser, **kwargs):
        full, full_service = self.flag(request, "full"), self.flag(request, "full_service")
        organisations = queries.filter_organisations(
            queries.public_organisations().order_by("name", "pk"),
            search=self.text(request, "search"),
            modified_after=self.modified_after(request),
        )
        ids = list(organisations.values_list("pk", flat=True))

        def make(chunk):
            if not (full or full_service):
                rows = Organisation.objects.in_bulk(chunk)
                return [serialiser.organisation(rows[pk], nested=False) for pk in chunk]
            return [
                _organisation(serialiser, o, full_service=full_service)
                for o in queries.organisations_full(chunk, services=True)
            ]

        return self.page(request, ids, make)


def _organisation(serialiser: Serialiser, organisation, *, full_service: bool) -> dict:
    services = [
        serialiser.service(s, nested=full_service, organisation=False)
        for s in organisation.services.all()
    ]
    return serialiser.organisation(organisation, services=services)


class OrganisationDetailView(HsdsView):
    def build(self, request, serialiser, *, id):
        organisation = queries.by_uuid(queries.public_organisations(), id)
        if organisation is None:
            raise Http404
        [organisation] = queries.organisations_full([organisation.pk], services=True)
        return _organisation(
            serialiser, organisation, full_service=self.flag(request, "full_service")
        )


# --- Services at locations ------------------------------------------------------------------------


class ServiceAtLocationListView(HsdsView):
    def build(self, request, serialiser, **kwargs):
        full = self.flag(request, "full")
        postcode_text, proximity = self.text(request, "postcode"), self.text(request, "proximity")
        postcode = queries.locate_postcode(postcode_text) if postcode_text else None
        metres = None
        if proximity:
            if postcode is None:
                raise ParseError("proximity: give a postcode to measure from.")
            try:
                metres = float(proximity)
            except ValueError:
                metres = -1
            if not (0 < metres <= 1_000_000):
                raise ParseError("proximity: use a distance in metres, e.g. 2000.")
        pairs = queries.service_location_pairs(
            _services(request, self), postcode=postcode, proximity_m=metres
        )

        def make(chunk):
            services = {s.pk: s for s in queries.services_full(sorted({p[0] for p in chunk}))}
            contents = []
            for service_id, location_id, _metres in chunk:
                service = services[service_id]
                location = next(
                    loc for loc in service.organisation.locations.all() if loc.pk == location_id
                )
                item = serialiser.service_at_location(service, location, nested=full)
                item["service"] = serialiser.service(service, nested=False)
                contents.append(item)
            return contents

        return self.page(request, pairs, make)


class ServiceAtLocationDetailView(HsdsView):
    def build(self, request, serialiser, *, id):
        found = queries.service_at_location_by_id(id)
        if found is None:
            raise Http404
        service, location = found
        item = serialiser.service_at_location(service, location)
        item["service"] = serialiser.service(service, nested=False)
        return item


# --- Taxonomies -----------------------------------------------------------------------------------


class TaxonomyListView(HsdsView):
    def build(self, request, serialiser, **kwargs):
        search = self.text(request, "search").lower()
        taxonomy = serialiser.taxonomy()
        ids = [TAXONOMY_ID] if not search or search in taxonomy["name"].lower() else []
        return self.page(request, ids, lambda chunk: [taxonomy])


class TaxonomyDetailView(HsdsView):
    def build(self, request, serialiser, *, id):
        if id.lower() != TAXONOMY_ID:
            raise Http404
        return serialiser.taxonomy()


class TaxonomyTermListView(HsdsView):
    def build(self, request, serialiser, **kwargs):
        categories = sorted(serialiser.categories.values(), key=lambda c: (c.sort_order, c.code))
        taxonomy_id = self.text(request, "taxonomy_id")
        if taxonomy_id and taxonomy_id.lower() != TAXONOMY_ID:
            categories = []
        if self.flag(request, "top_only"):
            categories = [c for c in categories if c.parent_id is None]
        if parent := self.text(request, "parent_id"):
            categories = [
                c
                for c in categories
                if c.parent_id and term_id(serialiser.categories[c.parent_id]) == parent.lower()
            ]
        if search := self.text(request, "search").lower():
            categories = [
                c for c in categories if search in f"{c.code} {c.name_fr} {c.name_en}".lower()
            ]
        return self.page(
            request,
            categories,
            lambda chunk: [serialiser.taxonomy_term(c, with_taxonomy=True) for c in chunk],
        )


class TaxonomyTermDetailView(HsdsView):
    def build(self, request, serialiser, *, id):
        category = next(
            (c for c in serialiser.categories.values() if term_id(c) == id.lower()), None
        )
        if category is None:
            raise Http404
        return serialiser.taxonomy_term(category, with_taxonomy=True)
