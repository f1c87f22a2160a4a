"""What changed in a record, in words: the comparison Wagtail shows in a record's history, in the
workflow ("compare with the live version") and in a proposal's review.

Wagtail builds the comparison from the edit handler's panels (each ``FieldPanel`` gives a
``FieldComparison`` class, each ``InlinePanel`` a ``ChildRelationComparison``). Left as they come,
they show what the 211 never edits (coordinates, geocoding results, order) and say little of what
it does: a nested list of opening hours renders as an empty row, a phone as ``+14505550154``,
a checkbox as ``True``. ``TabbedInterfaceInWords`` is the record's edit handler with its
comparison put through :func:`in_words`, which keeps Wagtail's classes and machinery and swaps in
the ones below:

- internal fields are left out (``HIDDEN_FIELDS``); "confidential address" shows only when it
  changes (or on a new place that is confidential), in words;
- in lists (services, places, phones...), only the rows that changed are shown, each saying
  whether it was added, removed or changed, named by its identifying fields, then only the fields
  that changed (every filled field for a row added or removed);
- opening hours read « vendredi 9 h 30 – 12 h → samedi 9 h 30 – 12 h »; phones « (450) 555-0154
  poste 204 »; yes/no, choices by their label, needs and places by their name (Wagtail's own).
"""

import functools
from datetime import time

from django.db import models
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, pgettext
from wagtail.admin import compare
from wagtail.admin.panels import TabbedInterface

from .phones import format_phone_national

# Derived or internal: written by geocoding, ordering or the system, never typed by a person.
HIDDEN_FIELDS = frozenset(
    {
        "latitude",
        "longitude",
        "coordinates_locked",
        "geocode_precision",
        "geocode_source",
        "geocoded_at",
        "geocoded_address",
        "geocode_doubt",
        "geocode_label",
        "sort_order",
        "uuid",
        # Shown with the phone's number (« (450) 555-0154 poste 204 »).
        "extension",
    }
)

# The fields that name a row of a list, shown (unchanged) above what changed in it.
IDENTIFYING_FIELDS = {
    "service": ("name_fr",),
    "location": ("name", "street_address"),
    "phone": ("number",),
    "contact": ("name",),
    "organisationidentifier": ("scheme", "identifier"),
}

ARROW = "→"


def _diff(before: str, after: str):
    """« before → after » with Wagtail's deletion and addition marks; one side alone when the
    other is empty."""
    if before == after:
        return escape(before)
    parts = []
    if before:
        parts.append(format_html('<span class="deletion">{}</span>', before))
    if before and after:
        parts.append(format_html(' <span aria-hidden="true">{}</span> ', ARROW))
        parts.append(
            format_html('<span class="w-sr-only">{}</span> ', pgettext("comparison", "becomes"))
        )
    if after:
        parts.append(format_html('<span class="addition">{}</span>', after))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - parts are escaped


def yes_no(value) -> str:
    if value is None:
        return ""
    return gettext("Yes") if value else gettext("No")


def clock(value) -> str:
    """A time as people read it here: « 9 h 30 » in French, "9:30 a.m." in English (the
    public directory's own filter)."""
    from .templatetags.directory_tags import clock as directory_clock

    if isinstance(value, str) and value:
        value = time.fromisoformat(value)
    return directory_clock(value)


def hours_text(row) -> str:
    """« vendredi 9 h 30 – 12 h (note) »: French day names are not capitalised."""
    day = str(row.get_weekday_display())
    day = day.lower() if _french() else day
    # A time or a number is not broken over two lines (« 9 h » / « 30 ») on a phone.
    opens, closes = _whole(clock(row.opens)), _whole(clock(row.closes))
    text = day
    if opens or closes:
        text = f"{day} {opens} – {closes}".rstrip(" –")
    note = row.note
    return f"{text} ({note})" if note else text


def phone_text(row) -> str:
    """« (450) 555-0154 poste 204 »."""
    text = _whole(format_phone_national(row.number))
    if row.extension:
        text = f"{text} {_whole(gettext('ext.') + ' ' + row.extension)}"
    return text


def _whole(text: str) -> str:
    return text.replace(" ", "\u00a0")


def _french() -> bool:
    from django.utils import translation

    return (translation.get_language() or "fr")[:2] == "fr"


