from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SUGGESTION_MAX_LENGTH, Verification


class SuggestionForm(forms.Form):
    """A visitor's suggested correction. Name and email are optional: a visitor need not say who
    they are to tell us a phone number is wrong."""

    text = forms.CharField(
        label=_("What should we correct or add?"),
        help_text=_(
            "For example: the new phone number, the new opening hours, or a service that no "
            "longer exists. Please do not write personal or confidential information."
        ),
        max_length=SUGGESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": _("Write the correction you suggest.")},
    )
    name = forms.CharField(label=_("Your name (optional)"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Your email (optional)"),
        help_text=_("Only to ask you a question about your suggestion, if we need to."),
        required=False,
    )
    # The honeypot: hidden from people (off-screen, out of the tab order, hidden from screen
    # readers), filled in by the robots that fill in every field. Its name is not one a
    # browser's autofill recognises.
    topic = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The length is checked by the server, which says by how much it is too long: a browser's
        # maxlength would silently cut a pasted text short.
        self.fields["text"].widget.attrs.pop("maxlength", None)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["topic"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def is_from_a_robot(self) -> bool:
        return bool(self.cleaned_data.get("topic"))


# --- The admin: verifications and assignment ------------------------------------------------------

# How a member of staff confirms a record in the admin. The two others are recorded by the
# system: the organisation's own link, and an approved proposal.
STAFF_METHODS = [
    (value, label)
    for value, label in Verification.Method.choices
    if value not in (Verification.Method.LINK_CONFIRMED, Verification.Method.PROPOSAL_APPROVED)
]


class VerificationForm(forms.Form):
    """A curator records that a record was confirmed (by phone, email, visit, a reviewed
    import): its dates move, its content does not."""

    method = forms.ChoiceField(
        label=_("How was it verified?"),
        choices=STAFF_METHODS,
        initial=Verification.Method.PHONE,
        widget=forms.RadioSelect,
    )
    verified_on = forms.DateField(
        label=_("Verified on"),
        # An <input type="date"> reads and writes ISO dates whatever the language; the browser
        # shows them in the curator's own format. Localised ("06/12/2026") it stays empty.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today, unless you are entering an earlier verification."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: “Verified by phone with the coordinator, hours unchanged.”"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["verified_on"].initial = timezone.localdate()
        self.fields["verified_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_verified_on(self):
        day = self.cleaned_data["verified_on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError(_("A verification cannot be in the future."))
        if day < today - timedelta(days=365):
            raise forms.ValidationError(
                _("A verification more than a year old would not count: enter a recent one.")
            )
        return day

    def verified_at(self) -> datetime:
        """The moment to record: now for today, noon for an earlier day."""
        day = self.cleaned_data["verified_on"]
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(day, time(12)))


def curators():
    """The people records can be assigned to: curators and editors, active."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=["Curators", "Editors"])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class CuratorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return user.get_full_name() or user.get_username()


class AssignCuratorForm(forms.Form):
    curator = CuratorChoiceField(
        label=_("Curator"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Nobody (remove the assignment)"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["curator"].queryset = curators()


class ProposalRejectForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the organisation"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent by email in the organisation’s language: say why, and what to do."),
        error_messages={"required": _("Write the message the organisation will receive.")},
    )
