"""Attempt counting in the database, so every worker shares the same limits."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.models import AccessAttempt
from portal.models.base import utcnow


def client_key(address: str | None, secret: str) -> str:
    """A keyed hash of the client address: limits work without storing IP addresses."""
    return hashlib.sha256(f"{secret}:{address or 'unknown'}".encode()).hexdigest()


def too_many(
    session: Session, scope: str, client: str, limit: int, window: timedelta, now: datetime | None = None
) -> bool:
    """Record this attempt and say whether the client is over `limit` attempts in `window`."""
    now = now or utcnow()
    since = now - window
    session.execute(delete(AccessAttempt).where(AccessAttempt.scope == scope, AccessAttempt.at < since))
    recent = session.scalar(
        select(func.count()).where(
            AccessAttempt.scope == scope, AccessAttempt.client_hash == client, AccessAttempt.at >= since
        )
    )
    session.add(AccessAttempt(scope=scope, client_hash=client, at=now))
    return (recent or 0) >= limit
