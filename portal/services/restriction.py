"""Restricting a case: only complaints managers and the person assigned can then open it, and
every read goes in the staff access log (portal.staff.guard.authorise_case)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.models import Case
from portal.services.cases import Actor, add_event


class RestrictionError(ValueError):
    """The change does not apply (already restricted, or not restricted); the message says so."""


def restrict(session: Session, case: Case, actor: Actor, reason: str) -> None:
    if case.restricted:
        raise RestrictionError("This case is already restricted.")
    reason = reason.strip()
    case.restricted, case.restricted_reason = True, reason
    add_event(session, case, actor, "restricted", f"Access restricted: {reason}", reason=reason)


def lift(session: Session, case: Case, actor: Actor, reason: str) -> None:
    if not case.restricted:
        raise RestrictionError("This case is not restricted.")
    reason = reason.strip()
    case.restricted, case.restricted_reason = False, None
    add_event(session, case, actor, "unrestricted", f"Restriction lifted: {reason}", reason=reason)
