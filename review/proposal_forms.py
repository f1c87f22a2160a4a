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
from dataclasses import dataclass, field

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from organisations.models import Location, OpeningHours, Organisation, Phone, Service, Territory
from organisations.phones import format_phone_national, normalise_phone
from organisations.templatetags.directory_tags import clock

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
# New rows one answer may add to each list (services, places, phones, one place's hours): more
# than a form shows (one or two blank rows each time), far fewer than a flood. The form never
# builds more rows than the record has plus these, whatever the request says it holds.
MAX_ADDED_ROWS = 10
ROWS_BUILT_BEYOND_RECORD = 2 * MAX_ADDED_ROWS  # to say how many were added, up to twice that
# The longest text each field takes. A field the model bounds (a name, a postal code) keeps the
# model's length; the model's unbounded texts get these: a description may say a lot, the other
# texts (eligibility, fees, how to apply, accessibility) a few sentences, like the note.
TEXT_MAX_LENGTH = {"description_fr": 5_000, "description_en": 5_000}
OTHER_TEXT_MAX_LENGTH = 2_000
NOTE_MAX_LENGTH = 2_000  # what a verification keeps of it, once approved
EMAIL_MAX_LENGTH = 254  # as models.EmailField
# The person answering: always in sight, after the sections (what changed, then who answers).
SUBMITTER_FIELDS = ["submitter_name", "submitter_email", "note"]


class MaxLength(validators.MaxLengthValidator):
    """A text too long, refused with a message that says by how much (the field's name is added
    where the message is shown)."""

    def __call__(self, value):
        count, limit = len(value), self.limit_value
        if count <= limit:
            return
        over = count - limit
        raise ValidationError(
            ngettext(
                "Too long by %(over)s character (at most %(limit)s, this text has %(count)s).",
                "Too long by %(over)s characters (at most %(limit)s, this text has %(count)s).",
                over,
            )
            % {
                "over": number_format(over, force_grouping=True),
                "limit": number_format(limit, force_grouping=True),
                "count": number_format(count, force_grouping=True),
            },
            code="max_length",
        )


def _cap_lengths(form) -> None:
    """Give every text field of ``form`` its longest length (``_limit``), checked by the server:
    no ``maxlength`` in the page, which would silently cut a pasted text short. A text already
    longer on the record may stay as long: only what grows past the cap is refused."""
    for name, formfield in form.fields.items():
        if not isinstance(formfield, forms.CharField):
            continue
        limit = formfield.max_length or _limit(name)
        initial = form.initial.get(name, formfield.initial)
        if isinstance(initial, str):
            limit = max(limit, len(initial))
        formfield.max_length = limit
        formfield.validators = [
            v for v in formfield.validators if not isinstance(v, validators.MaxLengthValidator)
        ] + [MaxLength(limit)]
        formfield.widget.attrs.pop("maxlength", None)


def _limit(name: str) -> int:
    """The cap of a text the model leaves unbounded."""
    return TEXT_MAX_LENGTH.get(name, OTHER_TEXT_MAX_LENGTH)


class PhoneInput(forms.TextInput):
    """A phone number as people write it here, « (450) 555-0154 », not as it is stored
    (+14505550154); a phone's keypad on a phone."""

    input_type = "tel"

    def format_value(self, value):
        return format_phone_national(str(value)) if value else None


class PhoneNumberField(forms.CharField):
    """A number as people type it, cleaned to the international form the record stores (the
    same as the admin's, organisations/phones.py): a number sent back as shown is unchanged."""

    widget = PhoneInput

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_phone(value) if value else value


