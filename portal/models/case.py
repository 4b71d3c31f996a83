"""Cases, the people on them, their stored deadlines and their chronology."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, event, false
from sqlalchemy.orm import Mapped, Session, foreign, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.staff import StaffUser


class Person(Base):
    """Someone who complains, compliments or enquires; adjustments live here."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    preferred_language: Mapped[str] = mapped_column(String(10), default="en")
    # email | phone | post | advocate (everything goes through the advocate only)
    contact_method: Mapped[str] = mapped_column(String(20), default="email")
    # Safe-contact flags: do not post to home, no voicemail, and when it is safe to call.
    no_post_home: Mapped[bool] = mapped_column(default=False)
    no_voicemail: Mapped[bool] = mapped_column(default=False)
    safe_times: Mapped[str | None] = mapped_column(String(200))
    advocate_name: Mapped[str | None] = mapped_column(String(200))
    advocate_email: Mapped[str | None] = mapped_column(String(254))
    # Reasonable adjustments and alternative formats, recorded once and applied to every
    # letter and contact: {"formats": [...], "large_print_size": 24, "paper_colour": "cream",
    # "adjustments": [...], "interpreter_language": "...", "other": "..."}.
    needs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReferenceCounter(Base):
    """Next case number per prefix and year (CC-2026-000123), taken inside the case's transaction."""

    __tablename__ = "reference_counter"

    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class Case(Base):
    __tablename__ = "case_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # complaint | compliment | enquiry_general | enquiry_councillor | enquiry_mp | lgo
    kind: Mapped[str] = mapped_column(String(30))
    procedure: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))
    stage: Mapped[int] = mapped_column(default=1)
    service_area: Mapped[str] = mapped_column(String(40))
    complainant_category: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20), default="online")
    summary: Mapped[str] = mapped_column(Text)
    desired_outcome: Mapped[str | None] = mapped_column(Text)
    child_name: Mapped[str | None] = mapped_column(String(200))
    received_on: Mapped[date] = mapped_column(Date)
    arose_on: Mapped[date | None] = mapped_column(Date)
    out_of_time: Mapped[bool] = mapped_column(default=False)
    needs_sufficient_interest_decision: Mapped[bool] = mapped_column(default=False)
    send_tribunal_flag: Mapped[bool] = mapped_column(default=False)
    complainant_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    # A restricted case (e.g. about a member of staff) opens only for complaints managers and the
    # person assigned; every read is logged (portal.services.staff_cases, portal.staff.guard).
    restricted: Mapped[bool] = mapped_column(default=False, server_default=false())
    restricted_reason: Mapped[str | None] = mapped_column(String(500))
    # The earliest date the council must act by (open, running response or acknowledgement
    # clocks; None when none runs): a copy of next_due(deadlines), kept right on every flush
    # that changes a deadline (below), so queues filter and sort on an index (NFR PERF-4).
    next_due_on: Mapped[date | None] = mapped_column(Date)
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Who is acting: the advocate's organisation, the young person's consent, and whether
    # the young person wants to be contacted directly (advocate route only).
    advocate_org: Mapped[str | None] = mapped_column(String(100))
    young_person_consent: Mapped[bool | None]
    contact_young_person_directly: Mapped[bool | None]
    advocacy_requested: Mapped[bool] = mapped_column(default=False)
    child_dob: Mapped[date | None] = mapped_column(Date)
    # Court, tribunal, Ombudsman or police involvement the complainant told us about.
    other_proceedings: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Compliments: about whom, and whether it may be shared (anonymised) in the annual report.
    # Hash of the security code printed on the confirmation page and letters, for people
    # who follow their case without email (reference + code).
    security_code_hash: Mapped[str | None] = mapped_column(String(64))
    compliment_about: Mapped[str | None] = mapped_column(String(200))
    share_permission: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Set by the retention command (portal.services.retention) when the personal data is removed;
    # only then may the database let its chronology text be redacted (see migration 0011).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Goes up by one in every transaction that changes the case or anything of it: the family's
    # case page is kept rendered under it (portal.models.revision). Read it with Core.
    revision: Mapped[int] = mapped_column(default=0, server_default="0")

    complainant: Mapped[Person | None] = relationship()
    assigned_to: Mapped[StaffUser | None] = relationship()
    deadlines: Mapped[list[Deadline]] = relationship(
        back_populates="case", order_by="Deadline.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", order_by="CaseEvent.id", viewonly=True
    )

    __table_args__ = (
        Index("ix_case_record_status_received", "status", "received_on"),
        Index("ix_case_record_procedure_stage", "procedure", "stage"),
        # Queues: by status and area, in due order, counted and paged from the index alone (the
        # id is there for PostgreSQL; SQLite's indexes carry it anyway). The area comes before
        # the date: with the date second, SQLite's planner skip-scanned the index at 1,000,000
        # cases (its statistics average the few, very uneven statuses).
        Index("ix_case_record_status_area_due", "status", "service_area", "next_due_on", "received_on", "id"),
        # Every case in due order (no running clock last, where PostgreSQL's index keeps NULLs)
        # and in received order: a queue of all cases reads its page from these.
        Index("ix_case_record_due", "next_due_on", "received_on", "id"),
        Index("ix_case_record_received", "received_on", "id"),
        # The annual report quotes the few compliments people agreed to share (NFR PERF-7).
        Index("ix_case_record_share_permission", "share_permission"),
    )


