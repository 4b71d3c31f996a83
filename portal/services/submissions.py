"""Turn a finished draft into a case: one transaction, idempotent, acknowledgement queued."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.models import Case, Draft, Person, StaffUser
from portal.notify.outbox import queue_email, queue_for_person
from portal.services.cases import SYSTEM, NewCase, add_event, record_case
from portal.services.rules import Rules
from portal.services.tracking import code_hash, new_security_code

WHO_TO_CATEGORY = {
    "young_person": ComplainantCategory.YOUNG_PERSON,
    "parent": ComplainantCategory.PARENT,
    "foster_carer": ComplainantCategory.FOSTER_CARER,
    "advocate": ComplainantCategory.ADVOCATE,
    "other": ComplainantCategory.OTHER,
}


class NotReady(ValueError):
    """The draft is missing answers; the journey sends the person back to them."""


def _iso(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def needs_from_answers(a: dict[str, Any]) -> dict[str, Any]:
    """The formats and adjustments part of the answers, as stored on the person."""
    formats = list(a.get("formats") or [])
    adjustments = list(a.get("adjustments") or [])
    needs: dict[str, Any] = {"formats": formats, "adjustments": adjustments}
    if "large_print" in formats:
        needs["large_print_size"] = int(a.get("large_print_size") or 24)
    if "coloured_paper" in formats:
        needs["paper_colour"] = a.get("paper_colour") or "cream"
    if "interpreter" in adjustments:
        needs["interpreter_language"] = a.get("interpreter_language") or ""
    if a.get("other"):
        needs["other"] = a["other"]
    return needs


def _person(a: dict[str, Any]) -> Person:
    safe = set(a.get("safe") or [])
    language = a.get("language") or "en"
    return Person(
        name=a["name"],
        email=a.get("email") or None,
        phone=a.get("phone") or None,
        address=a.get("address") or None,
        preferred_language=language if language != "other" else "en",
        contact_method=a.get("contact_method") or "email",
        no_post_home="no_post_home" in safe,
        no_voicemail="no_voicemail" in safe,
        safe_times=a.get("safe_times") or None,
        advocate_name=a.get("advocate_name") or None,
        advocate_email=a.get("advocate_email") or None,
        needs=needs_from_answers(a),
    )


def _new_case(a: dict[str, Any], today: date, key: str) -> NewCase:
    if a.get("kind") == "compliment":
        return NewCase(
            kind="compliment",
            category=ComplainantCategory.OTHER,
            service_area=ServiceArea.OTHER,
            summary=a["message"],
            received_on=today,
            person_name=a["name"],
            idempotency_key=key,
        )
    child = a["name"] if a.get("who") == "young_person" else a.get("child_name")
    return NewCase(
        kind="complaint",
        category=WHO_TO_CATEGORY[a["who"]],
        service_area=ServiceArea(a["service_area"]),
        summary=a["what_happened"],
        received_on=today,
        person_name=a["name"],
        arose_on=_iso(a.get("happened_on")),
        child_name=child,
        desired_outcome=a.get("outcome"),
        idempotency_key=key,
        appealable_to_send_tribunal="tribunal" in (a.get("proceedings") or []),
    )


def _complete_case(case: Case, a: dict[str, Any], person: Person) -> None:
    case.complainant = person
    case.child_dob = _iso(a.get("child_dob"))
    case.other_proceedings = list(a.get("proceedings") or [])
    case.advocacy_requested = a.get("wants_advocate") == "yes"
    if a.get("who") == "advocate":
        org = a.get("advocate_org")
        case.advocate_org = a.get("advocate_org_other") if org == "other" else org
        case.young_person_consent = a.get("consent") == "yes"
        case.contact_young_person_directly = a.get("contact_directly") == "yes"
    if a.get("kind") == "compliment":
        case.compliment_about = f"{a.get('about_type')}: {a.get('about_name')}"
        case.share_permission = a.get("share_permission") == "yes"


def _acknowledgement_context(case: Case) -> dict[str, Any]:
    due = min(
        (d.due_on for d in case.deadlines if d.is_open and d.due_on and d.kind != "window"), default=None
    )
    return {
        "reference": case.reference,
        "due_date": due.isoformat() if due else "",
        "procedure": case.procedure,
    }


def submit(session: Session, draft: Draft, rules: Rules, today: date) -> Case:
    """Create the case from the draft's answers. Calling it twice returns the same case.

    The caller owns the transaction; on an IntegrityError from a concurrent submission of
    the same draft, it rolls back and calls `existing_case`.
    """
    if draft.submitted_case_id is not None:
        case = session.get(Case, draft.submitted_case_id)
        if case is not None:
            return case
    a = draft.answers
    missing = [k for k in ("kind", "name") if not a.get(k)]
    if missing:
        raise NotReady(", ".join(missing))
    key = f"draft-{draft.id}"
    new = _new_case(a, today, key)
    case = record_case(session, new, SYSTEM, rules)
    placeholder, person = case.complainant, _person(a)
    _complete_case(case, a, person)
    session.flush()
    if placeholder is not None and placeholder is not person:
        session.delete(placeholder)  # record_case's bare Person: the full one replaces it
    for upload in draft.uploads:
        upload.case_id = case.id
        add_event(
            session, case, SYSTEM, "upload", f"File received: {upload.original_name}", upload_id=upload.id
        )
    draft.submitted_case_id = case.id
    # The security code lets people without email follow the case (reference + code). Only
    # its hash is on the case; the plain code stays with the draft for the confirmation page
    # and the receipt, which only this person's session can open.
    code = new_security_code()
    case.security_code_hash = code_hash(code)
    draft.answers = {**draft.answers, "_security_code": code}
    context = _acknowledgement_context(case)
    if case.kind == "complaint":
        queue_for_person(session, person, case, "acknowledgement", context)
    _tell_managers(session, case, context)
    return case


def _tell_managers(session: Session, case: Case, context: dict[str, Any]) -> None:
    """A new case goes to the complaints managers until someone picks it up."""
    managers = session.scalars(
        select(StaffUser).where(StaffUser.role == "manager", StaffUser.is_active.is_(True))
    )
    for manager in managers:
        queue_email(
            session,
            template="staff_new_case",
            recipient=manager.email,
            recipient_kind="staff",
            case=case,
            context={"reference": context["reference"], "due_date": context["due_date"]},
            dedupe_key=f"new-case:{case.id}:{manager.id}",
        )


def existing_case(session: Session, draft_id: int) -> Case | None:
    return session.scalar(select(Case).where(Case.idempotency_key == f"draft-{draft_id}"))


__all__ = ["IntegrityError", "NotReady", "existing_case", "submit"]
