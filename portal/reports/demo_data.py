"""Demo history for the annual report: 2021-22 and 2022-23 generated to match a real report.

The "At a Glance" table of Cambridgeshire County Council's Children's Complaints and
Feedback Team annual report 2022-23 (2022-23, with 2021-22 in brackets) is reproduced
exactly, as are the other 2022-23 figures that report gives: 459 complaint responses, 176
extended, 166 late; outcomes (42% partially upheld, 25% upheld); 42 complaints by young
people, 37 with an advocate; Ombudsman decisions (5 upheld, 3 partly, 1 not upheld, 14
outside remit) and enquiries by service area; 98 SEND and 81 Targeted Support compliments.
Everything else (dates, areas, themes, 2021-22's detail) is drawn from a seeded random
generator, so the rows are the same on every run. The rows go through the same importer as
a council's own spreadsheet (portal.reports.importer); `load_demo_history` is idempotent.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Case, CaseEvent
from portal.reports.demo_exact import assign_people, exact_flags
from portal.reports.figures import Period
from portal.reports.importer import default_due, import_csv
from portal.reports.rows import COLUMNS
from portal.services.rules import Rules

SEED = 20230331
SOURCE = "the demo data generator"
# (compliments, (general, councillor, MP enquiries), statutory stages 1-3, corporate stages 1-3, LGO)
AT_A_GLANCE: dict[int, tuple[int, tuple[int, int, int], tuple[int, int, int], tuple[int, int, int], int]] = {
    2022: (206, (16, 15, 112), (52, 7, 3), (339, 38, 17), 29),
    2021: (204, (30, 7, 68), (74, 15, 5), (319, 25, 7), 20),
}
LGO_DECISIONS_2022 = {"upheld": 5, "partially_upheld": 3, "not_upheld": 1, "outside_remit": 14}
LGO_AREAS_2022 = {
    "adoption": 2,
    "family_safeguarding": 6,
    "fostering": 1,
    "front_door": 5,
    "send": 14,
    "other": 1,
}
COMPLIMENT_AREAS_2022 = {"send": 98, "targeted_support": 81}
AREAS = {
    "statutory": {
        "front_door": 30,
        "family_safeguarding": 25,
        "children_in_care": 20,
        "care_leavers": 8,
        "fostering": 6,
        "adoption": 4,
        "disabled_children": 7,
    },
    "corporate_2021": {"send": 30, "education": 12, "front_door": 25, "targeted_support": 15, "other": 18},
    "corporate_2022": {"send": 50, "education": 10, "front_door": 18, "targeted_support": 12, "other": 10},
    "other": {
        "send": 35,
        "front_door": 20,
        "family_safeguarding": 15,
        "children_in_care": 10,
        "targeted_support": 12,
        "fostering": 8,
    },
}
THEMES = {
    "Plans": 34,
    "Communication": 23,
    "Assessments and reports": 12,
    "Delays and timescales": 12,
    "Staff conduct": 8,
    "Decisions": 6,
    "Other": 5,
}
ENQUIRY_FROM = ("general", "councillor", "mp")
REOPEN_NOTE = "The response did not answer every point (demo history)."


@dataclass(eq=False)
class Rec:
    """One stage record being generated (a CSV row once written)."""

    reference: str
    kind: str  # the CSV kind: complaint, compliment, enquiry, lgo_enquiry
    procedure: str  # statutory | corporate for complaints, else the engine's code (or "")
    stage: int
    received_on: date
    area: str
    theme: str = ""
    enquiry_from: str = ""
    complainant: str = ""
    advocate: str = ""
    responded_on: date | None = None
    outcome: str = ""
    due: date | None = None
    latest: date | None = None  # the latest date an extension could give
    extended: bool = False
    gap: int = 10  # days between this stage's response and an escalation request
    child: Rec | None = None

    def row(self) -> dict[str, str]:
        complaint = self.kind == "complaint"
        return {
            "reference": self.reference,
            "kind": self.kind,
            "procedure": self.procedure if complaint else "",
            "stage": str(self.stage) if complaint else "",
            "enquiry_from": self.enquiry_from,
            "received_on": self.received_on.isoformat(),
            "due_on": "",
            "extended_due_on": self.latest.isoformat() if self.extended and self.latest else "",
            "responded_on": self.responded_on.isoformat() if self.responded_on else "",
            "outcome": self.outcome,
            "service_area": self.area,
            "theme": self.theme,
            "complainant": self.complainant,
            "advocate": self.advocate,
        }


class Generator:
    """Builds the records of both years; `rows()` returns them as CSV rows."""

    def __init__(self, rules: Rules, seed: int = SEED) -> None:
        self.rules, self.rng = rules, random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.calendar = rules.calendar_for("corporate")
        self.records: list[Rec] = []
        self.reopened: list[tuple[str, datetime]] = []

    # --- small helpers
    def _pick(self, weights: dict[str, int]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _between(self, first: date, last: date) -> date:
        day = first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))
        return self.calendar.next_working_day(day) if self.calendar.next_working_day(day) <= last else day

    def _days(self, year: int, n: int) -> list[date]:
        period = Period(year)
        return sorted(self._between(period.start, period.last_day) for _ in range(n))

    def _areas(self, n: int, exact: dict[str, int] | None) -> list[str]:
        """n service areas in random order: `exact` counts of some, the rest drawn from the others."""
        exact = exact or {}
        areas = [area for area, k in exact.items() for _ in range(k)]
        others = {area: w for area, w in AREAS["other"].items() if area not in exact}
        areas += [self._pick(others) for _ in range(n - len(areas))]
        self.rng.shuffle(areas)
        return areas

    def _add(self, rec: Rec, engine_code: str) -> Rec:
        rec.due = default_due(self.rules, engine_code, rec.stage, rec.received_on)
        rec.latest = default_due(self.rules, engine_code, rec.stage, rec.received_on, extended=True)
        rec.gap = self.rng.randint(5, 25)
        self.records.append(rec)
        return rec

    def _respond(self, rec: Rec) -> None:
        """On time (57%), within the most an extension allows (25%), or later (18%)."""
        due = rec.due or rec.received_on + timedelta(days=20)
        latest = rec.latest or due
        band = self.rng.choices("ABC", weights=(57, 25, 18))[0]
        if band == "A" or (band == "B" and latest == due):
            rec.responded_on = self._between(min(rec.received_on + timedelta(days=2), due), due)
        elif band == "B":
            rec.responded_on = self._between(due + timedelta(days=1), latest)
        else:
            rec.responded_on = self._between(latest + timedelta(days=1), latest + timedelta(days=30))

    # --- the records
    def complaints(self, year: int, procedure: str, n: int) -> None:
        areas = AREAS["statutory"] if procedure == "statutory" else AREAS[f"corporate_{year}"]
        code = "ST" if procedure == "statutory" else "CO"
        for i, day in enumerate(self._days(year, n), 1):
            rec = Rec(
                f"H{year % 100}-{code}-{i:04d}",
                "complaint",
                procedure,
                1,
                day,
                self._pick(areas),
                self._pick(THEMES),
            )
            self._respond(self._add(rec, procedure))

    def _child_day(self, rec: Rec) -> date:
        assert rec.responded_on is not None
        return self.calendar.next_working_day(rec.responded_on + timedelta(days=rec.gap))

    def escalate(self, year: int, procedure: str, stage: int, n: int) -> None:
        """Take n complaints whose previous stage ended in time to ask for `stage` in `year`."""
        period = Period(year)
        candidates = [
            r
            for r in self.records
            if (r.kind, r.procedure, r.stage) == ("complaint", procedure, stage - 1)
            and r.child is None
            and r.responded_on
            and self._child_day(r) in period
        ]
        # SEND complaints escalate more often (the report: 27 of 38 corporate stage 2 were SEND/SAT).
        ranked = sorted(candidates, key=lambda r: self.rng.random() ** (1 / (4 if r.area == "send" else 1)))
        chosen = ranked[-n:] if n else []
        if len(chosen) < n:
            raise RuntimeError(f"only {len(chosen)} {procedure} complaints can reach stage {stage} in {year}")
        for parent in chosen:
            child = Rec(
                parent.reference,
                "complaint",
                procedure,
                stage,
                self._child_day(parent),
                parent.area,
                parent.theme,
            )
            parent.child = child
            self._respond(self._add(child, procedure))

    def simple(
        self, year: int, kind: str, n: int, areas: dict[str, int] | None = None, source: str = ""
    ) -> None:
        """Compliments and enquiries (from `source`): one record each, answered within a few weeks."""
        code = "CP" if kind == "compliment" else f"E{source[:1].upper()}"
        engine = f"enquiry_{source}" if kind == "enquiry" else kind
        for i, (day, area) in enumerate(zip(self._days(year, n), self._areas(n, areas), strict=True), 1):
            rec = Rec(f"H{year % 100}-{code}-{i:04d}", kind, engine, 1, day, area, enquiry_from=source)
            self._add(rec, engine)
            rec.responded_on = self._between(day + timedelta(days=1), day + timedelta(days=12))

    def lgo(self, year: int, n: int, decided_in_year: int) -> None:
        """Ombudsman enquiries: the first `decided_in_year` decided in the year, the rest the next."""
        next_year = Period(year + 1)
        areas = self._areas(n, LGO_AREAS_2022 if year == 2022 else None)
        for i, (day, area) in enumerate(zip(self._days(year, n), areas, strict=True), 1):
            rec = self._add(
                Rec(
                    f"H{year % 100}-LG-{i:04d}",
                    "lgo_enquiry",
                    "lgo",
                    1,
                    day,
                    area,
                    self._pick(THEMES),
                    complainant="parent_carer",
                ),
                "lgo",
            )
            if i <= decided_in_year:
                rec.responded_on = min(day + timedelta(days=self.rng.randint(30, 120)), Period(year).last_day)
            else:
                rec.responded_on = self._between(next_year.start, next_year.start + timedelta(days=200))

    def build(self) -> Generator:
        for year, (compliments, enquiries, statutory, corporate, lgo) in sorted(AT_A_GLANCE.items()):
            self.simple(year, "compliment", compliments, COMPLIMENT_AREAS_2022 if year == 2022 else None)
            for source, n in zip(ENQUIRY_FROM, enquiries, strict=True):
                self.simple(year, "enquiry", n, source=source)
            self.complaints(year, "statutory", statutory[0])
            self.complaints(year, "corporate", corporate[0])
            self.lgo(year, lgo, decided_in_year=11 if year == 2021 else 14)
        for stage in (2, 3):
            for year, (_c, _e, statutory, corporate, _l) in sorted(AT_A_GLANCE.items()):
                self.escalate(year, "statutory", stage, statutory[stage - 1])
                self.escalate(year, "corporate", stage, corporate[stage - 1])
        self.reopened = exact_flags(self)
        assign_people(self)
        return self

    def rows(self) -> list[dict[str, str]]:
        return [r.row() for r in sorted(self.records, key=lambda r: (r.reference, r.stage))]


def demo_csv(rules: Rules, seed: int = SEED) -> tuple[str, list[tuple[str, datetime]]]:
    """(the CSV text, the complaints reopened with when) for the two demo years."""
    generator = Generator(rules, seed).build()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(generator.rows())
    return out.getvalue(), generator.reopened


def load_demo_history(session: Session, rules: Rules, today: date) -> dict[str, Any]:
    """Import the demo years (nothing changes on a second run) and their reopened complaints."""
    text, reopened = demo_csv(rules)
    result = import_csv(session, text, rules, today, source=SOURCE)
    if result.stages_added:
        stmt = select(Case.reference, Case.id).where(Case.reference.in_([ref for ref, _ in reopened]))
        ids = {reference: case_id for reference, case_id in session.execute(stmt)}
        for reference, at in reopened:
            session.add(
                CaseEvent(
                    case_id=ids[reference],
                    at=at,
                    actor_kind="staff",
                    actor_id=None,
                    kind="reopen",
                    summary=f"Reopen: status closed → in_progress. {REOPEN_NOTE}",
                    data={"on": at.date().isoformat()},
                )
            )
    return {"added": result.stages_added, "unchanged": result.unchanged, "reopened": len(reopened)}
