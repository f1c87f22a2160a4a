"""Opening hours with their zone, as HSDS 3.0 lets a schedule carry one.

HSDS says a time without a zone is UTC. Its schedule has no field for a zone's name: ``timezone``
is a number (hours from UTC) and ``opens_at``/``closes_at`` take an offset (``09:00-05:00``). The
211's hours are Montréal's local time (``settings.TIME_ZONE``, America/Toronto), whose offset
moves with daylight saving time, so one fixed offset would be wrong half the year.

Each schedule is a weekly opening (``byday``), and what a consumer reads it for is the next time
it happens: its offset is the one in effect on its next day from the day of the answer (today in
Montréal), at its own time. Answered on a Saturday before the clocks go back, Saturday's hours
say ``-04:00`` and Monday's ``-05:00``. The zone's name is given where a name fits: the API's
root, its OpenAPI document and the data package's descriptor.

What the offsets are depends on the day only through :func:`window_key`: the offset of the coming
week when it has one, else the day itself (the seven days around each change). The API's ETag and
Last-Modified and the stored data package follow it, so a cached answer never keeps last week's
offset.
"""

import functools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

WEEK = 7


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def zone_name() -> str:
    return settings.TIME_ZONE


def today() -> date:
    """The day of the answer, in Montréal."""
    return timezone.localdate()


def next_on(weekday: int, start: date) -> date:
    """The first day on or after ``start`` that is ``weekday`` (ISO: 1 Monday … 7 Sunday)."""
    return start + timedelta(days=(weekday - start.isoweekday()) % WEEK)


def offset_at(day: date, at: time) -> timedelta:
    """The zone's offset from UTC at ``at`` on ``day``, local time. A time the clocks skip (2:30
    the day they go forward) takes the offset before the change, as ``zoneinfo`` does."""
    return datetime.combine(day, at, tzinfo=zone()).utcoffset()


def hours(offset: timedelta) -> int | float:
    """``timezone``'s number: hours from UTC (-5, -4; a half hour as .5 where zones have one)."""
    value = offset.total_seconds() / 3600
    return int(value) if value.is_integer() else value


def with_offset(at: time, offset: timedelta) -> str:
    """``09:00-05:00``: HH:MM, as HSDS writes times, and the offset."""
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{at.strftime('%H:%M')}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def window_key(day: date) -> str:
    """What the offsets of schedules answered on ``day`` depend on: the offset when the week from
    ``day`` has one (no change of the clocks in it), else ``day`` itself."""
    start = offset_at(day, time.min)
    end = offset_at(day + timedelta(days=WEEK), time.min)
    # Changes of the clocks are months apart: equal ends mean none between them.
    return f"{hours(start):+}" if start == end else day.isoformat()


def window_since(day: date) -> datetime:
    """Midnight in Montréal of the first day whose answers have the offsets of ``day``'s (the day
    ``window_key`` last changed): a client's copy from before it is stale."""
    return _window_since(day, settings.TIME_ZONE)


@functools.lru_cache(maxsize=8)
def _window_since(day: date, _zone_name: str) -> datetime:
    key = window_key(day)
    first = day
    for _ in range(400):  # the key of an offset lasts less than a year
        before = first - timedelta(days=1)
        if window_key(before) != key:
            break
        first = before
    return datetime.combine(first, time.min, tzinfo=zone())