class Deadline(Base):
    """One clock on a case, computed once when it starts and stored with its basis.

    `basis` records what the date was computed from (start, limit, counting rule,
    the non-working days skipped, pauses, extension) so it can be explained later
    without recomputing, and so a change in holiday data can be detected.
    """

    __tablename__ = "deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    stage: Mapped[int]
    event: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # response | window | acknowledgement
    start_on: Mapped[date] = mapped_column(Date)
    limit_days: Mapped[int | None]
    unit: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date | None] = mapped_column(Date)
    extended_limit_days: Mapped[int | None]
    extended_due_on: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    paused_working_days: Mapped[int] = mapped_column(default=0)
    paused_since: Mapped[date | None] = mapped_column(Date)
    met_on: Mapped[date | None] = mapped_column(Date)
    is_open: Mapped[bool] = mapped_column(default=True)
    basis: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="deadlines")

    __table_args__ = (Index("ix_deadline_open_due", "is_open", "due_on"),)

    @property
    def effective_due_on(self) -> date | None:
        return self.extended_due_on or self.due_on


class CaseEvent(Base):
    """The chronology and audit trail: append-only (updates and deletes are refused)."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(20))  # staff | complainant | system
    actor_id: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The one change the database allows (migration 0011): retention replaces `summary` with
    # REDACTED_SUMMARY and `data` with {} once the case is anonymised; kind and time stay.
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship(back_populates="events")
    # Who, when a member of staff: the case page loads it with the chronology (one query, not a
    # second one for the names). actor_id is not a foreign key (people and the system act too).
    staff_actor: Mapped[StaffUser | None] = relationship(
        primaryjoin=lambda: (foreign(CaseEvent.actor_id) == StaffUser.id) & (CaseEvent.actor_kind == "staff"),
        viewonly=True,
    )


NEXT_DUE_KINDS = ("response", "acknowledgement")


def next_due(deadlines: list[Deadline]) -> date | None:
    """The earliest due date of the open, running response and acknowledgement clocks."""
    dates = [
        due
        for d in deadlines
        if d.is_open and d.paused_since is None and d.kind in NEXT_DUE_KINDS
        and (due := d.extended_due_on or d.due_on) is not None
    ]  # fmt: skip
    return min(dates, default=None)


@event.listens_for(Session, "before_flush")
def _keep_next_due(session: Session, *_args: object) -> None:
    """Whatever service adds, changes or removes a deadline, its case's next_due_on follows."""
    cases: dict[int, Case] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Deadline):
            case = obj.case if obj.case is not None else session.get(Case, obj.case_id)
            if case is not None:
                cases[id(case)] = case
    for case in cases.values():
        due = next_due([d for d in case.deadlines if d not in session.deleted])
        if case.next_due_on != due:
            case.next_due_on = due


class AuditImmutable(Exception):
    """Raised when code tries to change or delete a chronology entry."""


@event.listens_for(CaseEvent, "before_update")
def _refuse_update(*_args: object) -> None:
    raise AuditImmutable("Chronology entries cannot be edited.")


@event.listens_for(CaseEvent, "before_delete")
def _refuse_delete(*_args: object) -> None:
    raise AuditImmutable("Chronology entries cannot be deleted.")
