"""Back office work on a case: response points, commitments, remedies, Ombudsman enquiries."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.case import Case
from portal.models.staff import StaffUser


class ResponsePoint(Base):
    """One point of a complaint and the council's finding on it (Code 6.7: address every point)."""

    __tablename__ = "response_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    stage: Mapped[int]
    position: Mapped[int]
    point: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(20))  # upheld | partially_upheld | not_upheld
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class Commitment(Base):
    """A recommendation (stage 2, panel, Ombudsman) or a promise made in a response, followed to the end."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))  # response | stage2 | panel | ombudsman
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    due_on: Mapped[date] = mapped_column(Date)
    # not_started | in_progress | on_track | complete | not_accepted
    status: Mapped[str] = mapped_column(String(20), default="not_started")
    not_accepted_reason: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()
    owner: Mapped[StaffUser | None] = relationship()

    __table_args__ = (Index("ix_commitment_status_due", "status", "due_on"),)


class Remedy(Base):
    """An apology, a symbolic payment or a service remedy, with its due date and proof it happened."""

    __tablename__ = "remedy"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # apology | payment | service
    description: Mapped[str] = mapped_column(Text)
    amount_pence: Mapped[int | None]
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    proof: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LgoEnquiry(Base):
    """The Ombudsman's enquiry about a case: dates, decision and any public report (LGA 1974 ss30-31)."""

    __tablename__ = "lgo_enquiry"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), unique=True)
    lgo_reference: Mapped[str] = mapped_column(String(40))
    received_on: Mapped[date] = mapped_column(Date)
    response_due_on: Mapped[date | None] = mapped_column(Date)  # set by the Ombudsman
    responded_on: Mapped[date | None] = mapped_column(Date)
    # upheld | partially_upheld | not_upheld | outside_remit | closed_after_initial_enquiries
    decision: Mapped[str | None] = mapped_column(String(40))
    decision_on: Mapped[date | None] = mapped_column(Date)
    public_report: Mapped[bool] = mapped_column(default=False)
    report_received_on: Mapped[date | None] = mapped_column(Date)
    report_action_due_on: Mapped[date | None] = mapped_column(Date)  # s31(2): 3 calendar months
    # The day the council told the Ombudsman what action it has taken or proposes (s31(2)).
    action_notified_on: Mapped[date | None] = mapped_column(Date)
    # The complaint the Ombudsman is looking at (the enquiry is a case of its own, kind "lgo").
    complaint_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
