"""Dates in the admin as people read them: « 8 décembre 2026 », then how far it is from today in
days or months (« dans 2 jours », « en retard de 3 jours », « il y a 11 mois »).

Wagtail's own date cells say « Il y a 0 minute » for a review due on a later day: a due date is a
day, not an instant, and it is mostly in the future.
"""

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

# Up to this many days away, a date is counted in days; past that, in weeks or months.
DAYS_SHOWN_AS_DAYS = 60


def as_day(value) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def days_from_today(value, *, today: date | None = None, late_word: bool = False) -> str:
    """How far ``value`` (a date or datetime) is from today, in words: « aujourd’hui »,
    « demain », « dans 2 jours », « hier », « il y a 3 jours », « il y a 11 mois ». With
    ``late_word`` a past date reads « en retard de 3 jours » (a due date)."""
    day = as_day(value)
    if day is None:
        return ""
    today = today or timezone.localdate()
    delta = (day - today).days
    if delta == 0:
        return _("today")
    if delta == 1:
        return _("tomorrow")
    if delta == -1 and not late_word:
        return _("yesterday")
    if 0 < delta <= DAYS_SHOWN_AS_DAYS:
        return ngettext("in %(count)d day", "in %(count)d days", delta) % {"count": delta}
    if delta > 0:
        return _("in %(time)s") % {"time": timesince(today, day, depth=1)}
    if late_word:
        if -delta <= DAYS_SHOWN_AS_DAYS:
            return ngettext("%(count)d day overdue", "%(count)d days overdue", -delta) % {
                "count": -delta
            }
        return _("%(time)s overdue") % {"time": timesince(day, today, depth=1)}
    if -delta <= DAYS_SHOWN_AS_DAYS:
        return ngettext("%(count)d day ago", "%(count)d days ago", -delta) % {"count": -delta}
    return _("%(time)s ago") % {"time": timesince(day, today, depth=1)}


@register.filter
def day(value) -> str:
    """« 8 décembre 2026 » / "December 8, 2026"."""
    found = as_day(value)
    return date_format(found, "DATE_FORMAT") if found else ""


@register.filter
def from_today(value) -> str:
    return days_from_today(value)


@register.filter
def due_from_today(value) -> str:
    """As ``from_today``, a past date being late: « en retard de 3 jours »."""
    return days_from_today(value, late_word=True)
