"""Keep the stage records (what the annual report counts) in step with the live workflow.

portal.services.cases calls these in the same transaction as the change they follow: a
new case opens stage 1, an accepted escalation opens the next stage, a response or a
withdrawal closes the current one, an extension moves its date. The stored due dates are
copied from the case's response clocks, never recomputed here.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.lifecycle import Action
from portal.models import Case, Deadline, StageRecord

# upheld etc. for complaint stages; the Ombudsman's decisions add two more.
COMPLAINT_OUTCOMES = ("upheld", "partially_upheld", "not_upheld", "withdrawn")
LGO_OUTCOMES = (*COMPLAINT_OUTCOMES, "outside_remit", "closed_after_initial_enquiries")


class OutcomeError(ValueError):
    """An outcome that does not apply to this case or stage; the message is fit to show staff."""


def stage_record(session: Session, case: Case, stage: int) -> StageRecord | None:
    """The record of one stage of a case; a case not yet flushed has none stored."""
    pending = [r for r in session.new if isinstance(r, StageRecord) and r.case is case and r.stage == stage]
    if pending or case.id is None:
        return pending[0] if pending else None
    return session.scalar(
        select(StageRecord).where(StageRecord.case_id == case.id, StageRecord.stage == stage)
    )


def _response_clock(case: Case, stage: int) -> Deadline | None:
    """The latest response clock of the stage with a date (stage 0 clocks belong to stage 1)."""
    stages = {stage, 0} if stage == 1 else {stage}
    found = [d for d in case.deadlines if d.kind == "response" and d.stage in stages and d.due_on]
    return found[-1] if found else None


def _sync_dates(case: Case, record: StageRecord) -> None:
    clock = _response_clock(case, record.stage)
    if clock is not None:
        record.due_on = clock.due_on
        record.extended_due_on = clock.extended_due_on


def open_stage(session: Session, case: Case, stage: int, on: date) -> StageRecord:
    """Start counting a stage: received on `on`, due when its response clock says."""
    record = stage_record(session, case, stage)
    if record is None:
        record = StageRecord(case=case, stage=stage, received_on=on, imported=False)
        session.add(record)
    _sync_dates(case, record)
    return record


def follow(session: Session, case: Case, action: Action, on: date) -> None:
    """After a lifecycle action: open the next stage, close this one, or refresh its dates."""
    if action is Action.ACCEPT_ESCALATION:
        open_stage(session, case, case.stage, on)
        return
    record = stage_record(session, case, case.stage)
    if record is None:  # a case older than stage records and not backfilled
        record = open_stage(session, case, case.stage, case.received_on)
    if action is Action.RESPOND:
        record.responded_on = on
    elif action is Action.WITHDRAW and record.responded_on is None:
        # A withdrawal ends the stage: its date closes the record so it counts in the
        # year's outcomes, as imported withdrawn records do.
        record.responded_on = on
        record.outcome = "withdrawn"
    _sync_dates(case, record)


def record_extension(session: Session, case: Case, deadline: Deadline) -> None:
    """Copy an extended due date onto the stage it belongs to."""
    record = stage_record(session, case, deadline.stage or 1)
    if record is not None:
        record.extended_due_on = deadline.extended_due_on


def record_outcome(
    session: Session, case: Case, stage: int, outcome: str, decided_on: date | None = None
) -> StageRecord:
    """Record the outcome of a stage (upheld, partially upheld, ...) when its response is sent.

    `decided_on` closes a stage that no response closed, e.g. the Ombudsman's decision on an
    Ombudsman enquiry: it then counts among that year's decisions.
    """
    allowed = LGO_OUTCOMES if case.kind == "lgo" else COMPLAINT_OUTCOMES
    if case.kind not in ("complaint", "lgo"):
        raise OutcomeError("Only complaints and Ombudsman enquiries have an outcome.")
    if outcome not in allowed:
        raise OutcomeError(f"The outcome must be one of: {', '.join(allowed)}.")
    record = stage_record(session, case, stage)
    if record is None:
        raise OutcomeError(f"The case has no stage {stage}.")
    record.outcome = outcome
    if decided_on is not None and record.responded_on is None:
        record.responded_on = decided_on
    return record
