"""Our API's OpenAPI document, made from the official HSDS one.

HSDS publishes its API as an OpenAPI 3.1 document whose responses point at the official JSON
Schemas on GitHub. Ours is that document with the blanks filled in (title, licence, server),
restricted to what we serve, with what we add declared (``lang``, ``modified_after`` on the
organisations, the errors we answer with) and every schema taken from the vendored copy in
``spec/schema/`` into ``components/schemas``: no request leaves the server to read it, and a
client's generator or a test tool sees exactly the objects HSDS defines. It is not generated
from our code: HSDS defines the objects, and a second description of them could only drift.

Two corrections to the official document, both where it contradicts its own words:
``/service_at_locations/{id}`` answers a ``service_at_location`` (it pointed at ``service``);
``modified_after`` is a ``date-time`` (it said ``datetime``, not a JSON Schema format).
"""

import copy
import functools
import json
from pathlib import Path

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse

from . import HSDS_VERSION, LANGUAGES

SPEC = Path(__file__).resolve().parent / "spec"
_OFFICIAL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
# The official list schemas are the full objects' fields without the arrays; ours point at the
# full objects, whose arrays are optional, so a list item validates against them too.
_SCHEMA_FOR = {
    "compiled/service.json": "service",
    "compiled/service_list.json": "service",
    "compiled/organization.json": "organization",
    "compiled/organization_list.json": "organization",
    "compiled/service_at_location_list.json": "service_at_location",
    "taxonomy.json": "taxonomy",
    "taxonomy_term.json": "taxonomy_term",
}


def _local_refs(node):
    """The schema with ``"phone.json"`` and official URLs turned into component references."""
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key in ("$schema", "$id"):
                continue
            if key == "$ref" and isinstance(value, str) and not value.startswith("#"):
                name = value.removeprefix(_OFFICIAL)
                value = "#/components/schemas/" + _SCHEMA_FOR.get(name, name.removesuffix(".json"))
            result[key] = _local_refs(value)
        return result
    if isinstance(node, list):
        return [_local_refs(item) for item in node]
    return node


@functools.cache
def _official() -> tuple[dict, dict]:
    schemas = {
        path.stem: _local_refs(json.loads(path.read_text()))
        for path in sorted((SPEC / "schema").glob("*.json"))
        if path.name != "openapi.json"
    }
    return json.loads((SPEC / "schema" / "openapi.json").read_text()), schemas


_ERRORS = {
    "400": "A parameter could not be understood; ``detail`` says which and why.",
    "404": "No public record has this id (a draft, an archived record, a wrong id).",
    "429": "Too many requests from this address; ``Retry-After`` says when to try again.",
}

_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "The language of bilingual fields: fr (the default) or en. Without it, "
    "the Accept-Language header decides; French fills in what has no English text.",
    "schema": {"type": "string", "enum": list(LANGUAGES)},
}

_PATHS = [  # ours, in the official document's order
    "/",
    "/services",
    "/services/{id}",
    "/organizations",
    "/organizations/{id}",
    "/service_at_locations",
    "/service_at_locations/{id}",
    "/taxonomies",
    "/taxonomies/{id}",
    "/taxonomy_terms",
    "/taxonomy_terms/{id}",
]


@functools.cache
def _document_without_server() -> dict:
    official, schemas = _official()
    document = _local_refs(copy.deepcopy(official))
    document["info"] = {
        "title": "Répertoire: 211 Grand Montréal, HSDS 3.0",
        "version": "1.0.0",
        "summary": "The community resources of the 211 of Greater Montréal, in Open Referral's "
        "Human Services Data Specification 3.0.",
        "description": "Read-only, public data only: live records, no confidential address. "
        f"French by default, English with ?lang=en. HSDS version {HSDS_VERSION}. "
        f"Opening hours (schedules) are Montréal's local time, time zone {settings.TIME_ZONE}, "
        "which HSDS has no field for: each schedule carries the offset from UTC in effect on "
        "the next day it applies, counted from the day of the answer, in opens_at and closes_at "
        "(09:00-05:00 in winter, 09:00-04:00 in summer) and as timezone (-5, -4). Answers "
        "change with the clocks (ETag and Last-Modified too). Pages hold 50 items by default "
        "and at most "
        f"{settings.REPERTOIRE_API_MAX_PER_PAGE}. The whole data set is also a tabular data "
        "package (datapackage.zip).",
        "contact": {"name": "211 Grand Montréal", "email": settings.REPERTOIRE_CONTACT_EMAIL},
        "license": {
            "name": settings.REPERTOIRE_OPEN_DATA_LICENSE,
            "url": settings.REPERTOIRE_OPEN_DATA_LICENSE_URL,
        },
    }
    document["paths"] = {path: document["paths"][path] for path in _PATHS}
    parameters = document["components"]["parameters"]
    parameters["modified_after"]["schema"] = {"type": "string", "format": "date-time"}
    parameters["format"]["schema"] = {"type": "string", "enum": ["json"]}
    parameters["lang"] = _LANG
    document["paths"]["/organizations"]["get"]["parameters"].append(
        {"$ref": "#/components/parameters/modified_after"}
    )
    detail = document["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]
    detail["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/service_at_location"
    }
    document["components"]["schemas"].update(schemas)
    document["components"]["schemas"]["Error"] = {
        "type": "object",
        "required": ["detail"],
        "properties": {"detail": {"type": "string"}},
    }
    for path, item in document["paths"].items():
        operation = item["get"]
        operation.setdefault("parameters", []).append({"$ref": "#/components/parameters/lang"})
        responses = operation["responses"]
        for status, description in _ERRORS.items():
            if status == "404" and "{id}" not in path:
                continue
            responses[status] = {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        responses["304"] = {"description": "Not modified since the ETag or date given."}
    return document


def openapi_document(base_url: str) -> dict:
    """The document for the API served at ``base_url`` (…/api/hsds)."""
    document = copy.deepcopy(_document_without_server())
    document["servers"] = [{"url": base_url.rstrip("/")}]
    return document


def openapi_view(request):
    base = request.build_absolute_uri(reverse("hsds:root"))
    response = JsonResponse(openapi_document(base), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response
