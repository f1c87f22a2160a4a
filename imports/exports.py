"""Organisations out to a spreadsheet, in the layout the ``default`` profile reads back.

One row per line of an organisation: row *n* of an organisation holds its *n*-th service, its
*n*-th place and its *n*-th phone, with the organisation's own columns repeated on every row
(so a filter in the spreadsheet never loses the name). docs/imports.md documents the columns.
Records are exported as they stand in the admin (a pending draft included), like what a curator
edits. Every text cell is neutralised against formula injection; confidential addresses and the
private contact for updating are left blank for staff without the permission to see them.
"""

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from organisations.lib.formulas import neutralise_formula
from organisations.models import Organisation

from .columns import (
    CONFIDENTIAL_ADDRESS_KEYS,
    CONFIDENTIAL_KEYS,
    EXPORT_KEYS,
    EXPORT_READ_ONLY,
    TARGETS_BY_KEY,
    Reference,
    format_hours,
)
from .records import contents

HEADERS = EXPORT_KEYS + EXPORT_READ_ONLY
_CHUNK = 500


def _yes_no(value) -> str:
    return "oui" if value else "non"


def _cell(target_key: str, part: dict, reference: Reference):
    target = TARGETS_BY_KEY[target_key]
    name = target.field
    value = part.get(name)
    if target.kind == "categories":
        return "; ".join(
            reference.categories[pk].code for pk in value or [] if pk in reference.categories
        )
    if target.kind == "territories":
        return "; ".join(
            reference.territory_label(pk) for pk in value or [] if pk in reference.territories
        )
    if target.kind == "territory":
        return reference.territory_label(value) if value in reference.territories else ""
    if target.kind == "yesno":
        return _yes_no(value)
    if target.kind == "hours":
        return format_hours(part.get("hours") or [])
    return "" if value is None else value


def export_rows(queryset, *, confidential: bool) -> Iterator[list]:
    """The header, then the rows of every organisation of ``queryset``, in name order."""
    reference = Reference()
    yield HEADERS
    ids = list(queryset.order_by("name", "pk").values_list("pk", flat=True))
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        records = contents(chunk)
        review = {
            row[0]: row[1:]
            for row in Organisation.objects.filter(pk__in=chunk).values_list(
                "pk", "status", "last_verified_at", "next_review_due"
            )
        }
        for pk in chunk:
            record = records[pk]
            status, verified, due = review[pk]
            services, locations, phones = (
                record.get("services", []),
                record.get("locations", []),
                record.get("phones", []),
            )
            for line in range(max(1, len(services), len(locations), len(phones))):
                parts = {
                    "key": {"uuid": record.get("uuid")},
                    "organisation": record,
                    "service": services[line] if line < len(services) else None,
                    "location": locations[line] if line < len(locations) else None,
                    "phone": phones[line] if line < len(phones) else None,
                }
                row = []
                for key in EXPORT_KEYS:
                    target = TARGETS_BY_KEY[key]
                    part = parts["key"] if target.part == "key" else parts[target.part]
                    if part is None:
                        row.append("")
                        continue
                    value = part.get(key) if target.part == "key" else _cell(key, part, reference)
                    hidden = not confidential and (
                        key in CONFIDENTIAL_KEYS
                        or (
                            target.part == "location"
                            and key in CONFIDENTIAL_ADDRESS_KEYS
                            and part.get("address_is_confidential")
                        )
                    )
                    row.append("" if hidden else neutralise_formula(value))
                identifiers = "; ".join(
                    f"{i['scheme']}:{i['identifier']}" for i in record.get("identifiers", [])
                )
                row += [
                    status,
                    verified.date().isoformat() if verified else "",
                    due.isoformat() if due else "",
                    neutralise_formula(identifiers),
                ]
                yield row


def write_xlsx(rows: Iterator[list], stream) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Organisations"))
    for row in rows:
        sheet.append(row)
    workbook.save(stream)


def write_csv(rows: Iterator[list], stream) -> None:
    """UTF-8 with its byte-order mark, so Excel opens accents right; comma-separated."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    for row in rows:
        writer.writerow(row)
    text.flush()
    text.detach()


def records_export(queryset, *, format: str, stream, confidential: bool) -> None:
    """Write ``queryset``'s organisations to ``stream`` (binary) as ``xlsx`` or ``csv``."""
    rows = export_rows(queryset, confidential=confidential)
    (write_xlsx if format == "xlsx" else write_csv)(rows, stream)