def _formfield(field, **kwargs):
    """The form field of a model field, with inputs that read and show values as people
    write them."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"  # "www.example.org" means https://
    elif isinstance(field, models.TimeField):
        # <input type=time> takes HH:MM; Django's default would write "09:30:00" into it.
        kwargs["widget"] = forms.TimeInput(format="%H:%M", attrs={"type": "time"})
    elif isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        kwargs["widget"] = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    elif isinstance(field, models.TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 3})
    return field.formfield(**kwargs)


class _ChildForm(forms.ModelForm):
    """One child row: its fields, the key of the row it changes (empty: a new one), and a
    "remove" box."""

    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)
    remove = forms.BooleanField(label=_("Remove"), required=False)
    title = where = ""  # how the form names the row (RecordForms sets them)
    open = False  # an added row shows when it holds something or an error

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _cap_lengths(self)

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


def _child_form(model, fields, defaults=(), **meta):
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": fields,
            "model_defaults": set(defaults),
            "formfield_callback": _formfield,
            **meta,
        },
    )
    return type(f"{model.__name__}ProposalForm", (_ChildForm,), {"Meta": meta})


ServiceForm = _child_form(Service, SERVICE_FIELDS, defaults=("status",))
LocationForm = _child_form(Location, LOCATION_FIELDS)
PhoneForm = _child_form(
    Phone,
    PHONE_FIELDS,
    defaults=("kind",),
    field_classes={"number": PhoneNumberField},
    help_texts={"number": _("For example (450) 555-0154. The extension has its own box.")},
    widgets={"extension": forms.TextInput(attrs={"inputmode": "numeric"})},
)
HoursForm = _child_form(OpeningHours, HOURS_FIELDS, defaults=("weekday",))


def _too_many_added(added: int | None = None) -> str:
    if added is None:
        return ngettext(
            "Too many additions in one answer: at most %(count)d. Send it with fewer, then "
            "add the others in a new answer.",
            "Too many additions in one answer: at most %(count)d. Send it with fewer, then "
            "add the others in a new answer.",
            MAX_ADDED_ROWS,
        ) % {"count": MAX_ADDED_ROWS}
    return ngettext(
        "At most %(count)d addition in one answer (this one makes %(added)d): send it with "
        "fewer, then add the others in a new answer.",
        "At most %(count)d additions in one answer (this one makes %(added)d): send it with "
        "fewer, then add the others in a new answer.",
        MAX_ADDED_ROWS,
    ) % {"count": MAX_ADDED_ROWS, "added": added}


class _Rows(forms.BaseFormSet):
    """A list of rows that one answer may lengthen by ``MAX_ADDED_ROWS`` at most."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Past ``absolute_max`` Django refuses the list before any row is read: the same words
        # (Django formats this message with the list's size, which it does not contain).
        self.error_messages["too_many_forms"] = _too_many_added().replace("%", "%%")

    def clean(self):
        known = {str(row.get("key")) for row in self.initial or [] if row.get("key")}
        added = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None)
            and not form.cleaned_data.get("remove")
            and not form.is_blank()
            and (form.cleaned_data.get("key") or "") not in known
        ]
        if len(added) > MAX_ADDED_ROWS:
            raise ValidationError(_too_many_added(len(added)), code="too_many_added")


def _formset(form, extra, rows: int):
    """The formset of a list that holds ``rows`` rows: never more forms built than those plus
    ``ROWS_BUILT_BEYOND_RECORD``, whatever the request's TOTAL_FORMS says (Django's
    ``absolute_max``); ``_Rows.clean`` counts the additions among them."""
    most = rows + max(ROWS_BUILT_BEYOND_RECORD, extra)
    return forms.formset_factory(form, formset=_Rows, extra=extra, max_num=most, absolute_max=most)


class OrganisationProposalForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS
        formfield_callback = _formfield

    submitter_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name, so that our team knows who answered.")},
    )
    submitter_email = forms.EmailField(
        label=_("Your email"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": _(
                "Enter your email, so that we can tell you when the changes are published."
            ),
            "invalid": _("Enter an email address like name@example.org."),
        },
    )
    note = forms.CharField(
        label=_("Note to the 211 (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Anything we should know: a change coming soon, a question."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _cap_lengths(self)

    def validate_unique(self):
        """The organisation's own name and address stay unique in the admin, on publication."""


def _value(form, name: str):
    """A field's value as a revision's content holds it, taken from the form's instance: the
    model's own cleaning has run on it (a phone number in its international form)."""
    field = form.instance._meta.get_field(name)
    value = getattr(form.instance, field.attname)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _python(model, name: str, value):
    """A revision's stored value ("09:30:00") as the model's own type (a time), which the
    form's inputs know how to show (« 09:30 »)."""
    if value in (None, ""):
        return value
    try:
        return model._meta.get_field(name).to_python(value)
    except ValidationError:
        return value


def _initial(model, rows: list[dict], fields: list[str]) -> list[dict]:
    return [
        {"key": str(row.get("pk") or ""), **{f: _python(model, f, row.get(f)) for f in fields}}
        for row in rows
    ]


def _service_display(row: dict) -> str:
    return row.get("name_fr") or row.get("name_en") or gettext("Service")


def _place_display(row: dict) -> str:
    return row.get("name") or row.get("street_address") or gettext("Place")


def _phone_display(row: dict) -> str:
    """« (450) 555-0154, poste 204 », as the public page shows it."""
    return Phone(number=row.get("number") or "", extension=row.get("extension") or "").display


def _hours_display(row: dict) -> str:
    day = dict(OpeningHours.Weekday.choices).get(row.get("weekday"), "")
    opens, closes = (_python(OpeningHours, f, row.get(f)) for f in ("opens", "closes"))
    if opens and closes:
        return f"{day} {clock(opens)} – {clock(closes)}"
    return str(day)


@dataclass
class Section:
    """A part of the form the organisation opens when it has something to change there (a
    <details>): open when it holds a change or an error."""

    id: str
    title: str
    summary: str
    changed: bool = False
    errors: int = 0

    @property
    def open(self) -> bool:
        return self.changed or bool(self.errors)


@dataclass
class Problem:
    """One line of the error summary: what is wrong, and the id of what to correct."""

    target: str
    message: str


@dataclass
class _Inspection:
    sections: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


def _where(*parts) -> str:
    return ", ".join(str(part) for part in parts if part)


class RecordForms:
    """The organisation's form and its lists (services, places with their hours, phones), bound
    to ``data`` or prefilled from ``content`` (the published record, as revision content, or the
    organisation's own answer still waiting, laid over it: then ``published`` is the record as
    the public sees it, to open the sections that answer changes)."""

    def __init__(self, content: dict, data=None, submitter: dict | None = None, published=None):
        self.base = content
        self.published = published if published is not None else content
        initial = {f: content.get(f) for f in ORGANISATION_FIELDS}
        initial.update(submitter or {})
        self.organisation = OrganisationProposalForm(data, initial=initial, prefix="org")
        services, phones = content.get("services", []), content.get("phones", [])
        self.services = _formset(ServiceForm, EXTRA_ROWS, len(services))(
            data,
            initial=_initial(Service, services, SERVICE_FIELDS),
            prefix="services",
        )
        self.phones = _formset(PhoneForm, EXTRA_ROWS, len(phones))(
            data,
            initial=_initial(Phone, phones, PHONE_FIELDS),
            prefix="phones",
        )
        locations = content.get("locations", [])
        self.locations = _formset(LocationForm, EXTRA_ROWS, len(locations))(
            data,
            initial=_initial(Location, locations, LOCATION_FIELDS),
            prefix="locations",
        )
        municipalities = Territory.objects.exclude(
            kind__in=[Territory.Kind.REGION, Territory.Kind.SECTOR]
        ).order_by("name")
        self.hours = []
        for index, form in enumerate(self.locations.forms):
            form.fields["municipality"].queryset = municipalities
            rows = locations[index].get("hours", []) if index < len(locations) else []
            self.hours.append(
                _formset(HoursForm, EXTRA_HOURS, len(rows))(
                    data,
                    initial=_initial(OpeningHours, rows, HOURS_FIELDS),
                    prefix=f"hours-{index}",
                )
            )
        for form, hours in zip(self.locations.forms, self.hours, strict=True):
            form.hours = hours  # the template shows each place's hours under it
        self._name_rows()
        self._inspection = None

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

    @property
    def sections(self) -> dict[str, Section]:
        """The form's sections (organisation, services, places, phones), in order."""
        return self._inspect().sections

    @property
    def problems(self) -> list[Problem]:
        """Every error, in the order of the page, each with the id of what to correct."""
        return self._inspect().problems

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

    def _name_rows(self) -> None:
        """The words each row goes by: ``title`` in its legend (for a blank row, the words
        that open it), ``where`` in the error summary."""
        names = [
            (self.services.forms, _("Add a service"), _("New service"), _service_display),
            (self.locations.forms, _("Add a place"), _("New place"), _place_display),
            (self.phones.forms, _("Add a phone number"), _("New phone number"), _phone_display),
        ] + [
            (hours.forms, _("Add opening hours"), _("New opening hours"), _hours_display)
            for hours in self.hours
        ]
        for forms_, add, new, display in names:
            for form in forms_:
                if form.initial.get("key"):
                    form.title = form.where = display(form.initial)
                else:
                    form.title, form.where = add, new

    def _inspect(self) -> _Inspection:
        if self._inspection is not None:
            return self._inspection
        bound = self.organisation.is_bound
        if bound:
            self.is_valid()  # every message, once
        found = _Inspection()
        content, published = self.base, self.published

        def differs(key):
            return content.get(key) != published.get(key)

        # The organisation's own fields.
        organisation = Section(
            "section-organisation",
            gettext("Your organisation"),
            gettext("Name, descriptions, email, website"),
            changed=any(differs(name) for name in ORGANISATION_FIELDS)
            or (bound and any(n in self.organisation.changed_data for n in ORGANISATION_FIELDS)),
        )
        for message in self.organisation.non_field_errors():
            found.problems.append(Problem(organisation.id, message))
            organisation.errors += 1
        for name in ORGANISATION_FIELDS:
            bound_field = self.organisation[name]
            for message in bound_field.errors:
                found.problems.append(
                    Problem(bound_field.id_for_label, self._message(bound_field.label, message))
                )
                organisation.errors += 1
        found.sections["organisation"] = organisation

        services = content.get("services", [])
        names = [s.get("name_fr") or s.get("name_en") or "" for s in services]
        found.sections["services"] = self._list_section(
            Section(
                "section-services",
                gettext("Services"),
                ngettext(
                    "%(count)d service: %(names)s", "%(count)d services: %(names)s", len(names)
                )
                % {"count": len(names), "names": ", ".join(names)}
                if names
                else gettext("No service yet"),
                changed=differs("services"),
            ),
            [(self.services, None)],
            found,
        )

        locations = content.get("locations", [])
        slots = sum(len(row.get("hours", [])) for row in locations)
        places = ngettext("%(count)d place", "%(count)d places", len(locations)) % {
            "count": len(locations)
        }
        times = ngettext("%(count)d opening time", "%(count)d opening times", slots) % {
            "count": slots
        }
        found.sections["places"] = self._list_section(
            Section(
                "section-places",
                gettext("Places and opening hours"),
                _where(places, times) if locations else gettext("No place yet"),
                changed=differs("locations"),
            ),
            [(self.locations, None)]
            + [
                (hours, form.where)
                for form, hours in zip(self.locations.forms, self.hours, strict=True)
            ],
            found,
        )

        for place, hours in zip(self.locations.forms, self.hours, strict=True):
            added = [form for form in hours.forms if not form.initial.get("key")]
            hours.add_open = any(form.open for form in added)
            place.open = place.open or any(form.open for form in hours.forms)

        phones = [_phone_display(row) for row in content.get("phones", [])]
        found.sections["phones"] = self._list_section(
            Section(
                "section-phones",
                gettext("Phones"),
                ", ".join(phones) if phones else gettext("No phone number yet"),
                changed=differs("phones"),
            ),
            [(self.phones, None)],
            found,
        )

        # Who answers: its messages say which field they are about.
        for name in SUBMITTER_FIELDS:
            bound_field = self.organisation[name]
            for message in bound_field.errors:
                where = None if name != "note" else bound_field.label
                found.problems.append(
                    Problem(bound_field.id_for_label, self._message(where, message))
                )
        self._inspection = found
        return found

    def _list_section(self, section: Section, formsets, found: _Inspection) -> Section:
        bound = self.organisation.is_bound
        for formset, parent in formsets:
            for message in formset.non_form_errors():
                where = parent or section.title
                found.problems.append(Problem(section.id, self._message(where, message)))
                section.errors += 1
            for form in formset.forms:
                form.open = bool(form.errors) or (bound and form.has_changed())
                section.changed = section.changed or (bound and form.has_changed())
                row = _where(parent, form.where)
                for message in form.non_field_errors():
                    found.problems.append(Problem(form.prefix, self._message(row, message)))
                    section.errors += 1
                for name in form.errors:
                    if name == "__all__":
                        continue
                    bound_field = form[name]
                    for message in bound_field.errors:
                        found.problems.append(
                            Problem(
                                bound_field.id_for_label,
                                self._message(_where(row, bound_field.label), message),
                            )
                        )
                        section.errors += 1
        return section

    @staticmethod
    def _message(where, message) -> str:
        if not where:
            return str(message)
        return gettext("%(where)s: %(message)s") % {"where": where, "message": message}

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
