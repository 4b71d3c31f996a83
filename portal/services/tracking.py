"""Follow a case without an account: single-use links by email, or reference plus security code."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Engine, Select, bindparam, exists, func, select
from sqlalchemy.orm import Session, joinedload

from portal.db import first_row
from portal.models import Case, LgoEnquiry, StaffUser, TrackingLink, TrackingSession
from portal.models.base import utcnow
from portal.notify.outbox import queue_email
from portal.services.cases import SYSTEM, add_event
from portal.services.tokens import new_token, token_hash

LINK_LIFETIME = timedelta(hours=1)
SESSION_LIFETIME = timedelta(minutes=60)  # NFR 1.6: at most about 2 hours
# Crockford's base32 alphabet: no I, L, O or U, so codes read aloud or typed are unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 bits


def new_security_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def code_hash(code: str) -> str:
    return token_hash(normalise_code(code))


def find_case(session: Session, reference: str) -> Case | None:
    ref = reference.strip().upper()
    return session.scalar(select(Case).where(func.upper(Case.reference) == ref)) if ref else None


def _holder(case: Case, email: str) -> str | None:
    person = case.complainant
    wanted = email.strip().lower()
    if person is None or not wanted:
        return None
    if person.email and person.email.strip().lower() == wanted:
        return "complainant"
    if person.advocate_email and person.advocate_email.strip().lower() == wanted:
        return "advocate"
    return None


def request_link(
    session: Session, reference: str, email: str, link_for: Callable[[str], str], language: str
) -> bool:
    """Email a single-use link when the reference and email match a case.

    Returns whether one was sent; the page says the same either way, so nobody can find
    out which references exist.
    """
    case = find_case(session, reference)
    holder = _holder(case, email) if case is not None else None
    if case is None or holder is None:
        return False
    token = new_token()
    link = TrackingLink(
        token_hash=token_hash(token), case_id=case.id, holder=holder, expires_at=utcnow() + LINK_LIFETIME
    )
    session.add(link)
    queue_email(
        session,
        template="tracking_link",
        recipient=email.strip(),
        recipient_kind=holder,
        case=case,
        language=language,
        context={"link": link_for(token), "expires": link.expires_at.isoformat()},
    )
    return True


def usable_link(session: Session, token: str, now: datetime | None = None) -> TrackingLink | None:
    link = session.scalar(select(TrackingLink).where(TrackingLink.token_hash == token_hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= (now or utcnow()):
        return None
    return link


def redeem(session: Session, link: TrackingLink, now: datetime | None = None) -> Case:
    """Spend the link (single use) and record who opened the case."""
    link.used_at = now or utcnow()
    case = session.get(Case, link.case_id)
    assert case is not None
    add_event(
        session, case, SYSTEM, "viewed_online", f"The {link.holder} opened the case online with a link."
    )
    return case


def case_by_code(session: Session, reference: str, code: str) -> Case | None:
    case = find_case(session, reference)
    if case is None or not case.security_code_hash or not code.strip():
        return None
    return case if hmac.compare_digest(case.security_code_hash, code_hash(code)) else None


# --- the signed-in session (server side: signing out ends it; the cookie holds only a token) ---


def start_session(session: Session, case: Case, holder: str, now: datetime | None = None) -> str:
    """A new tracking session for this case; returns the token for the cookie (stored hashed)."""
    now = now or utcnow()
    token = new_token()
    session.add(
        TrackingSession(
            token_hash=token_hash(token),
            case_id=case.id,
            holder=holder,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    return token


def _live_clause(hashed: Any, now: Any) -> tuple[ColumnElement[bool], ...]:
    """The session for this token hash, unless it has ended or expired."""
    return (
        TrackingSession.token_hash == hashed,
        TrackingSession.ended_at.is_(None),
        TrackingSession.expires_at > now,
    )


def live_session(session: Session, token: str | None, now: datetime | None = None) -> TrackingSession | None:
    if not token:
        return None
    return session.scalar(select(TrackingSession).where(*_live_clause(token_hash(token), now or utcnow())))


class Tracked(NamedTuple):
    holder: str
    case: Case
    ombudsman: bool  # whether the Ombudsman has enquiries about the case (most have none)


def live_case(session: Session, token: str | None, now: datetime | None = None) -> Tracked | None:
    """Who holds this token's live session and its case, with the person and deadlines every case
    page shows: one query for what each of the family's pages starts with."""
    if not token:
        return None
    values = {"token_hash": token_hash(token), "now": now or utcnow()}
    found = session.execute(_live_case(), values).unique().first()
    return Tracked(*found) if found else None


@cache
def _live_case() -> Select[str, Case, bool]:
    """live_case's statement, built once (values bound at execution)."""
    live = _live_clause(bindparam("token_hash"), bindparam("now"))
    enquiries = exists().where(LgoEnquiry.complaint_case_id == Case.id)
    return (
        select(TrackingSession.holder, Case, enquiries)
        .join(Case, Case.id == TrackingSession.case_id)
        .where(*live)
        .options(joinedload(Case.complainant), joinedload(Case.deadlines))
    )


class PageKey(NamedTuple):
    """What the family's case page is kept under: it changes when anything the page shows does,
    but for the date and the language, which the page's caller adds."""

    case_id: int
    revision: int
    holder: str
    ombudsman: bool
    handled_by: str | None  # the name of the person handling the case (a staff user's row)


def page_key(engine: Engine, token: str | None, now: datetime | None = None) -> PageKey | None:
    """The live session's case and its revision: one read on the driver (portal.db.first_row),
    outside the request's session, so a page kept rendered is served without one."""
    if not token:
        return None
    found = first_row(engine, _page_key(), {"token_hash": token_hash(token), "now": now or utcnow()})
    return PageKey(*found) if found else None


@cache
def _page_key() -> Select[Any]:
    cases, users = Case.__table__, StaffUser.__table__
    enquiries = exists().where(LgoEnquiry.__table__.c.complaint_case_id == cases.c.id)
    return (
        select(cases.c.id, cases.c.revision, TrackingSession.__table__.c.holder, enquiries, users.c.name)
        .join_from(TrackingSession.__table__, cases, cases.c.id == TrackingSession.__table__.c.case_id)
        .outerjoin(users, users.c.id == cases.c.assigned_to_id)
        .where(*_live_clause(bindparam("token_hash"), bindparam("now")))
    )


def end_session(session: Session, token: str | None, now: datetime | None = None) -> None:
    row = live_session(session, token, now)
    if row is not None:
        row.ended_at = now or utcnow()
