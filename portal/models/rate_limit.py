"""Rate-limit counters kept in the portal's own database, shared by every gunicorn worker."""

from __future__ import annotations

from sqlalchemy import Float, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class RateLimitCounter(Base):
    """One fixed-window counter of Flask-Limiter (portal.limits.DatabaseStorage).

    `key` is Flask-Limiter's key (limit, scope and a keyed hash of the client or target, never
    an IP address or an email); `expires_at` is seconds since the epoch, as the limits library
    counts time.
    """

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_rate_limit_counter_expires_at", "expires_at"),)
