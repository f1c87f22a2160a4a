"""The form an organisation fills in to propose changes to its own record, without an account.

Every public field of the record, its services, its places with their opening hours, and its
phones: change, add (blank rows at the end of each list: it works without JavaScript) and
remove. The forms are built from the models (their labels, choices and validators: a postal
code or a phone number is checked as in the admin) and prefilled from the record as it is
published. ``RecordForms.content()`` lays the answers over that content, as a revision's
content (review/proposals.py keeps it as a proposal); what the form does not show (a service's
needs and places served, a place's map position, the private contacts) is kept as it was.
"""

import copy
import json

from django import forms
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Location, OpeningHours, Organisation, Phone, Service, Territory

ORGANISATION_FIELDS = [
    "name",
    "alternate_name",
    "description_fr",
    "description_en",
    "email",
    "website",
]
SERVICE_FIELDS = [
    "name_fr",
    "name_en",
    "description_fr",
    "description_en",
    "eligibility_fr",
    "eligibility_en",
    "fees_fr",
    "fees_en",
    "application_process_fr",
    "application_process_en",
    "status",
]
LOCATION_FIELDS = [
    "name",
    "street_address",
    "unit",
    "municipality",
    "postal_code",
    "accessibility_fr",
    "accessibility_en",
]
PHONE_FIELDS = ["number", "extension", "kind", "label_fr", "label_en"]
HOURS_FIELDS = ["weekday", "opens", "closes", "note_fr", "note_en"]

# Blank rows offered at the end of each list, to add one without JavaScript.
EXTRA_ROWS = 1
EXTRA_HOURS = 2
MAX_ROWS = 50  # a record with more is not an organisation's own form


class _ChildForm(forms.ModelForm):
    """One child row: its fields, the key of the row it changes (empty: a new one), and a
    "remove" box."""

    key = forms.CharField(widget=forms.HiddenInput, required=False)
    remove = forms.BooleanField(label=_("Remove"), required=False)

    def is_blank(self) -> bool:
        """An extra row left empty (its defaults aside): nothing to add."""
        data = self.cleaned_data
        return not data.get("key") and not any(
            data.get(name) not in (None, "", False)
            for name in self.Meta.fields
            if name not in self.Meta.model_defaults
        )

    def validate_unique(self):
        """A row is not saved here: uniqueness is the admin's business when it is published."""

    def _post_clean(self):
        # The model's own checks, except for a row that goes away or adds nothing.
        if not (self.cleaned_data.get("remove") or self.is_blank()):
            super()._post_clean()


def _child_form(model, fields, defaults=()):
    meta = type("Meta", (), {"model": model, "fields": fields, "model_defaults": set(defaults)})
    return type(f"{model.__name__}ProposalForm", (_ChildForm,), {"Meta": meta})


ServiceForm = _child_form(Service, SERVICE_FIELDS, defaults=("status",))
LocationForm = _child_form(Location, LOCATION_FIELDS)
PhoneForm = _child_form(Phone, PHONE_FIELDS, defaults=("kind",))
HoursForm = _child_form(OpeningHours, HOURS_FIELDS, defaults=("weekday",))


def _formset(form, extra):
    return forms.formset_factory(form, extra=extra, max_num=MAX_ROWS, validate_max=True)


def _formfield(field, **kwargs):
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # "www.example.org" means https://
    return field.formfield(**kwargs)


class OrganisationProposalForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        formfield_callback = _formfield

    note = forms.CharField(
        label=_("Note to the 211 (optional)"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Anything we should know: a change coming soon, a question."),
    )
    submitter_name = forms.CharField(label=_("Your name"), max_length=200)
    submitter_email = forms.EmailField(label=_("Your email"))

    def validate_unique(self):
        """The organisation's own name and address stay unique in the admin, on publication."""


def _value(form, name: str):
    """A field's value as a revision's content holds it, taken from the form's instance: the
    model's own cleaning has run on it (a phone number in its international form)."""
    field = form.instance._meta.get_field(name)
    value = getattr(form.instance, field.attname)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _initial(rows: list[dict], fields: list[str]) -> list[dict]:
    return [{"key": str(row.get("pk") or ""), **{f: row.get(f) for f in fields}} for row in rows]


class RecordForms:
    """The organisation's form and its lists (services, places with their hours, phones), bound
    to ``data`` or prefilled from ``content`` (the published record, as revision content)."""

    def __init__(self, content: dict, data=None, submitter: dict | None = None):
        self.base = content
        initial = {f: content.get(f) for f in ORGANISATION_FIELDS}
        initial.update(submitter or {})
        self.organisation = OrganisationProposalForm(data, initial=initial, prefix="org")
        self.services = _formset(ServiceForm, EXTRA_ROWS)(
            data, initial=_initial(content.get("services", []), SERVICE_FIELDS), prefix="services"
        )
        self.phones = _formset(PhoneForm, EXTRA_ROWS)(
            data, initial=_initial(content.get("phones", []), PHONE_FIELDS), prefix="phones"
        )
        locations = content.get("locations", [])
        self.locations = _formset(LocationForm, EXTRA_ROWS)(
            data, initial=_initial(locations, LOCATION_FIELDS), prefix="locations"
        )
        municipalities = Territory.objects.exclude(
            kind__in=[Territory.Kind.REGION, Territory.Kind.SECTOR]
        ).order_by("name")
        self.hours = []
        for index, form in enumerate(self.locations.forms):
            form.fields["municipality"].queryset = municipalities
            rows = locations[index].get("hours", []) if index < len(locations) else []
            self.hours.append(
                _formset(HoursForm, EXTRA_HOURS)(
                    data, initial=_initial(rows, HOURS_FIELDS), prefix=f"hours-{index}"
                )
            )
        for form, hours in zip(self.locations.forms, self.hours, strict=True):
            form.hours = hours  # the template shows each place's hours under it

    def all(self):
        return [self.organisation, self.services, self.phones, self.locations, *self.hours]

    def is_valid(self) -> bool:
        return all([part.is_valid() for part in self.all()])  # every part, for every message

    @property
    def error_count(self) -> int:
        count = len(self.organisation.errors)
        for formset in (self.services, self.phones, self.locations, *self.hours):
            count += len(formset.non_form_errors())
            count += sum(len(form.errors) for form in formset.forms)
        return count

    def content(self) -> dict:
        """The proposed record: the published content with the answers laid over it."""
        content = copy.deepcopy(self.base)
        for name in ORGANISATION_FIELDS:
            content[name] = _value(self.organisation, name)
        content["services"] = self._rows(self.services, "services", SERVICE_FIELDS)
        content["phones"] = self._rows(self.phones, "phones", PHONE_FIELDS)
        locations = []
        old = {str(row.get("pk")): row for row in self.base.get("locations", [])}
        for form, hours in zip(self.locations.forms, self.hours, strict=True):
            row = self._row(form, old, LOCATION_FIELDS)
            if row is None:
                continue
            previous = old.get(form.cleaned_data.get("key") or "", {})
            row["hours"] = self._rows(hours, None, HOURS_FIELDS, previous.get("hours", []))
            locations.append(row)
        content["locations"] = locations
        return content

    def submitter(self) -> dict:
        data = self.organisation.cleaned_data
        return {
            "submitter_name": data["submitter_name"],
            "submitter_email": data["submitter_email"],
            "note": data["note"],
        }

    def _rows(self, formset, relation, fields, previous=None):
        rows = previous if previous is not None else self.base.get(relation, [])
        old = {str(row.get("pk")): row for row in rows}
        result = []
        for form in formset.forms:
            row = self._row(form, old, fields)
            if row is not None:
                result.append(row)
        return result

    @staticmethod
    def _row(form, old: dict, fields) -> dict | None:
        data = form.cleaned_data
        if not data or data.get("remove") or form.is_blank():
            return None
        key = data.get("key") or ""
        row = copy.deepcopy(old.get(key, {"pk": None}))
        for name in fields:
            row[name] = _value(form, name)
        return row
