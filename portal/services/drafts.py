"""Drafts of the public journey: create, save answers, save-and-return links, expiry."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Draft
from portal.models.base import utcnow
from portal.services.tokens import new_token, token_hash

DRAFT_LIFETIME = timedelta(days=30)
RETURN_LINK_LIFETIME = timedelta(days=7)


def find(session: Session, key: str | None, now: datetime | None = None) -> Draft | None:
    if not key:
        return None
    draft = session.scalar(select(Draft).where(Draft.key_hash == token_hash(key)))
    if draft is None or draft.expires_at <= (now or utcnow()):
        return None
    return draft


def create(session: Session, answers: dict[str, Any] | None = None) -> tuple[Draft, str]:
    """A new draft and the key to put in the person's session (only its hash is stored)."""
    key = new_token()
    draft = Draft(key_hash=token_hash(key), answers=answers or {}, expires_at=utcnow() + DRAFT_LIFETIME)
    session.add(draft)
    return draft, key


def issue_return_link(draft: Draft) -> tuple[str, datetime]:
    """A single-use token for "save and come back later"; replaces any earlier one."""
    token = new_token()
    draft.return_token_hash = token_hash(token)
    draft.return_expires_at = utcnow() + RETURN_LINK_LIFETIME
    draft.expires_at = max(draft.expires_at, draft.return_expires_at)
    return token, draft.return_expires_at


def return_link_draft(session: Session, token: str, now: datetime | None = None) -> Draft | None:
    """The draft a return link opens, if the link is unused and in date."""
    draft = session.scalar(select(Draft).where(Draft.return_token_hash == token_hash(token)))
    now = now or utcnow()
    if draft is None or draft.return_expires_at is None or draft.return_expires_at <= now:
        return None
    if draft.submitted_case_id is not None:
        return None
    return draft


def redeem(draft: Draft) -> str:
    """Spend the return link and give the draft a new session key (the old session loses it)."""
    draft.return_token_hash = None
    draft.return_expires_at = None
    key = new_token()
    draft.key_hash = token_hash(key)
    return key
