"""The report's building blocks: formatted cells, tables, sections, and the names shown for codes.

Every figure is formatted once, so the HTML page, the PDF and the CSV show the same words
and numbers. The public version shows counts from 1 to 4 as "fewer than 5" (with no bar
and no percentage worked out from them) and leaves out all free text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from portal.reports.charts import Series, bar_chart
from portal.reports.figures import Figures, Quote, YearFigures

SMALL = 5  # counts below this (but above 0) are not published
FEWER = "fewer than 5"
SERVICE_AREAS = {
    "send": "SEND and the Statutory Assessment Team",
    "education": "Education",
    "front_door": "Integrated Front Door and assessment",
    "family_safeguarding": "Family safeguarding",
    "children_in_care": "Children in care",
    "care_leavers": "Care leavers",
    "fostering": "Fostering",
    "adoption": "Adoption",
    "disabled_children": "Disabled children",
    "other_social_care": "Other children's social care",
    "targeted_support": "Targeted support",
    "other": "Other",
}
OUTCOME_NAMES = {
    "upheld": "Upheld",
    "partially_upheld": "Partially upheld",
    "not_upheld": "Not upheld",
    "withdrawn": "Withdrawn",
    "outside_remit": "Outside the Ombudsman's remit",
    "closed_after_initial_enquiries": "Closed after initial enquiries",
    "not_recorded": "Not recorded",
}


def area_name(code: str) -> str:
    return SERVICE_AREAS.get(code, code.replace("_", " ").strip().capitalize() or "Not recorded")


@dataclass(frozen=True)
class Cell:
    text: str
    value: int | None = None  # what a chart draws; None when not shown


Rows = tuple[tuple[str, tuple[Cell, ...]], ...]


@dataclass(frozen=True)
class Table:
    id: str
    caption: str
    row_header: str
    columns: tuple[str, ...]
    rows: Rows


@dataclass
class Section:
    id: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    chart: Markup | None = None
    summary: str = ""  # the chart's text summary
    quotes: list[Quote] = field(default_factory=list)


@dataclass
class Report:
    figures: Figures
    public: bool
    sections: list[Section]

    @property
    def version(self) -> str:
        return "public" if self.public else "staff"

    @property
    def title(self) -> str:
        return f"Children's complaints and compliments: annual report {self.figures.period.label}"


class Formatter:
    """Counts and percentages as text, with small numbers suppressed in the public version."""

    def __init__(self, public: bool) -> None:
        self.public = public

    def hidden(self, n: int) -> bool:
        return self.public and 0 < n < SMALL

    def count(self, n: int) -> Cell:
        return Cell(FEWER, None) if self.hidden(n) else Cell(f"{n:,}", n)

    def text(self, n: int) -> str:
        return self.count(n).text

    def percent(self, n: int, total: int) -> Cell:
        if self.hidden(n):
            return Cell("not shown")
        if not total:
            return Cell("not applicable")
        return Cell(f"{round(100 * n / total)}%")


class Builder:
    """What every section needs: the two years, the formatter, rows and charts."""

    def __init__(self, figures: Figures, public: bool) -> None:
        self.cur, self.prev, self.quotes = figures.current, figures.previous, figures.quotes
        self.fmt, self.public = Formatter(public), public
        self.years = (self.cur.period.label, self.prev.period.label)

    def n(self, value: int) -> str:
        return self.fmt.text(value)

    def pairs(self, values: Sequence[tuple[str, int, int]]) -> Rows:
        return tuple((label, (self.fmt.count(a), self.fmt.count(b))) for label, a, b in values)

    def shared(self, values: Sequence[tuple[str, int, int]], total: int) -> Rows:
        """This year, its share of `total`, last year."""
        f = self.fmt
        return tuple((label, (f.count(a), f.percent(a, total), f.count(b))) for label, a, b in values)

    def chart(
        self, section: Section, table: Table, columns: Sequence[int] = (0, -1), skip_last: bool = False
    ) -> None:
        """Chart the given columns of the table, one bar series each."""
        rows = table.rows[:-1] if skip_last else table.rows
        if not rows:
            return  # nothing to draw: the summary says so
        series = [
            Series(
                table.columns[c], [cells[c].value for _, cells in rows], [cells[c].text for _, cells in rows]
            )
            for c in columns
        ]
        section.chart = bar_chart(f"chart-{section.id}", table.caption, [label for label, _ in rows], series)

    def ranked(self, cur: Counter[str], prev: Counter[str]) -> list[str]:
        return sorted(set(cur) | set(prev), key=lambda k: (-cur[k], -prev[k], k))

    @staticmethod
    def stage_total(y: YearFigures, stage: int) -> int:
        return sum(
            n
            for (group, item), n in y.glance.items()
            if group in ("statutory", "corporate") and item == f"stage{stage}"
        )
