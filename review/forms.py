from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SUGGESTION_MAX_LENGTH


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
