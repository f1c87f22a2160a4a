"""The quality panel on an organisation's edit page (first tab, see ``wagtail_hooks.py``)."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.panels import Panel

from ..hooks import verification_url
from .selectors import Problem, record_quality

# A problem found on a service, a place or a phone is on that child's form, in this formset.
PART_FORMSETS = {"service": "services", "location": "locations", "phone": "phones"}
# Read-only on the form: only a verification changes them (hooks.VERIFICATION_URL).
VERIFICATION_FIELDS = {"last_verified_at", "next_review_due"}


def quality_anchor(form, problem: Problem) -> str:
    """The id of the element of the edit form a stored problem is about: the field's input
    (``id_email``, ``id_services-0-categories``), else the child's panel
    (``inline_child_phones-1``), else, for a missing child (no phone at all), the formset's "Add"
    button; "" when the form has no such place (a child deleted in the draft since the check).

    The ids come from the form, not from the panels: Wagtail makes panel ids out of headings, in
    the user's language."""
    formsets = getattr(form, "formsets", {})
    if problem.part in PART_FORMSETS:
        formset = formsets.get(PART_FORMSETS[problem.part])
        for subform in formset.forms if formset is not None else []:
            if str(subform.instance.uuid) == problem.child_uuid:
                if problem.field in subform.fields:
                    return subform[problem.field].auto_id
                return f"inline_child_{subform.prefix}"
        return ""
    if problem.field in form.fields:
        return form[problem.field].auto_id
    formset = formsets.get(problem.field)
    if formset is None:
        return ""
    if formset.forms:
        return f"inline_child_{formset.forms[0].prefix}"
    return f"id_{formset.prefix}-ADD"


class QualityPanel(Panel):
    """What the last quality check stored for the record, most severe first, each problem with
    its fix hint and a link to the field (Wagtail's focus controller opens the tab holding it);
    when the record was last checked; its probable duplicates to decide. Read-only: it adds no
    field to the form, and shows only on an existing record's edit form."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", gettext_lazy("Data quality"))
        kwargs.setdefault("icon", "warning")
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "organisations/quality/panel.html"

        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.quality = record_quality(self.instance.pk) if self.is_shown() else None
            if self.quality and self.quality.problems:
                count = len(self.quality.problems)
                # Seen on the collapsed panel too.
                self.heading = ngettext(
                    "Data quality: %(count)d problem", "Data quality: %(count)d problems", count
                ) % {"count": count}

        @property
        def media(self):
            return forms.Media(css={"all": ["organisations/css/quality.css"]})

        def is_shown(self):
            return self.form is not None and getattr(self.instance, "pk", None) is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            verify_url = verification_url(self.instance)
            problems = []
            for problem in self.quality.problems:
                anchor = quality_anchor(self.form, problem)
                fix_url = verify_url if not anchor and problem.field in VERIFICATION_FIELDS else ""
                problems.append({"problem": problem, "anchor": anchor, "fix_url": fix_url})
            context.update(
                {
                    "quality": self.quality,
                    "problems": problems,
                    "duplicates_url": reverse("quality_duplicates"),
                    "report_url": reverse("quality_report"),
                }
            )
            return context
