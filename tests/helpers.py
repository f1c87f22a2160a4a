"""Helpers that build what a browser would POST to the organisation edit form."""

from wagtail.test.utils.form_data import inline_formset, nested_form_data

from organisations.models import Organisation

ORGANISATION_FIELDS = [
    "name",
    "alternate_name",
    "slug",
    "description_fr",
    "description_en",
    "email",
    "website",
    "legal_status",
    "enterprise_number",
    "charity_number",
    "update_contact_name",
    "update_contact_email",
    "update_contact_phone",
    "preferred_language",
]
SERVICE_FIELDS = [
    "name_fr", "name_en", "description_fr", "description_en", "eligibility_fr", "eligibility_en",
    "fees_fr", "fees_en", "application_process_fr", "application_process_en", "languages",
    "status", "status_changed_at",
]  # fmt: skip
LOCATION_FIELDS = [
    "name", "street_address", "unit", "postal_code", "latitude", "longitude",
    "coordinates_locked", "address_is_confidential", "accessibility_fr", "accessibility_en",
]  # fmt: skip


def _value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    return str(value)


def _row(obj, fields):
    row = {"id": obj.pk or ""}
    for field in fields:
        value = _value(getattr(obj, field))
        if value != "":
            row[field] = value
    return row


def organisation_form_data(
    organisation: Organisation,
    action: str | None = None,
    location_changes: dict | None = None,
    **changes,
) -> dict:
    """The edit form's POST data for the organisation as it stands (its latest revision), with
    ``changes`` applied to the organisation's own fields and ``location_changes`` to its first
    location's."""
    org = organisation.get_latest_revision_as_object() if organisation.pk else organisation
    data = {field: _value(getattr(org, field)) for field in ORGANISATION_FIELDS}
    data.update({key: _value(value) for key, value in changes.items()})
    services, many_to_many = [], {}
    for index, service in enumerate(org.services.all()):
        services.append(_row(service, SERVICE_FIELDS))
        # nested_form_data would spread a list over numbered keys; a multiple select posts the
        # same key once per value.
        many_to_many[f"services-{index}-categories"] = [c.pk for c in service.categories.all()]
        many_to_many[f"services-{index}-service_areas"] = [
            t.pk for t in service.service_areas.all()
        ]
    locations = []
    for location in org.locations.all():
        row = _row(location, LOCATION_FIELDS)
        row["municipality"] = location.municipality_id
        if location_changes and not locations:
            row.update({key: _value(value) for key, value in location_changes.items()})
        row["hours"] = inline_formset(
            [
                {
                    "id": h.pk or "",
                    "weekday": h.weekday,
                    "opens": _value(h.opens),
                    "closes": _value(h.closes),
                }
                for h in location.hours.all()
            ],
            initial=len([h for h in location.hours.all() if h.pk]),
        )
        locations.append(row)
    phones = [
        {"id": p.pk or "", "number": p.number, "extension": p.extension, "kind": p.kind}
        for p in org.phones.all()
    ]
    data.update(
        {
            "identifiers": inline_formset([]),
            "services": inline_formset(services, initial=len([s for s in services if s["id"]])),
            "locations": inline_formset(locations, initial=len([r for r in locations if r["id"]])),
            "phones": inline_formset(phones, initial=len([p for p in phones if p["id"]])),
            "contacts": inline_formset([]),
        }
    )
    if action:
        data[action] = "1"
    return {**nested_form_data(data), **many_to_many}


def proposal_form_data(forms, **overrides) -> dict:
    """What a browser sends for an organisation's proposal form (``review.proposal_forms.
    RecordForms``) as prefilled, with ``overrides`` (by field name)."""
    data = {}
    parts = [forms.organisation]
    for formset in (forms.services, forms.phones, forms.locations, *forms.hours):
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = formset.management_form.initial.get(name, "")
        parts += formset.forms
    for form in parts:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else str(value)
    data.update({"org-submitter_name": "Marc Tremblay", "org-submitter_email": "marc@ex.org"})
    data.update(overrides)
    return data
