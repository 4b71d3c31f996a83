"""Start, extend, pause, resume and complete the clocks on a case; explain and recompute them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.domain.lifecycle import extension_allowed
from portal.domain.procedures import Clock, Unit
from portal.domain.working_days import (
    Calendar,
    Explanation,
    add_months,
    explain,
    pause_adjusted_due,
)
from portal.models import Case, CaseEvent, Deadline
from portal.services.rules import Rules


class DeadlineError(ValueError):
    """A deadline change the rules do not allow; the message is fit to show staff."""


def _basis(calendar: Calendar, start: date, days: int, due: date) -> dict[str, Any]:
    return {
        "start_on": start.isoformat(),
        "working_days": days,
        "count_start_day": calendar.count_start_day,
        "skipped": [[d.isoformat(), why] for d, why in calendar.non_working_days(start, due)],
    }


def compute_due(calendar: Calendar, clock: Clock, start: date, days: int | None = None) -> date | None:
    limit = clock.limit if days is None else days
    if clock.unit is Unit.SET_BY_OTHERS or limit is None:
        return None
    if clock.unit is Unit.CALENDAR_MONTHS:
        return add_months(start, limit)
    return calendar.add_working_days(start, limit)


def start_clock(case: Case, clock: Clock, start: date, rules: Rules, due: date | None = None) -> Deadline:
    """Compute the due date once and store it with what it was computed from."""
    calendar = rules.calendar_for(case.procedure)
    due_on = due or compute_due(calendar, clock, start)
    basis: dict[str, Any] = {"start_on": start.isoformat()}
    if clock.unit is Unit.WORKING_DAYS and due_on is not None and clock.limit is not None:
        basis = _basis(calendar, start, clock.limit, due_on)
    basis |= {"unit": clock.unit.value, "starts_from": clock.starts_from}
    if due is not None:
        basis["set_by"] = "given"
    deadline = Deadline(
        stage=clock.stage,
        event=clock.event,
        kind=clock.kind,
        start_on=start,
        limit_days=clock.limit,
        unit=clock.unit.value,
        due_on=due_on,
        extended_limit_days=None,
        basis=basis,
        is_open=True,
        paused_working_days=0,
    )
    case.deadlines.append(deadline)
    return deadline


def open_deadline(case: Case, event: str) -> Deadline | None:
    for deadline in case.deadlines:
        if deadline.event == event and deadline.is_open:
            return deadline
    return None


def complete(case: Case, event: str, on: date) -> Deadline | None:
    deadline = open_deadline(case, event)
    if deadline is not None:
        deadline.met_on = on
        deadline.is_open = False
    return deadline


def close_all(case: Case, on: date) -> None:
    for deadline in case.deadlines:
        if deadline.is_open:
            deadline.is_open = False
            deadline.paused_since = None


def extend(case: Case, clock: Clock, total_days: int, reason: str, rules: Rules) -> Deadline:
    """Extend an open response clock to `total_days` from its start, within the legal maximum."""
    deadline = open_deadline(case, clock.event)
    if deadline is None:
        raise DeadlineError("There is no open deadline to extend.")
    if not reason.strip():
        raise DeadlineError("Give the reason for the extension.")
    ok, why = extension_allowed(clock, total_days)
    if not ok:
        raise DeadlineError(why)
    calendar = rules.calendar_for(case.procedure)
    new_due = _due_after(calendar, deadline.start_on, total_days, deadline.paused_working_days)
    deadline.extended_limit_days = total_days
    deadline.extended_due_on = new_due
    deadline.extension_reason = reason.strip()
    deadline.basis = deadline.basis | {
        "extension": {"working_days": total_days, "due_on": new_due.isoformat(), "reason": reason}
    }
    return deadline


def pause(case: Case, on: date) -> list[Deadline]:
    paused = [d for d in case.deadlines if d.is_open and d.kind != "window" and not d.paused_since]
    for deadline in paused:
        deadline.paused_since = on
    return paused


def resume(case: Case, on: date, rules: Rules) -> list[Deadline]:
    """Move each paused deadline on by the working days lost while the clock was stopped."""
    calendar = rules.calendar_for(case.procedure)
    resumed = []
    for deadline in case.deadlines:
        if not deadline.is_open or deadline.paused_since is None:
            continue
        lost = 0
        if deadline.due_on is not None:
            deadline.due_on, lost = pause_adjusted_due(calendar, deadline.due_on, deadline.paused_since, on)
        if deadline.extended_due_on is not None:
            deadline.extended_due_on, _ = pause_adjusted_due(
                calendar, deadline.extended_due_on, deadline.paused_since, on
            )
        pauses = [
            *deadline.basis.get("pauses", []),
            [deadline.paused_since.isoformat(), on.isoformat(), lost],
        ]
        deadline.basis = deadline.basis | {"pauses": pauses}
        deadline.paused_working_days += lost
        deadline.paused_since = None
        resumed.append(deadline)
    return resumed


def explanation(deadline: Deadline, rules: Rules, procedure: str) -> Explanation | None:
    """Explain a stored working-day deadline from its stored start and limit."""
    if deadline.unit != Unit.WORKING_DAYS.value or deadline.due_on is None:
        return None
    days = deadline.limit_days or 0
    calendar = rules.calendar_for(procedure)
    base_due = calendar.add_working_days(deadline.start_on, days)
    label = deadline.basis.get("starts_from", "received")
    return explain(calendar, deadline.start_on, days, base_due, start_label=label)


_KEPT_ON_RECOMPUTE = ("pauses", "extension", "unit", "starts_from")


def _due_after(calendar: Calendar, start: date, days: int, paused_days: int) -> date:
    """Due date for `days` working days from `start`, moved on by working days lost to pauses."""
    due = calendar.add_working_days(start, days)
    return calendar.add_working_days(due, paused_days) if paused_days else due


def _recomputed(deadline: Deadline, calendar: Calendar) -> tuple[date, date | None] | None:
    """(due, extended due) under the current calendar, or None where nothing changed."""
    if deadline.limit_days is None or deadline.basis.get("set_by") == "given":
        return None
    paused = deadline.paused_working_days
    due = _due_after(calendar, deadline.start_on, deadline.limit_days, paused)
    extended = None
    if deadline.extended_limit_days is not None:
        extended = _due_after(calendar, deadline.start_on, deadline.extended_limit_days, paused)
    if (due, extended) == (deadline.due_on, deadline.extended_due_on):
        return None
    return due, extended


def recompute_open(session: Session, rules: Rules) -> list[dict[str, Any]]:
    """After holiday data changes: recompute every open working-day deadline, record each change."""
    changes = []
    stmt = select(Deadline).where(Deadline.is_open.is_(True), Deadline.unit == Unit.WORKING_DAYS.value)
    for deadline in session.scalars(stmt):
        case = deadline.case
        calendar = rules.calendar_for(case.procedure)
        new = _recomputed(deadline, calendar)
        if new is None:
            continue
        before = str(deadline.effective_due_on)
        deadline.due_on, deadline.extended_due_on = new
        after = str(deadline.effective_due_on)
        kept = {k: v for k, v in deadline.basis.items() if k in _KEPT_ON_RECOMPUTE}
        deadline.basis = _basis(calendar, deadline.start_on, deadline.limit_days or 0, new[0]) | kept
        change = {"event": deadline.event, "from": before, "to": after}
        session.add(
            CaseEvent(
                case=case,
                actor_kind="system",
                kind="deadline_recomputed",
                summary=f"Due date for {deadline.event} changed from {before} to {after} "
                "because the bank holiday data changed.",
                data=change,
            )
        )
        changes.append({"reference": case.reference, **change})
    return changes
