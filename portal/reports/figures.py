"""The annual report's figures for one financial year, folded from grouped query rows.

Pure: no SQL, no Flask. portal.reports.annual runs a handful of GROUP BY queries and hands
their (small) grouped rows to `fold`; the counting rules live here so they can be tested
on their own (tests/unit/test_report_counting.py):

- a record (one per stage a case reached) counts in the financial year its received_on
  falls in (1 April to 31 March);
- timeliness and outcomes count complaint stage records whose responded_on falls in the
  year; "late" means responded after the due date, or after the extended date where the
  stage was extended;
- young people: complaint records received in the year whose complainant is a young
  person; advocate assisted: those of them with an advocate;
- reopened: complaints reopened in the year (chronology entries of kind "reopen");
- recommendations and actions: those agreed in the year, by where they came from and the
  status they have now.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

ENQUIRY_KINDS = {"enquiry_general": "general", "enquiry_councillor": "councillor", "enquiry_mp": "mp"}
COMPLAINT_PROCEDURES = ("statutory", "corporate")
STAGES = (1, 2, 3)
OUTCOMES = ("upheld", "partially_upheld", "not_upheld", "withdrawn")
LGO_DECISIONS = (*OUTCOMES, "outside_remit", "closed_after_initial_enquiries")
# Service area strings that mean SEND / the Statutory Assessment Team / EHC plans, reported
# separately (lower case; the import keeps service areas as given).
SEND_AREAS = frozenset({"send", "sen", "sat", "ehcp", "send_sat", "statutory_assessment_team"})
COMMITMENT_SOURCES = ("response", "stage2", "panel", "ombudsman")
COMMITMENT_STATUSES = ("not_started", "in_progress", "on_track", "complete", "not_accepted")
# The types in the "volumes by quarter" chart, in order.
VOLUME_TYPES = ("compliments", "enquiries", "statutory", "corporate", "lgo_enquiries")


@dataclass(frozen=True)
class Period:
    """A financial year, April to March, named by the year it starts in (2022 -> 2022-23)."""

    year: int

    @property
    def start(self) -> date:
        return date(self.year, 4, 1)

    @property
    def end(self) -> date:
        """The first day after the year (exclusive bound)."""
        return date(self.year + 1, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.year + 1, 3, 31)

    @property
    def label(self) -> str:
        return f"{self.year}-{(self.year + 1) % 100:02d}"

    @property
    def long_label(self) -> str:
        return f"April {self.year} to March {self.year + 1}"

    @property
    def quarter_starts(self) -> tuple[date, date, date, date]:
        y = self.year
        return (date(y, 4, 1), date(y, 7, 1), date(y, 10, 1), date(y + 1, 1, 1))

    @property
    def previous(self) -> Period:
        return Period(self.year - 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day < self.end


def financial_year(day: date) -> int:
    """The financial year a date falls in: 31 March 2023 -> 2022, 1 April 2023 -> 2023."""
    return day.year if day.month >= 4 else day.year - 1


def quarter_of(day: date) -> int:
    """1 (April to June) .. 4 (January to March)."""
    return (day.month - 4) % 12 // 3 + 1


class Received(NamedTuple):
    """A group of stage records received in one quarter (count of records)."""

    year: int
    quarter: int
    kind: str
    procedure: str
    stage: int
    service_area: str
    theme: str | None
    young_person: bool
    advocate: bool
    n: int


class Responded(NamedTuple):
    """A group of complaint or Ombudsman stage records responded to in one year."""

    year: int
    kind: str
    procedure: str
    stage: int
    service_area: str
    outcome: str | None
    extended: bool
    late: bool
    n: int


def glance_key(kind: str, procedure: str, stage: int) -> tuple[str, str] | None:
    """Where a record counts in the "at a glance" table, or None (e.g. an unknown kind)."""
    if kind == "complaint":
        if procedure in COMPLAINT_PROCEDURES and stage in STAGES:
            return procedure, f"stage{stage}"
        return None
    if kind in ENQUIRY_KINDS:
        return "enquiries", ENQUIRY_KINDS[kind]
    if kind == "compliment":
        return "compliments", ""
    if kind == "lgo":
        return "lgo_enquiries", ""
    return None


def is_send(service_area: str) -> bool:
    return service_area.strip().lower() in SEND_AREAS


def empty_glance() -> dict[str, Any]:
    return {
        "compliments": 0,
        "enquiries": {"general": 0, "councillor": 0, "mp": 0},
        "statutory": {"stage1": 0, "stage2": 0, "stage3": 0},
        "corporate": {"stage1": 0, "stage2": 0, "stage3": 0},
        "lgo_enquiries": 0,
    }


@dataclass
class YearFigures:
    """Every figure of the report for one financial year."""

    period: Period
    glance: Counter[tuple[str, str]] = field(default_factory=Counter)
    quarters: Counter[tuple[str, int]] = field(default_factory=Counter)
    complaint_areas: Counter[tuple[str, str]] = field(default_factory=Counter)  # (area, procedure)
    themes: Counter[str] = field(default_factory=Counter)
    send: Counter[int] = field(default_factory=Counter)  # SEND complaint records by stage
    compliment_areas: Counter[str] = field(default_factory=Counter)
    young_people: int = 0
    advocate_assisted: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    timeliness: Counter[str] = field(default_factory=Counter)  # responded, extended, late
    stage_timeliness: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    send_timeliness: Counter[str] = field(default_factory=Counter)
    lgo_decisions: Counter[str] = field(default_factory=Counter)
    reopened: int = 0
    commitments: Counter[tuple[str, str]] = field(default_factory=Counter)  # (source, status)

    def at_a_glance(self) -> dict[str, Any]:
        out = empty_glance()
        for (group, item), n in self.glance.items():
            if item:
                out[group][item] += n
            else:
                out[group] += n
        return out

    def area_totals(self) -> Counter[str]:
        """Complaint records by service area, both procedures together."""
        totals: Counter[str] = Counter()
        for (area, _procedure), n in self.complaint_areas.items():
            totals[area] += n
        return totals

    @property
    def complaints(self) -> int:
        return sum(n for (group, _), n in self.glance.items() if group in COMPLAINT_PROCEDURES)

    def add_received(self, row: Received) -> None:
        key = glance_key(row.kind, row.procedure, row.stage)
        if key is None:
            return
        self.glance[key] += row.n
        volume = "enquiries" if key[0] == "enquiries" else key[0]
        self.quarters[volume, row.quarter] += row.n
        if row.kind == "compliment":
            self.compliment_areas[row.service_area] += row.n
        if row.kind != "complaint":
            return
        self.complaint_areas[row.service_area, row.procedure] += row.n
        self.themes[row.theme or ""] += row.n
        if is_send(row.service_area):
            self.send[row.stage] += row.n
        if row.young_person:
            self.young_people += row.n
            self.advocate_assisted += row.n if row.advocate else 0

    def add_responded(self, row: Responded) -> None:
        if row.kind == "lgo":
            self.lgo_decisions[row.outcome or "not_recorded"] += row.n
            return
        if row.kind != "complaint":
            return
        self.outcomes[row.outcome or "not_recorded"] += row.n
        measures = ["responded"] + ["extended"] * row.extended + ["late"] * row.late
        for measure in measures:
            self.timeliness[measure] += row.n
            self.stage_timeliness[row.procedure, row.stage, measure] += row.n
            if is_send(row.service_area):
                self.send_timeliness[measure] += row.n


@dataclass
class Figures:
    """The year asked for and the one before it, plus the compliments people let us quote."""

    current: YearFigures
    previous: YearFigures
    quotes: list[Quote] = field(default_factory=list)

    @property
    def period(self) -> Period:
        return self.current.period


class Agreed(NamedTuple):
    """Recommendations and actions agreed in one year, from one source, with one status now."""

    year: int
    source: str
    status: str
    n: int


class Quote(NamedTuple):
    received_on: date
    service_area: str
    text: str


def fold(
    period: Period,
    received: Iterable[Received],
    responded: Iterable[Responded],
    reopened: dict[int, int],
    quotes: Iterable[Quote] = (),
    agreed: Iterable[Agreed] = (),
) -> Figures:
    """Sum grouped rows into the figures of `period` and the year before (other years ignored)."""
    years = {period.year: YearFigures(period), period.year - 1: YearFigures(period.previous)}
    for row in received:
        if row.year in years:
            years[row.year].add_received(row)
    for done in responded:
        if done.year in years:
            years[done.year].add_responded(done)
    for year, n in reopened.items():
        if year in years:
            years[year].reopened += n
    for one in agreed:
        if one.year in years:
            years[one.year].commitments[one.source, one.status] += one.n
    return Figures(years[period.year], years[period.year - 1], list(quotes))


def to_json(figures: Figures) -> dict[str, Any]:
    """The figures as the `annual-report --json` command prints them."""
    cur, prev = figures.current, figures.previous

    def year(y: YearFigures) -> dict[str, Any]:
        return {
            "timeliness": {k: y.timeliness[k] for k in ("responded", "extended", "late")},
            "outcomes": {k: y.outcomes[k] for k in OUTCOMES},
            "young_people": y.young_people,
            "advocate_assisted": y.advocate_assisted,
            "reopened": y.reopened,
            "lgo_decisions": {k: y.lgo_decisions[k] for k in LGO_DECISIONS},
            "by_quarter": {t: [y.quarters[t, q] for q in (1, 2, 3, 4)] for t in VOLUME_TYPES},
            "service_areas": dict(sorted(y.area_totals().items())),
            "themes": dict(sorted(y.themes.items())),
            "send": {f"stage{s}": y.send[s] for s in STAGES},
            "compliments_by_service_area": dict(sorted(y.compliment_areas.items())),
            "recommendations": {
                source: {status: y.commitments[source, status] for status in COMMITMENT_STATUSES}
                for source in COMMITMENT_SOURCES
            },
        }

    return {
        "year": cur.period.label,
        "from": cur.period.start.isoformat(),
        "to": cur.period.last_day.isoformat(),
        "at_a_glance": cur.at_a_glance(),
        "previous_year": prev.at_a_glance(),
        **year(cur),
        "previous_year_figures": {"year": prev.period.label, **year(prev)},
    }