# --- Fields ----------------------------------------------------------------------------------------


class WordsComparison(compare.FieldComparison):
    """A field shown as people read it: ``display`` turns a stored value into words."""

    def display(self, value) -> str:
        if value is None:
            return ""
        return str(value)

    def htmldiff(self):
        return _diff(self.display(self.val_a), self.display(self.val_b))


class TextComparison(compare.TextFieldComparison):
    """Wagtail's word diff, with a space between a word struck out and the word that replaces
    it (« vendredi samedi », not « vendredisamedi », for a screen reader as for the eye)."""

    def htmldiff(self):
        html = str(super().htmldiff())
        html = html.replace('</span><span class="addition">', '</span> <span class="addition">')
        return mark_safe(html)  # noqa: S308 - Wagtail's escaped diff, a space added


class BooleanComparison(WordsComparison):
    def display(self, value) -> str:
        return yes_no(value)


class ConfidentialComparison(BooleanComparison):
    """A shelter's address kept from the public: said in full when it changes."""

    def display(self, value) -> str:
        if value is None:
            return ""
        if value:
            return gettext("Yes: the public sees only the municipality")
        return gettext("No: the address is public")

    def is_worth_showing(self) -> bool:
        return self.has_changed() or bool(self.val_b)


class TimeComparison(WordsComparison):
    def display(self, value) -> str:
        return clock(value)


class PhoneNumberComparison(WordsComparison):
    """The number and its extension together, as people dial them."""

    def __init__(self, field, obj_a, obj_b):
        super().__init__(field, obj_a, obj_b)
        self.val_a = phone_text(obj_a) if obj_a is not None else ""
        self.val_b = phone_text(obj_b) if obj_b is not None else ""


class StatusComparison:
    """The first line of a changed row: added, removed or changed, in words."""

    is_field = True
    is_child_relation = False

    def __init__(self, status: str):
        self.status = status

    def field_label(self):
        return pgettext("comparison", "Change")

    def htmldiff(self):
        return {
            "added": pgettext("comparison", "Added"),
            "removed": pgettext("comparison", "Removed"),
            "changed": pgettext("comparison", "Changed"),
        }[self.status]

    def has_changed(self):
        return False


# --- Lists of rows (services, places, phones...) ---------------------------------------------------


class RowComparison(compare.ChildObjectComparison):
    """One row of a list: the fields that name it, then only what changed in it."""

    def get_position_change(self):
        return None  # the order of rows is not something people edit here

    def _compare(self, field_comparison, obj_a, obj_b):
        return field_comparison(obj_a, obj_b)

    def get_field_comparisons(self):
        if self.is_addition() or self.is_deletion():
            obj = self.obj_a or self.obj_b
            shown = [StatusComparison("added" if self.is_addition() else "removed")]
            for field_comparison in self.field_comparisons:
                comparison = field_comparison(obj, obj)
                if _is_filled(comparison):
                    shown.append(comparison)
            return shown
        changed, names = [], []
        identifying = IDENTIFYING_FIELDS.get(self.model._meta.model_name, ())
        for field_comparison in self.field_comparisons:
            comparison = field_comparison(self.obj_a, self.obj_b)
            if comparison.has_changed():
                changed.append(comparison)
            elif _field_name(comparison) in identifying and _is_filled(comparison):
                names.append(comparison)
        if not changed:
            return []
        return [StatusComparison("changed"), *names, *changed]

    def has_changed(self):
        if self.is_addition() or self.is_deletion():
            return True
        return any(
            field_comparison(self.obj_a, self.obj_b).has_changed()
            for field_comparison in self.field_comparisons
        )

    def get_num_differences(self):
        return sum(
            1
            for field_comparison in self.field_comparisons
            if field_comparison(self.obj_a, self.obj_b).has_changed()
        )


def _field_name(comparison) -> str:
    field = getattr(comparison, "field", None)
    return getattr(field, "name", "")


def _is_filled(comparison) -> bool:
    """Worth a line for a row added or removed: a value, a true box, a non-empty list."""
    if isinstance(comparison, ConfidentialComparison):
        return comparison.is_worth_showing()
    if isinstance(comparison, compare.ChildRelationComparison):
        return bool(list(comparison.val_b.all()))
    value = comparison.val_b
    if isinstance(comparison, compare.M2MFieldComparison):
        return bool(list(value))
    if isinstance(value, bool):
        return value
    return value not in (None, "")


