"""Case statuses, who may move a case between them, and how overdue it is (DOMAIN §1.6, §2.1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from portal.domain.procedures import Clock, ClockKind, Unit, clock_due
from portal.domain.working_days import Calendar


class Status(StrEnum):
    RECEIVED = "received"
    AWAITING_DECISION = "awaiting_decision"  # sufficient interest (s26(3)(e)) or 12 months (reg 9)
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"  # clock stopped, with a recorded reason (e.g. reg 8 proceedings)
    AWAITING_COMPLAINANT = "awaiting_complainant"  # we asked them something; clock still runs
    RESPONDED = "responded"  # response sent; escalation window open
    ESCALATION_REQUESTED = "escalation_requested"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class Role(StrEnum):
    COMPLAINANT = "complainant"
    OFFICER = "officer"  # complaints officer
    MANAGER = "manager"  # complaints manager (reg 10 SI 2006/1738)
    RESPONDING_MANAGER = "responding_manager"  # service manager / adjudicator who writes replies
    SYSTEM = "system"


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    REFER_FOR_DECISION = "refer_for_decision"
    DECIDE_ACCEPT = "decide_accept"
    DECIDE_REFUSE = "decide_refuse"
    PAUSE = "pause"
    RESUME = "resume"
    WAIT_FOR_COMPLAINANT = "wait_for_complainant"
    COMPLAINANT_REPLIED = "complainant_replied"
    EXTEND = "extend"
    RESPOND = "respond"
    REQUEST_ESCALATION = "request_escalation"
    ACCEPT_ESCALATION = "accept_escalation"
    REFUSE_ESCALATION = "refuse_escalation"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    REOPEN = "reopen"


class Phase(StrEnum):
    OPEN = "open"
    AWAITING_US = "awaiting_us"
    AWAITING_COMPLAINANT = "awaiting_complainant"
    OVERDUE = "overdue"
    CLOSED = "closed"


S, A, R = Status, Action, Role
CLOSED_STATUSES = frozenset({S.CLOSED, S.WITHDRAWN})
OPEN_STATUSES = frozenset(s for s in Status if s not in CLOSED_STATUSES)

_STAFF = frozenset({R.OFFICER, R.MANAGER})
_RESPONDERS = _STAFF | {R.RESPONDING_MANAGER}
_COMPLAINANT_OR_STAFF = _STAFF | {R.COMPLAINANT}
_MANAGER = frozenset({R.MANAGER})

# Role.SYSTEM has no entry on purpose. Every status change is a decision that must be
# attributable to a person: reg 13 SI 2006/1738 records outcomes and decisions, and Code
# 5.7 forbids refusing an escalation without valid reasons. The system computes deadlines
# and sends reminders only; it never closes a case when a window lapses, because late
# escalation requests are accepted for a staff decision (DOMAIN §10).
_CORE: dict[tuple[Status, Action], tuple[Status, frozenset[Role]]] = {
    # Acknowledging starts the work (Code 6.2; statutory C2 is local practice).
    (S.RECEIVED, A.ACKNOWLEDGE): (S.IN_PROGRESS, _STAFF),
    # Sufficient interest (s26(3)(e)) or a late complaint (reg 9; Code 2.2) needs a decision;
    # it can come to light before or after acknowledgement.
    (S.RECEIVED, A.REFER_FOR_DECISION): (S.AWAITING_DECISION, _STAFF),
    (S.IN_PROGRESS, A.REFER_FOR_DECISION): (S.AWAITING_DECISION, _STAFF),
    (S.AWAITING_DECISION, A.DECIDE_ACCEPT): (S.IN_PROGRESS, _STAFF),
    # Refusing someone access to the procedure is the complaints manager's call (reg 10) and
    # must be explained with the right to go to the Ombudsman (Code 2.1-2.5).
    (S.AWAITING_DECISION, A.DECIDE_REFUSE): (S.CLOSED, _MANAGER),
    # A pause stops the clock (e.g. reg 8: might prejudice proceedings); staff only.
    (S.IN_PROGRESS, A.PAUSE): (S.PAUSED, _STAFF),
    (S.PAUSED, A.RESUME): (S.IN_PROGRESS, _STAFF),
    # Asking the complainant something (consent of the child, agreeing the statement of
    # complaint - reg 16) does not stop the clock; a pause does.
    (S.IN_PROGRESS, A.WAIT_FOR_COMPLAINANT): (S.AWAITING_COMPLAINANT, _RESPONDERS),
    # Staff may record a reply given by phone or letter.
    (S.AWAITING_COMPLAINANT, A.COMPLAINANT_REPLIED): (S.IN_PROGRESS, _COMPLAINANT_OR_STAFF),
    # Extensions (reg 14: to 20 wd; Code 6.4-6.5) while the clock runs; the person writing
    # the response is often the one who knows more time is needed.
    (S.IN_PROGRESS, A.EXTEND): (S.IN_PROGRESS, _RESPONDERS),
    (S.AWAITING_COMPLAINANT, A.EXTEND): (S.AWAITING_COMPLAINANT, _RESPONDERS),
    (S.IN_PROGRESS, A.RESPOND): (S.RESPONDED, _RESPONDERS),
    # Code 6.6: respond when the answer is known, even if a reply from them never came.
    (S.AWAITING_COMPLAINANT, A.RESPOND): (S.RESPONDED, _RESPONDERS),
    # Complainants may ask in any way (Code 3.3), so staff can log the request for them.
    (S.RESPONDED, A.REQUEST_ESCALATION): (S.ESCALATION_REQUESTED, _COMPLAINANT_OR_STAFF),
    (S.ESCALATION_REQUESTED, A.ACCEPT_ESCALATION): (S.IN_PROGRESS, _STAFF),
    # Code 5.7: refusing escalation needs valid reasons - a manager's decision.
    (S.ESCALATION_REQUESTED, A.REFUSE_ESCALATION): (S.RESPONDED, _MANAGER),
    (S.RESPONDED, A.CLOSE): (S.CLOSED, _STAFF),
}
# A complainant may withdraw at any time; staff record withdrawals made by phone.
_WITHDRAW = {(s, A.WITHDRAW): (S.WITHDRAWN, _COMPLAINANT_OR_STAFF) for s in OPEN_STATUSES}
# Reopening undoes a recorded outcome (reg 13 records), so only the complaints manager may.
_REOPEN = {(s, A.REOPEN): (S.IN_PROGRESS, _MANAGER) for s in CLOSED_STATUSES}

TRANSITIONS: Mapping[tuple[Status, Action], tuple[Status, frozenset[Role]]] = MappingProxyType(
    {**_CORE, **_WITHDRAW, **_REOPEN}
)

_ROLE_NAMES: Mapping[Role, str] = MappingProxyType(
    {
        R.COMPLAINANT: "the complainant",
        R.OFFICER: "a complaints officer",
        R.MANAGER: "the complaints manager",
        R.RESPONDING_MANAGER: "a responding manager",
        R.SYSTEM: "the system",
    }
)


# Verb phrases for refusal messages: "may not <phrase> a case that is <status>".
_ACTION_PHRASES: Mapping[Action, str] = MappingProxyType(
    {
        A.ACKNOWLEDGE: "acknowledge",
        A.REFER_FOR_DECISION: "refer for a decision",
        A.DECIDE_ACCEPT: "decide to accept",
        A.DECIDE_REFUSE: "decide to refuse",
        A.PAUSE: "pause",
        A.RESUME: "resume",
        A.WAIT_FOR_COMPLAINANT: "wait for the complainant on",
        A.COMPLAINANT_REPLIED: "record a reply on",
        A.EXTEND: "extend",
        A.RESPOND: "respond to",
        A.REQUEST_ESCALATION: "ask to escalate",
        A.ACCEPT_ESCALATION: "accept the escalation of",
        A.REFUSE_ESCALATION: "refuse the escalation of",
        A.CLOSE: "close",
        A.WITHDRAW: "withdraw",
        A.REOPEN: "reopen",
    }
)


class TransitionRefused(Exception):
    """An action that the case's status or the person's role does not allow."""

    def __init__(self, status: Status, action: Action, role: Role) -> None:
        self.status, self.action, self.role = status, action, role
        super().__init__(self._message())

    def _message(self) -> str:
        entry = TRANSITIONS.get((self.status, self.action))
        doing, status = _ACTION_PHRASES[self.action], self.status.replace("_", " ")
        if entry is None:
            return f"Nobody can {doing} a case that is {status}."
        names = sorted(_ROLE_NAMES[r] for r in entry[1])
        who = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        return (
            f"{_ROLE_NAMES[self.role].capitalize()} may not {doing} a case that is {status}; "
            f"only {who} may."
        )


def allowed(status: Status, action: Action, role: Role) -> bool:
    entry = TRANSITIONS.get((status, action))
    return entry is not None and role in entry[1]


def next_status(status: Status, action: Action, role: Role) -> Status:
    """The status after `role` does `action`; raises TransitionRefused when not allowed."""
    entry = TRANSITIONS.get((status, action))
    if entry is None or role not in entry[1]:
        raise TransitionRefused(status, action, role)
    return entry[0]


def actions_for(status: Status, role: Role) -> list[Action]:
    """Actions `role` may take on a case in `status`, in the order Action declares them."""
    return [a for a in Action if allowed(status, a, role)]


def is_open(status: Status) -> bool:
    return status in OPEN_STATUSES


# Whose move it is. The council's clock runs in these statuses, so they can be overdue.
_CLOCK_RUNNING = frozenset(
    {S.RECEIVED, S.AWAITING_DECISION, S.IN_PROGRESS, S.ESCALATION_REQUESTED,
     S.AWAITING_COMPLAINANT}
)  # fmt: skip


def phase(status: Status, due: date | None, today: date) -> Phase:
    """Summarise a case for lists and dashboards.

    closed/withdrawn -> closed. While the council's clock runs, past `due` (today > due)
    -> overdue; that includes awaiting_complainant, because asking a question does not stop
    the clock (only a pause does). Otherwise awaiting_complainant and responded (the
    complainant may ask for the next stage) -> awaiting_complainant; the rest -> awaiting_us.
    paused -> open: the clock is stopped, so nobody is late and nothing is due.
    """
    status = Status(status)  # also accepts the stored string value
    if status in CLOSED_STATUSES:
        return Phase.CLOSED
    if status is S.PAUSED:
        return Phase.OPEN
    if status in _CLOCK_RUNNING and due is not None and today > due:
        return Phase.OVERDUE
    if status in (S.AWAITING_COMPLAINANT, S.RESPONDED):
        return Phase.AWAITING_COMPLAINANT
    return Phase.AWAITING_US


def _unit_words(clock: Clock) -> str:
    return "calendar months" if clock.unit is Unit.CALENDAR_MONTHS else "working days"


def extension_allowed(clock: Clock, requested_total_days: int) -> tuple[bool, str]:
    """Whether a clock may run to `requested_total_days` in total from its start, and why.

    Totals, not additions: statutory stage 1 10 -> 20 (reg 14), stage 2 25 -> 65; Code
    stage 1 10 -> 20 (6.4), stage 2 20 -> 40. An extension granted after the original due
    date still counts from the clock's original start.
    """
    label = clock.label[:1].lower() + clock.label[1:] if clock.label else clock.event
    if clock.limit is None or clock.extended_limit is None:
        return False, f"The {label} cannot be extended."
    units = _unit_words(clock)
    if requested_total_days <= clock.limit:
        return False, f"An extension must be longer than the usual {clock.limit} {units}."
    if requested_total_days > clock.extended_limit:
        return False, (
            f"The rules allow at most {clock.extended_limit} {units} in total for the "
            f"{label} ({clock.source})."
        )
    return True, f"The {label} may run to {requested_total_days} {units} in total."


@dataclass(frozen=True)
class WindowState:
    open: bool
    closes_on: date
    late: bool  # a request made today would be late: accept it, record it for a staff decision


def escalation_window(
    response_sent_on: date, window_clock: Clock, calendar: Calendar, today: date
) -> WindowState:
    """The complainant's time to ask for the next stage (C4, C7; Code K5 local choice).

    Late requests are not refused automatically: DOMAIN §10 recommends accepting them with a
    recorded decision, so `late` only flags them.
    """
    if window_clock.kind is not ClockKind.WINDOW:
        raise ValueError(f"{window_clock.event} is not an escalation window.")
    closes_on, _ = clock_due(window_clock, response_sent_on, calendar)
    if closes_on is None:
        raise ValueError(f"{window_clock.event} has no fixed length.")
    late = today > closes_on
    return WindowState(open=not late, closes_on=closes_on, late=late)
