"""Drafts of the public journey (server-side answers) and uploaded evidence."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow


class Draft(Base):
    """Answers so far, keyed by a random value held only in the person's session (stored hashed).

    Kept on the server so long answers never overflow the cookie and so the person can
    save and come back later with a single-use link.
    """

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    return_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    return_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"))

    uploads: Mapped[list[Upload]] = relationship(back_populates="draft", order_by="Upload.id")


class Upload(Base):
    """A file someone sent us, stored outside the web root under a generated name."""

    __tablename__ = "upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_record.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    # pending until the virus scanner has looked at it: clean | infected
    scan_status: Mapped[str] = mapped_column(String(20), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    draft: Mapped[Draft | None] = relationship(back_populates="uploads")