class ListComparison(compare.ChildRelationComparison):
    """A list of rows (services, places, phones, contacts, identifiers): the rows that changed."""

    def get_child_comparison(self, obj_a, obj_b):
        return RowComparison(self.field.related_model, self.field_comparisons, obj_a, obj_b)

    def get_child_comparisons(self):
        return [
            comparison
            for comparison in super().get_child_comparisons()
            if comparison.is_addition() or comparison.is_deletion() or comparison.has_changed()
        ]


class HoursComparison(compare.ChildRelationComparison):
    """A place's opening hours, one line per change: « vendredi 9 h 30 – 12 h → samedi 9 h 30 –
    12 h », « Added: samedi 13 h – 16 h ». Inside a row added or removed, the hours as they are.

    Nested in a place's row, Wagtail renders what ``htmldiff`` returns (it has no template for a
    list inside a list: before this, an empty « Opening hours » row)."""

    is_field = True

    def get_child_comparison(self, obj_a, obj_b):
        return RowComparison(self.field.related_model, self.field_comparisons, obj_a, obj_b)

    def htmldiff(self):
        lines = []
        same_object = self.val_a.instance is self.val_b.instance
        if same_object:  # the place was added or removed: its hours as they are
            lines = [escape(hours_text(row)) for row in self.val_b.all()]
        else:
            for comparison in self.get_child_comparisons():
                if comparison.is_addition():
                    lines.append(
                        format_html(
                            '{} <span class="addition">{}</span>',
                            pgettext("comparison", "Added:"),
                            hours_text(comparison.obj_b),
                        )
                    )
                elif comparison.is_deletion():
                    lines.append(
                        format_html(
                            '{} <span class="deletion">{}</span>',
                            pgettext("comparison", "Removed:"),
                            hours_text(comparison.obj_a),
                        )
                    )
                elif comparison.has_changed():
                    lines.append(_diff(hours_text(comparison.obj_a), hours_text(comparison.obj_b)))
        if not lines:
            return ""
        return format_html(
            '<ul class="comparison__hours">{}</ul>',
            format_html_join("", "<li>{}</li>", ((line,) for line in lines)),
        )


# --- Putting Wagtail's comparison into words -------------------------------------------------------


def _field_class(db_field, wagtail_class):
    if db_field.name == "address_is_confidential":
        return ConfidentialComparison
    if db_field.model.__name__ == "Phone" and db_field.name == "number":
        return PhoneNumberComparison
    if isinstance(db_field, models.BooleanField):
        return BooleanComparison
    if isinstance(db_field, models.TimeField):
        return TimeComparison
    if wagtail_class is compare.TextFieldComparison:
        return TextComparison
    return wagtail_class


def in_words(comparators: list) -> list:
    """Wagtail's comparison classes for a record (``panel.get_comparison()``), internal fields
    left out and the rest swapped for the classes above. Nested lists are handled the same way."""
    result = []
    for comparator in comparators:
        if not isinstance(comparator, functools.partial):
            result.append(comparator)
            continue
        func, args, keywords = comparator.func, comparator.args, comparator.keywords
        if isinstance(func, type) and issubclass(func, compare.ChildRelationComparison):
            db_field, field_comparisons = args[0], args[1]
            model = db_field.related_model
            cls = HoursComparison if model.__name__ == "OpeningHours" else ListComparison
            result.append(
                functools.partial(cls, db_field, in_words(field_comparisons), *args[2:], **keywords)
            )
            continue
        db_field = args[0] if args else None
        if db_field is None or getattr(db_field, "name", "") in HIDDEN_FIELDS:
            if db_field is None:
                result.append(comparator)
            continue
        result.append(functools.partial(_field_class(db_field, func), *args, **keywords))
    return result


class TabbedInterfaceInWords(TabbedInterface):
    """The record's edit handler, unchanged as a form; its comparison put into words."""

    class BoundPanel(TabbedInterface.BoundPanel):
        def get_comparison(self):
            return in_words(super().get_comparison())
