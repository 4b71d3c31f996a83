"""Staff sign-in records: server-side sessions, hashed MFA recovery codes and the access log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.staff import StaffUser


class StaffSession(Base):
    """One signed-in browser. The cookie holds a random token; only its SHA-256 is stored.

    A row that is revoked, idle too long, older than the absolute limit, or older than the
    user's last password change is refused on the next request (ASVS 7.4.1-7.4.2).
    """

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Null until the second factor is given: such a session only reaches the MFA pages.
    mfa_passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when MFA is first set up: the session may only see its new recovery codes until
    # the person says they have saved them.
    codes_pending: Mapped[bool] = mapped_column(default=False)
    # The TOTP secret offered while setting MFA up: one per session, so a secret someone
    # else was shown is never reused; it moves to the user once a code confirms it.
    totp_pending_secret: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[StaffUser] = relationship()


class RecoveryCode(Base):
    """A single-use MFA recovery code, stored as an argon2 hash (under 112 bits: ASVS 6.5.2)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffAccessLog(Base):
    """Sign-in events and refused access (ASVS 16.3.1-16.3.2); never the data itself."""

    __tablename__ = "staff_access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    path: Mapped[str] = mapped_column(String(500))
    # signed_in | sign_in_failed | locked | mfa_passed | mfa_failed | mfa_enrolled |
    # recovery_code_used | signed_out | session_ended | refused | disabled | password_changed |
    # restricted_read (a restricted case opened; detail names the case)
    outcome: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_staff_access_log_user_at", "user_id", "at"),)
