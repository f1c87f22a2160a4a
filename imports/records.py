"""Records as content (the dict a Wagtail revision stores), read in bulk, and an import's values
laid over them.

The dry run compares thousands of records without building one model instance per record: the
rows are read with ``values()`` a chunk at a time and shaped like a revision's content (a
record with a pending draft is read from that draft, which is what a curator would edit).
Applying lays the same values over the record's latest revision with :func:`merge`, so what the
dry run announced is what the draft holds.
"""

import functools
import json
import uuid
from collections import defaultdict

from django.core.serializers.json import DjangoJSONEncoder
from modelcluster.models import get_serializable_data_for_fields
from wagtail.models import Revision

from organisations.geocoding import place_key, postal_code_key
from organisations.lib.text import fold
from organisations.models import (
    Location,
    OpeningHours,
    Organisation,
    OrganisationIdentifier,
    Phone,
    Service,
)


def as_content(data: dict) -> dict:
    """Content as a revision stores it (dates, times and UUIDs as text)."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


_ENCODE = DjangoJSONEncoder().default
_ENCODED_TYPES = {"DateTimeField", "DateField", "TimeField", "UUIDField", "DecimalField",
                  "DurationField"}  # fmt: skip


@functools.cache
def _fields(model) -> list[tuple[str, str, bool]]:
    """(name, attname, whether a revision stores the value as text) of each column."""
    return [
        (f.name, f.attname, f.get_internal_type() in _ENCODED_TYPES)
        for f in model._meta.concrete_fields
    ]


def _row(model, values: dict) -> dict:
    """A row read with ``values()`` as a revision stores it: what :func:`as_content` gives,
    without a JSON round trip per record (the dry run reads thousands)."""
    row = {}
    for name, attname, encoded in _fields(model):
        value = values[attname]
        row[name] = _ENCODE(value) if encoded and value is not None else value
    row["pk"] = values["id"]
    return row


def contents(organisation_ids: list[int], revisions: dict | None = None) -> dict[int, dict]:
    """The latest content of each record (its pending draft if it has one), by id. Holds what
    an import compares: the record's fields, services, locations with hours, phones and
    identifiers. ``revisions``, when given, receives each record's latest revision id (None
    for a record without revisions), read before its content: a save between the two reads
    shows as a newer revision, never the other way round."""
    if not organisation_ids:
        return {}
    result: dict[int, dict] = {}
    live_ids = []
    drafts = {}
    for pk, pending, latest in Organisation.objects.filter(pk__in=organisation_ids).values_list(
        "pk", "has_unpublished_changes", "latest_revision_id"
    ):
        if revisions is not None:
            revisions[pk] = latest
        if pending and latest:
            drafts[latest] = pk
        else:
            live_ids.append(pk)
    for revision_id, content in Revision.objects.filter(pk__in=drafts).values_list("pk", "content"):
        result[drafts[revision_id]] = content
    if live_ids:
        result.update(_live_contents(live_ids))
    return result


def _live_contents(live_ids: list[int]) -> dict[int, dict]:
    """Records without a pending draft, read from their rows: one query per kind of child for
    the whole chunk, never one per record."""
    result: dict[int, dict] = {}
    for values in Organisation.objects.filter(pk__in=live_ids).values():
        record = _row(Organisation, values)
        record.update(services=[], locations=[], phones=[], identifiers=[])
        result[values["id"]] = record
    categories, areas = defaultdict(list), defaultdict(list)
    for service_id, category_id in Service.categories.through.objects.filter(
        service__organisation_id__in=live_ids
    ).values_list("service_id", "category_id"):
        categories[service_id].append(category_id)
    for service_id, territory_id in Service.service_areas.through.objects.filter(
        service__organisation_id__in=live_ids
    ).values_list("service_id", "territory_id"):
        areas[service_id].append(territory_id)
    for values in Service.objects.filter(organisation_id__in=live_ids).values():
        service = _row(Service, values)
        service["categories"] = sorted(categories[values["id"]])
        service["service_areas"] = sorted(areas[values["id"]])
        result[values["organisation_id"]]["services"].append(service)
    hours = defaultdict(list)
    for values in OpeningHours.objects.filter(location__organisation_id__in=live_ids).values():
        hours[values["location_id"]].append(_row(OpeningHours, values))
    for values in Location.objects.filter(organisation_id__in=live_ids).values():
        location = _row(Location, values)
        location["hours"] = sorted(hours[values["id"]], key=lambda h: h["sort_order"] or 0)
        result[values["organisation_id"]]["locations"].append(location)
    for values in Phone.objects.filter(organisation_id__in=live_ids).values():
        result[values["organisation_id"]]["phones"].append(_row(Phone, values))
    for values in OrganisationIdentifier.objects.filter(organisation_id__in=live_ids).values():
        result[values["organisation_id"]]["identifiers"].append(
            _row(OrganisationIdentifier, values)
        )
    for pk in live_ids:
        record = result[pk]
        for key in ("services", "locations", "phones", "identifiers"):
            record[key].sort(key=lambda child: (child["sort_order"] or 0, child["id"]))
    return result


# --- Laying an import's values over a record ------------------------------------------------------

_BLANKS: dict = {}


def blank(model) -> dict:
    """A new child (or organisation) as a revision stores it, with a fresh UUID."""
    if model not in _BLANKS:
        instance = model()
        data = (
            instance.serializable_data()
            if hasattr(instance, "serializable_data")  # a ClusterableModel, with its children
            else get_serializable_data_for_fields(instance)
        )
        _BLANKS[model] = as_content(data)
    row = copy_content(_BLANKS[model])
    row["pk"] = row["id"] = None
    if "uuid" in row:
        row["uuid"] = str(uuid.uuid4())
    return row


def copy_content(value):
    """A copy of JSON-like content (quicker than ``copy.deepcopy`` for plain dicts and lists)."""
    if isinstance(value, dict):
        return {key: copy_content(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_content(item) for item in value]
    return value


def _same(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return (a if a is not None else "") == (b if b is not None else "")


def _service_key(service: dict) -> str:
    return fold(service.get("name_fr") or service.get("name_en") or "")


def _place_without_address(locations: list[dict], values: dict) -> dict | None:
    postal_code = postal_code_key(values.get("postal_code") or "")
    if postal_code:
        same = [
            loc for loc in locations if postal_code_key(loc.get("postal_code") or "") == postal_code
        ]
        if len(same) == 1:
            return same[0]
    return locations[0] if len(locations) == 1 else None


def _hours_key(hours: list[dict]) -> list[tuple]:
    return sorted(
        (h["weekday"], (h.get("opens") or "")[:5], (h.get("closes") or "")[:5]) for h in hours
    )


def _find(children: list[dict], wanted: dict, key) -> dict | None:
    if wanted.get("uuid"):
        for child in children:
            if child.get("uuid") == wanted["uuid"]:
                return child
    target = key(wanted)
    return next((child for child in children if key(child) == target), None)


def _codes(text) -> list[str]:
    return [code.strip() for code in (text or "").split(",") if code.strip()]


def _set_fields(row: dict, values: dict, part: str, name: str, changes: list):
    for field, value in values.items():
        if field in ("uuid", "hours"):
            continue
        if field == "languages" and _codes(row.get(field)) == _codes(value):
            continue  # "fr, en" and "fr,en" say the same
        if not _same(row.get(field), value):
            changes.append(
                {
                    "part": part,
                    "name": name,
                    "field": field,
                    "before": row.get(field),
                    "after": value,
                }
            )
            row[field] = value


def merge(content: dict, data: dict, *, scheme: str = "") -> list[dict]:
    """Lay an import group's values (``data``) over ``content``, in place; return the changes.

    Only what the file says changes: an empty cell leaves the field as it is, and services,
    places and phones the file does not mention stay on the record. A child is the same as one
    of the record's by its UUID, else by its name (services), its address (places) or its
    number (phones)."""
    changes: list[dict] = []
    _set_fields(content, data.get("organisation", {}), "organisation", "", changes)
    _merge_identifier(content, data.get("key", {}).get("partner_id"), scheme, changes)
    _merge_services(content, data.get("services", []), changes)
    _merge_locations(content, data.get("locations", []), changes)
    _merge_phones(content, data.get("phones", []), changes)
    return changes


def _added(part: str, name: str) -> dict:
    """The change that says a child was added."""
    return {"part": part, "name": name, "field": "", "before": None, "after": "new"}


def _merge_identifier(content: dict, partner_id: str | None, scheme: str, changes: list):
    """The partner's id for the record, under the profile's scheme, unless it has it already."""
    if not (scheme and partner_id):
        return
    identifiers = content.setdefault("identifiers", [])
    if any(i.get("scheme") == scheme and i.get("identifier") == partner_id for i in identifiers):
        return
    row = blank(OrganisationIdentifier)
    row.update(scheme=scheme, identifier=partner_id)
    identifiers.append(row)
    changes.append(
        {
            "part": "identifier",
            "name": scheme,
            "field": "identifier",
            "before": None,
            "after": partner_id,
        }
    )


def _merge_services(content: dict, wanted: list[dict], changes: list):
    services = content.setdefault("services", [])
    for values in wanted:
        if not (values.get("uuid") or values.get("name_fr") or values.get("name_en")):
            # A partner's columns about what the organisation offers ("Clientèle", "Frais")
            # without a service name: its only service, or one named after the organisation.
            if len(services) == 1:
                _set_fields(services[0], values, "service", services[0].get("name_fr", ""), changes)
                continue
            values = {**values, "name_fr": content.get("name", "")}
        existing = _find(services, values, _service_key)
        if existing is None:
            existing = blank(Service)
            existing["languages"] = "fr"
            services.append(existing)
            changes.append(_added("service", values.get("name_fr", "")))
            _set_fields(existing, values, "service", values.get("name_fr", ""), [])
        else:
            _set_fields(existing, values, "service", existing.get("name_fr", ""), changes)


def _merge_locations(content: dict, wanted: list[dict], changes: list):
    locations = content.setdefault("locations", [])
    for values in wanted:
        if values.get("uuid") or values.get("street_address") or values.get("name"):
            existing = _find(locations, values, place_key)
        else:
            # Columns about the place without its address ("Horaire", "Accessible"): the place
            # with the same postal code, else the record's only place.
            existing = _place_without_address(locations, values)
        label = values.get("street_address") or values.get("name") or ""
        if existing is None:
            existing = blank(Location)
            existing["hours"] = []
            locations.append(existing)
            changes.append(_added("location", label))
            _set_fields(existing, values, "location", label, [])
        else:
            label = existing.get("street_address") or existing.get("name") or label
            _set_fields(existing, values, "location", label, changes)
        if values.get("hours") is not None:
            _merge_hours(existing, values["hours"], label, changes)


def _merge_hours(location: dict, hours: list[dict], label: str, changes: list):
    """A place's opening hours, replaced as a whole when the file gives others."""
    wanted = _hours_key(hours)
    current = location.setdefault("hours", [])
    if _hours_key(current) == wanted:
        return
    if current or location.get("pk") is not None:  # a new place is one change
        changes.append(
            {
                "part": "location",
                "name": label,
                "field": "hours",
                "before": _hours_key(current),
                "after": wanted,
            }
        )
    rows = []
    for weekday, opens, closes in wanted:
        row = blank(OpeningHours)
        row.update(weekday=weekday, opens=f"{opens}:00", closes=f"{closes}:00")
        rows.append(row)
    location["hours"] = rows


def _merge_phones(content: dict, wanted: list[dict], changes: list):
    phones = content.setdefault("phones", [])
    for values in wanted:
        number = (values.get("number"), values.get("extension") or "")
        existing = next(
            (p for p in phones if (p.get("number"), p.get("extension") or "") == number), None
        )
        if existing is None:
            existing = blank(Phone)
            phones.append(existing)
            changes.append(_added("phone", values["number"]))
            _set_fields(existing, values, "phone", values["number"], [])
        else:
            _set_fields(existing, values, "phone", values["number"], changes)
