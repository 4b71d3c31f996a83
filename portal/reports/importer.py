"""Import historical records from CSV: check every row first, then insert them all in one transaction.

One row per stage a complaint reached (one row for a compliment or an enquiry), read and
checked by portal.reports.rows. Bad rows are reported as "line N: reason" and nothing is
imported; a row whose reference and stage are already imported is left as it is, so
importing the same file twice changes nothing. Imported cases are ordinary Case rows
(closed when their last stage was responded to) with one StageRecord per row, marked
imported, and an "imported" entry on their chronology.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.procedures import Clock, Procedure
from portal.models import Case, CaseEvent, ReferenceCounter, StageRecord
from portal.reports.rows import ImportFailed, Row, line_number, read_rows
from portal.services.deadlines import compute_due
from portal.services.rules import Rules

__all__ = ["ImportFailed", "ImportResult", "Row", "default_due", "import_csv", "import_rows", "read_rows"]

LIVE_REFERENCE = re.compile(r"(CC|CP|LG|EN)-(\d{4})-(\d{6})")  # portal.services.cases.next_reference
# The clocks that run one after another to a stage's response date, when due_on is blank.
# Corporate stage 1 answers within 10 working days of the acknowledgement (Code 6.2-6.3);
# a statutory review panel meets, reports, then the council responds (regs 19-20).
DUE_CHAINS: dict[tuple[str, int], tuple[str, ...]] = {
    ("statutory", 1): ("stage1_response",),
    ("statutory", 2): ("stage2_response",),
    ("statutory", 3): ("stage3_panel", "stage3_panel_report", "stage3_council_response"),
    ("corporate", 1): ("acknowledgement", "stage1_response"),
    ("corporate", 2): ("stage2_acknowledgement", "stage2_response"),
    ("corporate", 3): ("stage3_acknowledgement", "stage3_response"),
    ("enquiry_general", 1): ("enquiry_response",),
    ("enquiry_councillor", 1): ("enquiry_response",),
    ("enquiry_mp", 1): ("enquiry_response",),
}
CHUNK = 500  # references per IN (...) lookup


@dataclass
class ImportResult:
    stages_added: int = 0
    cases_added: int = 0
    unchanged: int = 0
    references: set[str] = field(default_factory=set)


def _clock(procedure: Procedure, event: str) -> Clock:
    try:
        return procedure.clock(event)
    except KeyError:  # a two-stage corporate procedure: stage 3 mirrors stage 2
        return procedure.clock(event.replace("stage3", "stage2"))


def default_due(
    rules: Rules, procedure_code: str, stage: int, received_on: date, *, extended: bool = False
) -> date | None:
    """The stage's response date as the procedure engine computes it (None: no date, e.g. compliments).

    extended=True: the latest date an extension may give (the last clock's extended limit).
    """
    chain = DUE_CHAINS.get((procedure_code, stage))
    if not chain:
        return None
    procedure = rules.procedure(procedure_code)
    calendar = rules.calendar_for(procedure_code)
    day: date | None = received_on
    for i, event in enumerate(chain):
        clock = _clock(procedure, event)
        days = clock.extended_limit if extended and i == len(chain) - 1 and clock.extended_limit else None
        day = compute_due(calendar, clock, day, days) if day else None
    return day


@dataclass
class _Known:
    """A case already in the database with the stages it has (stage -> imported?)."""

    case: Case
    stages: dict[int, bool] = field(default_factory=dict)

    @property
    def imported(self) -> bool:
        return bool(self.stages) and all(self.stages.values())


def _known(session: Session, references: set[str]) -> dict[str, _Known]:
    found: dict[str, _Known] = {}
    ordered = sorted(references)
    for i in range(0, len(ordered), CHUNK):
        chunk = ordered[i : i + CHUNK]
        for case in session.scalars(select(Case).where(Case.reference.in_(chunk))):
            found[case.reference] = _Known(case)
        stmt = (
            select(Case.reference, StageRecord.stage, StageRecord.imported)
            .join(StageRecord, StageRecord.case_id == Case.id)
            .where(Case.reference.in_(chunk))
        )
        for reference, stage, imported in session.execute(stmt):
            found[reference].stages[stage] = imported
    return found


def _against_database(rows: list[Row], known: dict[str, _Known]) -> list[str]:
    errors = []
    in_file = {(r.reference, r.stage) for r in rows}
    for row in rows:
        old = known.get(row.reference)
        if old is not None and not old.imported:
            errors.append(f"line {row.line}: {row.reference} is a case recorded in the portal, not imported")
            continue
        if old is not None and (old.case.kind, old.case.procedure) != (row.kind, row.procedure):
            errors.append(
                f"line {row.line}: {row.reference} was imported as {old.case.kind} ({old.case.procedure}), "
                f"not {row.kind} ({row.procedure})"
            )
        before = row.stage - 1
        if before and (row.reference, before) not in in_file and before not in (old.stages if old else {}):
            errors.append(f"line {row.line}: {row.reference} has stage {row.stage} but no stage {before}")
    return errors


def _new_case(rows: list[Row]) -> Case:
    first = min(rows, key=lambda r: r.stage)
    return Case(
        reference=first.reference,
        kind=first.kind,
        procedure=first.procedure,
        status="in_progress",
        stage=1,
        service_area=first.service_area,
        complainant_category=first.complainant,
        advocate_org=first.advocate,
        channel="import",
        summary="",
        received_on=first.received_on,
    )


def _advance_counters(session: Session, references: Iterable[str]) -> None:
    """Live references are numbered per prefix and year: never hand out an imported one again."""
    highest: dict[str, int] = {}
    for reference in references:
        match = LIVE_REFERENCE.fullmatch(reference)
        if match:
            key = f"{match[1]}-{match[2]}"
            highest[key] = max(highest.get(key, 0), int(match[3]))
    for key, value in highest.items():
        counter = session.get(ReferenceCounter, key, with_for_update=True)
        if counter is None:
            session.add(ReferenceCounter(key=key, value=value))
        elif counter.value < value:
            counter.value = value


def _add_stages(session: Session, case: Case, rows: list[Row], rules: Rules, source: str) -> None:
    for row in rows:
        due = row.due_on or default_due(rules, row.procedure, row.stage, row.received_on)
        session.add(
            StageRecord(
                case=case,
                stage=row.stage,
                received_on=row.received_on,
                due_on=due,
                extended_due_on=row.extended_due_on,
                responded_on=row.responded_on,
                outcome=row.outcome,
                theme=row.theme,
                imported=True,
            )
        )
    last = max(rows, key=lambda r: r.stage)
    if last.stage >= case.stage:
        case.stage = last.stage
        case.status = "closed" if last.responded_on else "in_progress"
    stages = ", ".join(str(r.stage) for r in sorted(rows, key=lambda r: r.stage))
    lines = [r.line for r in rows]
    session.add(
        CaseEvent(
            case=case,
            actor_kind="system",
            actor_id=None,
            kind="imported",
            summary=f"Historical record imported from {source}: stage {stages}.",
            data={"source": source, "lines": lines, "stages": [r.stage for r in rows]},
        )
    )


def import_rows(session: Session, rows: list[Row], rules: Rules, source: str = "a CSV file") -> ImportResult:
    """Insert checked rows (the caller commits); ImportFailed, with nothing added, if any clashes."""
    by_reference: dict[str, list[Row]] = {}
    for row in rows:
        by_reference.setdefault(row.reference, []).append(row)
    known = _known(session, set(by_reference))
    errors = _against_database(rows, known)
    if errors:
        raise ImportFailed(sorted(errors, key=line_number))
    result = ImportResult(references=set(by_reference))
    for reference, group in by_reference.items():
        old = known.get(reference)
        new_rows = [r for r in group if old is None or r.stage not in old.stages]
        result.unchanged += len(group) - len(new_rows)
        if not new_rows:
            continue
        case = old.case if old else _new_case(group)
        if old is None:
            session.add(case)
            result.cases_added += 1
        _add_stages(session, case, new_rows, rules, source)
        result.stages_added += len(new_rows)
    _advance_counters(session, by_reference)
    session.flush()
    return result


def import_csv(
    session: Session, data: bytes | str, rules: Rules, today: date, source: str = "a CSV file"
) -> ImportResult:
    """Check the whole file, then add every new row (the caller owns the transaction)."""
    return import_rows(session, read_rows(data, today), rules, source)
