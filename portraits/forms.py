"""The request form: the call (channel, language, territory, age band, note) and its needs.

Needs come in a fixed number of slots (``NEED_SLOTS``); an empty slot is skipped. Each slot is
a need typed in words (``matching.need_match``), a result (referred, information only, or unmet
with its reason, in one list so that a letter picks it) and the organisations given, picked from
the directory's suggestions for that need and territory.
"""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organisations.models import Organisation

from .matching import NeedMatch, PlaceMatch, need_match, place_match
from .models import NOTE_MAX_LENGTH, AgeBand, Channel, Language, Outcome, Reason
from .privacy import identifying
from .services import NeedInput

NEED_SLOTS = 6
# A form sent back holds as many slots as it was sent with, up to this many.
MAX_NEEDS = 20
# The result list: referred, information only, then each reason a need went unmet.
RESULT_CHOICES = [
    (Outcome.REFERRED.value, Outcome.REFERRED.label),
    (Outcome.INFORMATION.value, Outcome.INFORMATION.label),
    (
        gettext_lazy("Unmet, because:"),
        [(f"{Outcome.UNMET}:{reason.value}", reason.label) for reason in Reason],
    ),
]


def _language_choices():
    return [
        *Language.MAIN,
        (gettext_lazy("Other languages"), Language.OTHERS),
    ]


class RequestForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=Channel.choices,
        initial=Channel.PHONE,
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of service"),
        choices=_language_choices,
        initial=Language.FRENCH,
    )
    territory = forms.CharField(
        label=gettext_lazy("Territory"),
        max_length=120,
        help_text=gettext_lazy(
            "Municipality, borough or postal code (only its territory is kept), or « hors région »."
        ),
        widget=forms.TextInput(attrs={"list": "request-places", "autocomplete": "off"}),
    )
    age_band = forms.ChoiceField(
        label=gettext_lazy("Age"),
        choices=[("", gettext_lazy("Not asked")), *AgeBand.choices],
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy(
            "About the need only: no name, phone number, email or address of the person."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, known=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = known
        self.place: PlaceMatch | None = None

    def clean_territory(self) -> str:
        text = self.cleaned_data["territory"]
        self.place = place_match(text, self.known)
        if not self.place.found:
            raise forms.ValidationError(self.place.error)
        return text

    def clean_note(self) -> str:
        note = " ".join(self.cleaned_data["note"].split())
        problem = identifying(note)
        if problem:
            raise forms.ValidationError(
                _("Note: %(problem)s. Write nothing that identifies the person.")
                % {"problem": problem}
            )
        return note


class _Ids(forms.Field):
    """Organisation ids from checkboxes (the choices are the suggestions of the moment, so
    they are checked against the directory by ``NeedForms``, not here)."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        try:
            return list(dict.fromkeys(int(v) for v in value))
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Pick organisations from the list.")) from None


class NeedForm(forms.Form):
    need = forms.CharField(
        label=gettext_lazy("Need"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"list": "request-needs", "autocomplete": "off"}),
    )
    result = forms.ChoiceField(
        label=gettext_lazy("Result"),
        choices=RESULT_CHOICES,
        initial=Outcome.REFERRED,
        required=False,  # an empty slot sends one too; a need without a result is refused below
    )
    organisations = _Ids(label=gettext_lazy("Organisations given"), required=False)

    def __init__(self, *args, known=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = known
        self.match: NeedMatch | None = None

    @property
    def is_blank(self) -> bool:
        return not (self.data.get(self.add_prefix("need")) or "").strip()

    def clean(self):
        data = super().clean()
        text = (data.get("need") or "").strip()
        if not text:
            return data
        self.match = need_match(text, self.known)
        if self.match.category is None:
            self.add_error("need", self.match.error)
            return data
        if not data.get("result"):
            self.add_error("result", _("Choose what came of this need."))
            return data
        outcome, _sep, reason = data["result"].partition(":")
        data["outcome"], data["reason"] = outcome, reason
        if outcome == Outcome.REFERRED and not data.get("organisations"):
            self.add_error(
                "organisations",
                _("Tick the organisations given, or choose « %(information)s ».")
                % {"information": Outcome.INFORMATION.label},
            )
        if outcome != Outcome.REFERRED:
            data["organisations"] = []
        return data


class NeedForms:
    """The need slots of one request, validated together: the organisations ticked in every
    slot are checked against the directory in one query."""

    def __init__(self, data=None, *, known=None, initial: list[dict] | None = None, slots=None):
        initial = initial or []
        sent = 0
        if data is not None:
            sent = next((i + 1 for i in reversed(range(MAX_NEEDS)) if f"need-{i}-need" in data), 0)
        count = min(max(slots or NEED_SLOTS, len(initial) + 1, sent), MAX_NEEDS)
        self.forms = [
            NeedForm(
                data,
                prefix=f"need-{i}",
                known=known,
                initial=initial[i] if i < len(initial) else None,
            )
            for i in range(count)
        ]
        self.non_form_errors: list[str] = []
        self._inputs: list[NeedInput] = []

    def __iter__(self):
        return iter(self.forms)

    def is_valid(self) -> bool:
        valid = all([form.is_valid() for form in self.forms])  # every slot's errors
        filled = [f for f in self.forms if f.is_bound and not f.is_blank]
        if not filled:
            self.non_form_errors.append(_("Type at least one need."))
            return False
        if not valid:
            return False
        wanted = {pk for form in filled for pk in form.cleaned_data["organisations"]}
        public = dict(
            Organisation.objects.filter(pk__in=wanted, live=True).values_list("pk", "name")
        )
        for form in filled:
            missing = [pk for pk in form.cleaned_data["organisations"] if pk not in public]
            if missing:
                form.add_error("organisations", _("This organisation is no longer public."))
                valid = False
        if not valid:
            return False
        self._inputs = [
            NeedInput(
                category=form.match.category,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
                organisations=[(pk, public[pk]) for pk in form.cleaned_data["organisations"]],
            )
            for form in filled
        ]
        return True

    def inputs(self) -> list[NeedInput]:
        return self._inputs

    @property
    def errors(self) -> bool:
        return bool(self.non_form_errors) or any(form.errors for form in self.forms)
