"""Which cases a staff member may see and change, and the open-case overview on the staff home page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session, selectinload

from portal.domain.lifecycle import OPEN_STATUSES, Phase, Status, phase
from portal.models import Case, StaffUser

# Responding (investigating) managers work only the cases assigned to them; reporting
# staff read everything and change nothing. Everyone else sees and works every case.
ASSIGNED_ONLY_ROLES = frozenset({"responding_manager"})
READ_ONLY_ROLES = frozenset({"reporting"})
# The clocks that are the council's to meet (not the complainant's escalation windows).
_STAFF_CLOCKS = ("response", "acknowledgement")
_OPEN = sorted(s.value for s in OPEN_STATUSES)
URGENT_ROWS = 20


# A restricted case opens only for these roles and the person it is assigned to.
RESTRICTED_READERS = frozenset({"manager"})


class Assigned(Protocol):
    """A case, or a queue's row of one: all the restricted rule needs."""

    @property
    def assigned_to_id(self) -> int | None: ...


def can_open_restricted(user: StaffUser, case: Assigned) -> bool:
    assigned = case.assigned_to_id is not None and case.assigned_to_id == user.id
    return user.role in RESTRICTED_READERS or assigned


def can_see_case(user: StaffUser, case: Case) -> bool:
    if not user.is_active:
        return False
    if case.restricted and not can_open_restricted(user, case):
        return False
    if user.role in ASSIGNED_ONLY_ROLES:
        return case.assigned_to_id is not None and case.assigned_to_id == user.id
    return True


def can_change_case(user: StaffUser, case: Case) -> bool:
    return user.role not in READ_ONLY_ROLES and can_see_case(user, case)


def sees_only_assigned(user: StaffUser) -> bool:
    return user.role in ASSIGNED_ONLY_ROLES


def visible_to(user: StaffUser) -> ColumnElement[bool]:
    """The same rule as can_see_case, as a WHERE clause for lists and counts."""
    if sees_only_assigned(user):
        return Case.assigned_to_id == user.id
    return true()


def current_due(case: Case) -> date | None:
    """The earliest date the council must act by: open, running response/acknowledgement clocks."""
    dates = [
        due
        for d in case.deadlines
        if d.is_open and d.paused_since is None and d.kind in _STAFF_CLOCKS
        and (due := d.effective_due_on) is not None
    ]  # fmt: skip
    return min(dates, default=None)


@dataclass(frozen=True)
class CaseLine:
    reference: str
    procedure: str
    stage: int
    status: str
    due: date | None
    phase: Phase

    @property
    def overdue(self) -> bool:
        return self.phase is Phase.OVERDUE


@dataclass(frozen=True)
class Overview:
    counts: dict[Phase, int] = field(default_factory=dict)
    urgent: list[CaseLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def overview(session: Session, user: StaffUser, today: date) -> Overview:
    """Open cases the user may see, counted by phase, and the most urgent of them."""
    stmt = (
        select(Case)
        .where(Case.status.in_(_OPEN), visible_to(user))
        .options(selectinload(Case.deadlines))
        .order_by(Case.received_on, Case.id)
    )
    lines = []
    for case in session.scalars(stmt):
        due = current_due(case)
        lines.append(CaseLine(case.reference, case.procedure, case.stage, case.status, due,
                              phase(Status(case.status), due, today)))  # fmt: skip
    counts = Counter(line.phase for line in lines)
    # Overdue first, then by due date; cases with no running clock (paused, responded) last.
    lines.sort(key=lambda line: (not line.overdue, line.due is None, line.due or date.max))
    return Overview({p: counts.get(p, 0) for p in Phase if p is not Phase.CLOSED}, lines[:URGENT_ROWS])
