"""One row per stage a case reached: the unit the statutory annual report counts (reg 13 SI 2006/1738)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, ForeignKey, Index, String, UniqueConstraint, event, inspect, update
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.case import Case, CaseEvent

# The case's fields the report groups by, copied onto each of its stage records.
CASE_FIELDS = ("kind", "procedure", "service_area", "complainant_category", "advocate_org")
GROUPED = ("kind", "procedure", "stage", "service_area")


class StageRecord(Base):
    """A stage of a complaint (or the single record of a compliment, enquiry or Ombudsman enquiry).

    Live cases get theirs from portal.reports.stages (called by portal.services.cases);
    historical records come from `flask import-cases` with `imported` set. A record counts
    in the financial year its `received_on` falls in; timeliness and outcomes count it in
    the year of `responded_on`.

    `kind` to `with_advocate` copy the case (kept in step by the events below) so that a
    year aggregates from one covering index without joining every record to its case: a
    join costs about a microsecond or more a row, too slow at 1,000,000 cases (NFR PERF-7).
    """

    __tablename__ = "stage_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed by the unique (case_id, stage) constraint, which leads with case_id.
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"))
    stage: Mapped[int]
    received_on: Mapped[date] = mapped_column(Date)
    # The stage's response deadline as first set, and as extended (None: not extended).
    due_on: Mapped[date | None] = mapped_column(Date)
    extended_due_on: Mapped[date | None] = mapped_column(Date)
    responded_on: Mapped[date | None] = mapped_column(Date)
    # upheld | partially_upheld | not_upheld | withdrawn; Ombudsman enquiries also
    # outside_remit | closed_after_initial_enquiries. None while open.
    outcome: Mapped[str | None] = mapped_column(String(40))
    theme: Mapped[str | None] = mapped_column(String(100))
    imported: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Copied from the case (Case.kind, .procedure, .service_area; complainant_category is
    # young_person; advocate_org is set).
    kind: Mapped[str] = mapped_column(String(30))
    procedure: Mapped[str] = mapped_column(String(30))
    service_area: Mapped[str] = mapped_column(String(40))
    young_person: Mapped[bool] = mapped_column(default=False)
    with_advocate: Mapped[bool] = mapped_column(default=False)

    case: Mapped[Case] = relationship()

    __table_args__ = (
        UniqueConstraint("case_id", "stage", name="uq_stage_record_case_stage"),
        # The annual report aggregates one financial year by date received and by date
        # responded (NFR PERF-7): the date leads each index, the rest makes it covering.
        Index("ix_stage_record_received", "received_on", *GROUPED, "theme", "young_person", "with_advocate"),
        Index("ix_stage_record_responded", "responded_on", *GROUPED, "outcome", "due_on", "extended_due_on"),
    )


def copied_from(case: Case) -> dict[str, Any]:
    """The stage record columns that copy the case."""
    return {
        "kind": case.kind,
        "procedure": case.procedure,
        "service_area": case.service_area,
        "young_person": case.complainant_category == "young_person",
        "with_advocate": bool(case.advocate_org),
    }


@event.listens_for(StageRecord, "before_insert")
def _copy_case(_mapper: Mapper[Any], _connection: Connection, record: StageRecord) -> None:
    if record.case is not None:
        for name, value in copied_from(record.case).items():
            setattr(record, name, value)


@event.listens_for(Case, "after_update")
def _follow_case(_mapper: Mapper[Any], connection: Connection, case: Case) -> None:
    """A corrected procedure, service area or complainant moves the case's stage records with it."""
    state = inspect(case)
    if any(state.attrs[name].history.has_changes() for name in CASE_FIELDS):
        connection.execute(
            update(StageRecord).where(StageRecord.case_id == case.id).values(**copied_from(case))
        )


# Reopened complaints are counted from the chronology (CaseEvent kind "reopen", written by
# portal.services.cases.transition), so the report needs them by kind and time.
Index("ix_case_event_kind_at", CaseEvent.kind, CaseEvent.at)
