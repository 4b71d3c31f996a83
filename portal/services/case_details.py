"""Details staff keep on a case: its theme (on its stage records) and the person it is about."""

from __future__ import annotations

from collections.abc import Sequence

from flask import current_app
from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.orm import Session

from portal.models import Case, ComplainedAbout, StaffUser, StageRecord
from portal.models.revision import changed
from portal.services import cases

# What complaints are about, as the annual report groups them (reg 13 SI 2006/1738: the report
# says what complaints were about). A council sets its own list with THEMES in its configuration.
DEFAULT_THEMES = (
    "Plans",
    "Communication",
    "Assessments and reports",
    "Delays and timescales",
    "Staff conduct",
    "Decisions",
    "Other",
)


class DetailError(ValueError):
    """A detail that cannot be saved; the message is fit to show staff."""


def themes() -> tuple[str, ...]:
    configured = current_app.config.get("THEMES")
    return tuple(configured) if configured else DEFAULT_THEMES


def latest_theme(case_id: ColumnElement[int] | int) -> Select[str | None]:
    """The theme of a case: its latest stage's that has one."""
    stmt = select(StageRecord.theme).where(StageRecord.case_id == case_id, StageRecord.theme.is_not(None))
    return stmt.order_by(StageRecord.stage.desc()).limit(1)


def theme_of(session: Session, case: Case) -> str | None:
    return session.scalar(latest_theme(case.id))


def theme_clause(theme: str) -> ColumnElement[bool]:
    """Cases with this theme, for the queues (stage records are indexed by theme)."""
    return Case.id.in_(select(StageRecord.case_id).where(StageRecord.theme == theme))


def set_theme(session: Session, case: Case, actor: cases.Actor, theme: str, allowed: Sequence[str]) -> None:
    """Set the theme on every stage of the case, so the annual report counts it (later stages inherit it)."""
    if case.kind not in ("complaint", "lgo"):
        raise DetailError("Only complaints and Ombudsman enquiries have a theme.")
    if theme not in allowed:
        raise DetailError("Choose one of the themes.")
    before = theme_of(session, case)
    if before == theme:
        raise DetailError(f"The theme is already {theme}.")
    session.execute(update(StageRecord).where(StageRecord.case_id == case.id).values(theme=theme))
    changed(session, {case.id})  # a Core write: the pages kept for the case are made again
    change = f"from {before} to {theme}" if before else f"to {theme}"
    cases.add_event(session, case, actor, "theme_set", f"Theme set {change}.", theme=theme)


def complained_about(session: Session, case: Case) -> ComplainedAbout | None:
    return session.get(ComplainedAbout, case.id)


def set_complained_about(
    session: Session, case: Case, actor: cases.Actor, name: str, staff_user_id: int | None
) -> ComplainedAbout:
    """Record who the complaint is about; a member of staff named here is warned about on assignment."""
    clean = " ".join(name.split())
    if not clean:
        raise DetailError("Enter the name of the person the complaint is about.")
    if staff_user_id is not None and session.get(StaffUser, staff_user_id) is None:
        raise DetailError("Choose someone from the list, or leave it blank.")
    row = complained_about(session, case)
    before = row.name if row else None
    if row is None:
        row = ComplainedAbout(case_id=case.id, name=clean[:200], staff_user_id=staff_user_id)
        session.add(row)
    else:
        row.name, row.staff_user_id = clean[:200], staff_user_id
    change = f" (was {before})" if before and before != clean else ""
    cases.add_event(
        session,
        case,
        actor,
        "complained_about_set",
        f"The complaint is about {clean}{change}.",
        staff_user=staff_user_id,
    )
    return row


def assignee_conflict(session: Session, case: Case, assignee: StaffUser) -> str | None:
    """A warning when the assignee is the person the complaint is about (Code 5.4)."""
    row = complained_about(session, case)
    if row is None:
        return None
    same_account = row.staff_user_id is not None and row.staff_user_id == assignee.id
    same_name = row.name.strip().lower() == assignee.name.strip().lower()
    if same_account or same_name:
        return (
            f"{assignee.name} is the person this complaint is about. A complaint should not be handled by "
            "the person it is about."
        )
    return None
