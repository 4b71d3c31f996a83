"""The email outbox: every message the portal means to send, written with the event that causes it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from portal.models.case import Case

PENDING, SENT, FAILED, CANCELLED = "pending", "sent", "failed", "cancelled"


class OutboxMessage(Base):
    """One email, queued in the caller's transaction and delivered later by the sender.

    `context` holds only what the template needs. A single-use link (tracking or
    save-and-return) has to reach the person in clear, so its token is stored here:
    the database holds the only copy until the message is sent, and the sender
    replaces it with "[sent]" as soon as the message is delivered or given up.

    Status: pending (waiting or retrying), sent, failed (gave up after the maximum
    number of attempts) or cancelled (not sent: the person's contact preferences rule
    email out; `last_error` says why).
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    recipient_kind: Mapped[str] = mapped_column(String(20))  # complainant | advocate | staff
    template: Mapped[str] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(10), default="en")
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Reminders set it so that running them twice never queues the same message twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    case: Mapped[Case | None] = relationship()

    __table_args__ = (Index("ix_outbox_message_status_next", "status", "next_attempt_at"),)
