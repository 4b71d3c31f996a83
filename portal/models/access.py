"""Public access to a case without an account: single-use links (rate limits: portal.limits)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


class TrackingLink(Base):
    """A single-use link to one case, emailed on request; only its SHA-256 hash is stored."""

    __tablename__ = "tracking_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    # complainant | advocate: who the link was sent to, shown on the chronology
    holder: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TrackingSession(Base):
    """A family signed in to one case (by a link or the security code), held on the server.

    The cookie carries a random 256-bit token; only its SHA-256 is stored. Signing out ends the
    row, so a copied cookie stops working at once (NFR 1.6 step 4, as staff sessions: SEC-4).
    """

    __tablename__ = "tracking_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"), index=True)
    holder: Mapped[str] = mapped_column(String(20))  # complainant | advocate
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
