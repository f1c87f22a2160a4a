"""Charts drawn by the server, each with its table and a sentence that says what it shows.

A chart is a list of bars drawn with CSS (``portraits/charts.css``: a bar's length is one of
the classes ``w-0`` to ``w-100``, no inline style: the public site's Content-Security-Policy
forbids them, and no JavaScript). The bars are for the eye; the table beside them holds the same
figures for everyone, screen readers included, and the summary says in one sentence what a
reader should see. The admin reports and the public portraits draw theirs with the same
template (``portraits/includes/chart.html``).
"""

from dataclasses import dataclass, field

from django.utils.formats import number_format

from .published import Figure


@dataclass
class Change:
    """The change from a previous figure, as people read it: « +12 % », « −5 % », « — » when
    either figure is missing or withheld, « nouveau » from nothing."""

    current: int | None
    previous: int | None

    @property
    def percent(self) -> float | None:
        if self.current is None or self.previous is None or self.previous == 0:
            return None
        return (self.current - self.previous) * 100 / self.previous

    def __str__(self) -> str:
        from django.utils.translation import gettext

        if self.current is None or self.previous is None:
            return "—"
        if self.previous == 0:
            return gettext("new") if self.current else "—"
        percent = round(self.percent)
        if percent == 0:
            return "0 %"
        sign = "+" if percent > 0 else "−"
        return f"{sign}{number_format(abs(percent), force_grouping=True)} %"


@dataclass
class Share:
    """A part of a whole, as people read it: « 12,5 % »."""

    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return self.part * 100 / self.whole if self.whole else None

    def __str__(self) -> str:
        if not self.whole:
            return "—"
        return f"{number_format(self.percent, 1)} %"


def change(current: Figure | int | None, previous: Figure | int | None) -> Change:
    return Change(_value(current), _value(previous))


def _value(figure: Figure | int | None) -> int | None:
    if isinstance(figure, Figure):
        return figure.value if figure.shown else None
    return figure


def exact(value: int) -> Figure:
    """An exact figure (the admin's reports): shown whatever its size."""
    return Figure(value)


@dataclass
class Bar:
    label: str
    figure: Figure
    width: int = 0  # 0 to 100: the CSS class w-<width>
    previous: Figure | None = None
    previous_width: int = 0
    level: int = 0  # 1: a need under the family above it


@dataclass
class Row:
    """A row of a table: its header and its cells (figures, changes or text)."""

    header: str
    cells: list
    level: int = 0
    total: bool = False


@dataclass
class Table:
    columns: list[str]  # the header of each column, the rows' header column first
    rows: list[Row] = field(default_factory=list)


@dataclass
class Chart:
    """A chart: ``title``, the one-sentence ``summary``, ``bars``, and ``table`` with the same
    figures. ``series`` names the bars' two series when they have a previous figure."""

    slug: str
    title: str
    summary: str
    bars: list[Bar]
    table: Table
    series: tuple[str, str] | None = None
    note: str = ""


def scaled(bars: list[Bar]) -> list[Bar]:
    """Set each bar's length against the longest shown figure (a shown figure above zero is
    never drawn as nothing)."""
    shown = [
        figure.value
        for bar in bars
        for figure in (bar.figure, bar.previous)
        if figure is not None and figure.shown
    ]
    top = max(shown, default=0)
    for bar in bars:
        bar.width = _width(bar.figure, top)
        if bar.previous is not None:
            bar.previous_width = _width(bar.previous, top)
    return bars


def _width(figure: Figure, top: int) -> int:
    if not figure.shown or not top or not figure.value:
        return 0
    return max(1, round(figure.value * 100 / top))
