"""What staff add to a case: links to other cases, who it is about, compliment details."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Date, ForeignKey, Index, String, Text, UniqueConstraint, event, select
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.case import Case
from portal.models.staff import StaffUser
from portal.models.stage_record import StageRecord


class CaseLink(Base):
    """Two cases that belong together (same family, same events, an Ombudsman enquiry), with why.

    One row per pair, stored with the lower case id first, so a link shows from both cases.
    """

    __tablename__ = "case_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"))
    linked_case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    case: Mapped[Case] = relationship(foreign_keys=[case_id])
    linked_case: Mapped[Case] = relationship(foreign_keys=[linked_case_id])

    __table_args__ = (UniqueConstraint("case_id", "linked_case_id", name="uq_case_link_pair"),)


class ComplainedAbout(Base):
    """The person a complaint is about (Code 5.4: they must not handle it), set by staff."""

    __tablename__ = "complained_about"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Set when the person is a member of staff with an account (they could be assigned the case).
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    staff_user: Mapped[StaffUser | None] = relationship()


class ComplimentDetail(Base):
    """Who a compliment thanks (worker, team; the service is the case service area), thanks passed on."""

    __tablename__ = "compliment_detail"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), primary_key=True)
    worker_name: Mapped[str | None] = mapped_column(String(200))
    worker_email: Mapped[str | None] = mapped_column(String(254))
    team: Mapped[str | None] = mapped_column(String(100))
    thanks_passed_to: Mapped[str | None] = mapped_column(Text)
    thanks_passed_on: Mapped[date | None] = mapped_column(Date)
    thanks_passed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case: Mapped[Case] = relationship()

    __table_args__ = (
        Index("ix_compliment_detail_team", "team"),
        Index("ix_compliment_detail_worker", "worker_name"),
    )


# A case's theme is kept on its stage records (what the annual report counts). A stage opened
# later (an accepted escalation) takes the theme the case already has.
Index("ix_stage_record_theme", StageRecord.theme)


@event.listens_for(StageRecord, "before_insert")
def _inherit_theme(_mapper: Mapper[Any], connection: Connection, record: StageRecord) -> None:
    if record.theme is None and record.case_id is not None and not record.imported:
        record.theme = connection.scalar(
            select(StageRecord.theme)
            .where(StageRecord.case_id == record.case_id, StageRecord.theme.is_not(None))
            .limit(1)
        )
