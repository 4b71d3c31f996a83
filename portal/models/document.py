"""Letters and receipts as produced: one row per (letter, format, language), the file kept on disk."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.case import Case


class Document(Base):
    """One file of one letter: the formats of a letter share its `letter_group`.

    The file lives under DOCUMENT_DIR with a generated name (outside the web root); its size
    and SHA-256 are kept so a missing or changed file is noticed before anything is sent.
    """

    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_record.id"))
    letter: Mapped[str] = mapped_column(String(40))
    letter_group: Mapped[str] = mapped_column(String(36), index=True)
    # pdf | large_print | coloured | easy_read | braille | text | html | audio
    format: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(100))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    case: Mapped[Case] = relationship()

    __table_args__ = (Index("ix_document_case_letter", "case_id", "letter"),)
