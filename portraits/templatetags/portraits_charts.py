"""The rows of a chart's bars and of its table, written in Python: a report has hundreds of
cells, and Django's template engine (or ``format_html``) costs microseconds a node, a third of
the admin report's time. The markup around them stays in ``portraits/includes/chart.html``;
every text is escaped here (``escape``) before it is marked safe."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..charts import Chart

register = template.Library()


@register.simple_tag
def chart_bars(chart: Chart) -> SafeString:
    """One row a bar: its label, the bar (and last year's), the figure (and last year's)."""
    rows = []
    for bar in chart.bars:
        before = bar.previous is not None
        rows.append(
            f'<div class="bar-row{" bar-row-sub" if bar.level else ""}">'
            f'<span class="bar-label">{escape(bar.label)}</span>'
            f'<span class="bar-track"><span class="bar w-{int(bar.width)}"></span>'
            + (
                f'<span class="bar bar-before w-{int(bar.previous_width)}"></span>'
                if before
                else ""
            )
            + f'</span><span class="bar-value">{escape(bar.figure)}'
            + (f'<span class="bar-value-before">{escape(bar.previous)}</span>' if before else "")
            + "</span></div>"
        )
    return mark_safe("".join(rows))  # noqa: S308 (every text escaped above)


@register.simple_tag
def chart_table(chart: Chart) -> SafeString:
    """The table's head and body: a header cell a column, a header cell a row."""
    head = "".join(f'<th scope="col">{escape(column)}</th>' for column in chart.table.columns)
    rows = []
    for row in chart.table.rows:
        kind = ' class="row-total"' if row.total else ' class="row-sub"' if row.level else ""
        cells = "".join(f"<td>{escape(cell)}</td>" for cell in row.cells)
        rows.append(f'<tr{kind}><th scope="row">{escape(row.header)}</th>{cells}</tr>')
    html = f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
    return mark_safe(html)  # noqa: S308 (every text escaped above)
