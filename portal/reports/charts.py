"""SVG bar charts as markup: role="img" named by their <title>, described by the text summary.

Horizontal bars, one group per category and one bar per series, each bar labelled with
its series and value, so nothing depends on colour alone (WCAG 1.4.1) and the figures a
public version suppresses ("fewer than 5") get no bar. Every chart is shown next to its
text summary and the data table it was drawn from (templates/reports/_table.html).
Presentation attributes only: the Content-Security-Policy allows no inline styles.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Narrow on purpose: drawn at about its own size in half the page on a desktop, and scaled
# down least on a 320px phone, where the figures are also in the table beside it.
WIDTH = 330
LABEL_GAP = 5
BAR = 14  # bar height
ROW = 19  # space per bar
LINE = 18  # a line of a category's name, above its bars
GROUP_GAP = 9
MAX_BAR = 140  # the longest bar; the rest of the width is for its label
WRAP = 40  # characters per line of a category's name
# GOV.UK palette colours with at least 3:1 contrast on white (WCAG 1.4.11).
COLOURS = ("#1d70b8", "#505a5f", "#00703c", "#4c2c92")
INK = "#0b0c0c"
FONT = 'font-family="Arial, sans-serif" font-size="14"'


@dataclass(frozen=True)
class Series:
    name: str  # e.g. "2022-23" or "April to June"
    values: Sequence[int | None]  # None: not shown (suppressed)
    labels: Sequence[str]  # the values as the table shows them


def _bars(x_scale: float, top: float, series: Sequence[Series], index: int) -> list[str]:
    out = []
    for s, one in enumerate(series):
        y = top + s * ROW
        value = one.values[index]
        length = 0.0 if not value else max(2.0, value * x_scale)
        if length:
            colour = COLOURS[s % len(COLOURS)]
            out.append(f'<rect x="0" y="{y:.0f}" width="{length:.1f}" height="{BAR}" fill="{colour}"/>')
        text = escape(f"{one.name}: {one.labels[index]}")
        x = length + LABEL_GAP
        out.append(f'<text x="{x:.1f}" y="{y + BAR - 2:.0f}" {FONT} fill="{INK}">{text}</text>')
    return out


def _name(category: str, top: float) -> tuple[list[str], float]:
    """The category's name in bold, wrapped onto as many lines as it needs; returns its height."""
    lines = textwrap.wrap(category, WRAP) or [""]
    tspans = "".join(
        f'<tspan x="0" y="{top + LINE * (i + 1) - 4:.0f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return [f'<text {FONT} font-weight="bold" fill="{INK}">{tspans}</text>'], LINE * len(lines) + 2


def bar_chart(chart_id: str, title: str, categories: Sequence[str], series: Sequence[Series]) -> Markup:
    """A horizontal grouped bar chart; `chart_id` must be unique on the page.

    Its accessible name is the title; its description is the text summary shown beside it,
    which the page gives the id "<chart_id>-summary".
    """
    largest = max((v or 0 for s in series for v in s.values), default=0)
    x_scale = MAX_BAR / largest if largest else 0.0
    body, top = [], 0.0
    for i, category in enumerate(categories):
        name, height = _name(category, top)
        body += name + _bars(x_scale, top + height, series, i)
        top += height + ROW * len(series) + GROUP_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="portal-chart" role="img" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-summary" '
        f'viewBox="0 0 {WIDTH} {top:.0f}" width="100%" preserveAspectRatio="xMinYMin meet" '
        'focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    parts += [*body, "</svg>"]
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped
