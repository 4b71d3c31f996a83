"""Case statuses, permissions per role, phases, extensions and escalation windows."""

from __future__ import annotations

import itertools
from datetime import date

import holidays
import pytest

from portal.domain.lifecycle import (
    OPEN_STATUSES,
    TRANSITIONS,
    Action,
    Phase,
    Role,
    Status,
    TransitionRefused,
    actions_for,
    allowed,
    escalation_window,
    extension_allowed,
    is_open,
    next_status,
    phase,
)
from portal.domain.procedures import (
    DEFAULT_PROCEDURES,
    Clock,
    ClockKind,
    Unit,
    clock_due,
)
from portal.domain.working_days import Calendar

ENGLAND = dict(holidays.country_holidays("GB", subdiv="ENG", years=range(2020, 2031)).items())
CAL = Calendar(ENGLAND)
S, A, R = Status, Action, Role
STAFF = {R.OFFICER, R.MANAGER}
RESPONDERS = STAFF | {R.RESPONDING_MANAGER}
ANYONE_ON_THE_CASE = STAFF | {R.COMPLAINANT}

# The table as the brief describes it, written out independently of the implementation.
EXPECTED: dict[tuple[Status, Action], tuple[Status, set[Role]]] = {
    (S.RECEIVED, A.ACKNOWLEDGE): (S.IN_PROGRESS, STAFF),
    (S.RECEIVED, A.REFER_FOR_DECISION): (S.AWAITING_DECISION, STAFF),
    (S.IN_PROGRESS, A.REFER_FOR_DECISION): (S.AWAITING_DECISION, STAFF),
    (S.AWAITING_DECISION, A.DECIDE_ACCEPT): (S.IN_PROGRESS, STAFF),
    (S.AWAITING_DECISION, A.DECIDE_REFUSE): (S.CLOSED, {R.MANAGER}),
    (S.IN_PROGRESS, A.PAUSE): (S.PAUSED, STAFF),
    (S.PAUSED, A.RESUME): (S.IN_PROGRESS, STAFF),
    (S.IN_PROGRESS, A.WAIT_FOR_COMPLAINANT): (S.AWAITING_COMPLAINANT, RESPONDERS),
    (S.AWAITING_COMPLAINANT, A.COMPLAINANT_REPLIED): (S.IN_PROGRESS, ANYONE_ON_THE_CASE),
    (S.IN_PROGRESS, A.EXTEND): (S.IN_PROGRESS, RESPONDERS),
    (S.AWAITING_COMPLAINANT, A.EXTEND): (S.AWAITING_COMPLAINANT, RESPONDERS),
    (S.IN_PROGRESS, A.RESPOND): (S.RESPONDED, RESPONDERS),
    (S.AWAITING_COMPLAINANT, A.RESPOND): (S.RESPONDED, RESPONDERS),
    (S.RESPONDED, A.REQUEST_ESCALATION): (S.ESCALATION_REQUESTED, ANYONE_ON_THE_CASE),
    (S.ESCALATION_REQUESTED, A.ACCEPT_ESCALATION): (S.IN_PROGRESS, STAFF),
    (S.ESCALATION_REQUESTED, A.REFUSE_ESCALATION): (S.RESPONDED, {R.MANAGER}),
    (S.RESPONDED, A.CLOSE): (S.CLOSED, STAFF),
    **{(s, A.WITHDRAW): (S.WITHDRAWN, ANYONE_ON_THE_CASE) for s in OPEN_STATUSES},
    (S.CLOSED, A.REOPEN): (S.IN_PROGRESS, {R.MANAGER}),
    (S.WITHDRAWN, A.REOPEN): (S.IN_PROGRESS, {R.MANAGER}),
}
ALL = list(itertools.product(Status, Action, Role))


def test_the_table_is_exactly_as_designed() -> None:
    assert {k: (to, set(roles)) for k, (to, roles) in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(
    ("status", "action", "role"),
    [(s, a, r) for (s, a), (_, roles) in EXPECTED.items() for r in sorted(roles)],
)
def test_every_allowed_transition(status: Status, action: Action, role: Role) -> None:
    assert allowed(status, action, role)
    assert next_status(status, action, role) == EXPECTED[(status, action)][0]
    assert action in actions_for(status, role)


@pytest.mark.parametrize(
    ("status", "action", "role"),
    [(s, a, r) for (s, a), (_, roles) in EXPECTED.items() for r in Role if r not in roles],
)
def test_every_other_role_is_refused_the_same_transition(
    status: Status, action: Action, role: Role
) -> None:
    assert not allowed(status, action, role)
    with pytest.raises(TransitionRefused, match="only"):
        next_status(status, action, role)


@pytest.mark.parametrize(
    ("status", "action", "role"),
    [
        (S.RECEIVED, A.RESPOND, R.OFFICER),  # acknowledge first
        (S.PAUSED, A.RESPOND, R.MANAGER),  # resume first, so the pause end is recorded
        (S.PAUSED, A.EXTEND, R.MANAGER),
        (S.CLOSED, A.WITHDRAW, R.COMPLAINANT),
        (S.WITHDRAWN, A.CLOSE, R.MANAGER),
        (S.RESPONDED, A.REFUSE_ESCALATION, R.MANAGER),  # nothing was requested
        (S.ESCALATION_REQUESTED, A.REFUSE_ESCALATION, R.OFFICER),  # Code 5.7: manager only
        (S.CLOSED, A.REOPEN, R.OFFICER),
        (S.AWAITING_DECISION, A.DECIDE_REFUSE, R.OFFICER),
        (S.IN_PROGRESS, A.PAUSE, R.COMPLAINANT),
        (S.IN_PROGRESS, A.RESPOND, R.COMPLAINANT),
        (S.IN_PROGRESS, A.CLOSE, R.MANAGER),  # respond before closing
        (S.RECEIVED, A.ACKNOWLEDGE, R.SYSTEM),
        (S.RESPONDED, A.CLOSE, R.SYSTEM),  # no automatic closure when a window lapses
    ],
)
def test_sample_of_refused_combinations(status: Status, action: Action, role: Role) -> None:
    assert not allowed(status, action, role)
    with pytest.raises(TransitionRefused) as refused:
        next_status(status, action, role)
    assert (refused.value.status, refused.value.action, refused.value.role) == (
        status, action, role,
    )  # fmt: skip


def test_allowed_next_status_and_actions_for_agree_everywhere() -> None:
    for status, action, role in ALL:
        ok = (status, action) in EXPECTED and role in EXPECTED[(status, action)][1]
        assert allowed(status, action, role) is ok
        assert (action in actions_for(status, role)) is ok
        if not ok:
            with pytest.raises(TransitionRefused):
                next_status(status, action, role)


def test_the_system_changes_no_status() -> None:
    assert all(actions_for(s, R.SYSTEM) == [] for s in Status)


@pytest.mark.parametrize(
    ("status", "role", "actions"),
    [
        (S.RECEIVED, R.OFFICER, [A.ACKNOWLEDGE, A.REFER_FOR_DECISION, A.WITHDRAW]),
        (S.RECEIVED, R.COMPLAINANT, [A.WITHDRAW]),
        (S.RESPONDED, R.COMPLAINANT, [A.REQUEST_ESCALATION, A.WITHDRAW]),
        (S.RESPONDED, R.RESPONDING_MANAGER, []),
        (S.IN_PROGRESS, R.RESPONDING_MANAGER, [A.WAIT_FOR_COMPLAINANT, A.EXTEND, A.RESPOND]),
        (S.ESCALATION_REQUESTED, R.MANAGER,
         [A.ACCEPT_ESCALATION, A.REFUSE_ESCALATION, A.WITHDRAW]),
        (S.CLOSED, R.MANAGER, [A.REOPEN]),
        (S.CLOSED, R.OFFICER, []),
    ],
)  # fmt: skip
def test_actions_for(status: Status, role: Role, actions: list[Action]) -> None:
    assert actions_for(status, role) == actions


def test_refusal_messages_are_readable() -> None:
    with pytest.raises(TransitionRefused) as wrong_role:
        next_status(S.ESCALATION_REQUESTED, A.REFUSE_ESCALATION, R.OFFICER)
    assert str(wrong_role.value) == (
        "A complaints officer may not refuse the escalation of a case that is escalation "
        "requested; only the complaints manager may."
    )
    with pytest.raises(TransitionRefused) as wrong_step:
        next_status(S.CLOSED, A.RESPOND, R.MANAGER)
    assert str(wrong_step.value) == "Nobody can respond to a case that is closed."
    with pytest.raises(TransitionRefused) as several:
        next_status(S.IN_PROGRESS, A.RESPOND, R.COMPLAINANT)
    assert str(several.value) == (
        "The complainant may not respond to a case that is in progress; only a complaints "
        "officer, a responding manager or the complaints manager may."
    )


@pytest.mark.parametrize(("status", "open_"), [(s, s not in {S.CLOSED, S.WITHDRAWN}) for s in S])
def test_is_open(status: Status, open_: bool) -> None:
    assert is_open(status) is open_
    assert (status in OPEN_STATUSES) is open_


def test_every_status_is_reachable_and_every_open_status_can_move() -> None:
    reached, frontier = {S.RECEIVED}, [S.RECEIVED]
    while frontier:
        current = frontier.pop()
        for (source, _), (target, _) in TRANSITIONS.items():
            if source == current and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(Status)
    assert all(actions_for(s, R.MANAGER) for s in Status)


DUE = date(2026, 3, 20)


@pytest.mark.parametrize(
    ("status", "due", "today", "expected"),
    [
        (S.CLOSED, DUE, date(2026, 4, 1), Phase.CLOSED),
        (S.WITHDRAWN, None, DUE, Phase.CLOSED),
        (S.RECEIVED, DUE, DUE, Phase.AWAITING_US),  # due today is not yet overdue
        (S.RECEIVED, DUE, date(2026, 3, 21), Phase.OVERDUE),
        (S.AWAITING_DECISION, DUE, date(2026, 3, 23), Phase.OVERDUE),
        (S.IN_PROGRESS, DUE, date(2026, 3, 1), Phase.AWAITING_US),
        (S.IN_PROGRESS, None, date(2026, 3, 1), Phase.AWAITING_US),
        (S.ESCALATION_REQUESTED, DUE, date(2026, 3, 23), Phase.OVERDUE),
        (S.AWAITING_COMPLAINANT, DUE, date(2026, 3, 1), Phase.AWAITING_COMPLAINANT),
        (S.AWAITING_COMPLAINANT, DUE, date(2026, 3, 23), Phase.OVERDUE),  # clock still runs
        (S.RESPONDED, DUE, date(2026, 3, 23), Phase.AWAITING_COMPLAINANT),
        (S.PAUSED, DUE, date(2026, 3, 23), Phase.OPEN),  # clock stopped
    ],
)
def test_phase(status: Status, due: date | None, today: date, expected: Phase) -> None:
    assert phase(status, due, today) is expected


def test_phase_accepts_the_stored_string() -> None:
    assert phase("paused", None, DUE) is Phase.OPEN  # type: ignore[arg-type]


STAT = DEFAULT_PROCEDURES["statutory"]
CORP = DEFAULT_PROCEDURES["corporate"]


@pytest.mark.parametrize(
    ("clock", "total", "ok", "says"),
    [
        (STAT.clock("stage1_response"), 20, True, "20 working days in total"),
        (STAT.clock("stage1_response"), 15, True, "15 working days"),
        (STAT.clock("stage1_response"), 21, False, "at most 20 working days in total"),
        (STAT.clock("stage1_response"), 10, False, "longer than the usual 10"),
        (STAT.clock("stage2_response"), 65, True, "65"),
        (STAT.clock("stage2_response"), 66, False, "at most 65"),
        (STAT.clock("stage3_panel"), 35, False, "review panel meeting cannot be extended"),
        (CORP.clock("stage1_response"), 20, True, "20"),
        (CORP.clock("stage2_response"), 40, True, "40"),
        (CORP.clock("stage2_response"), 41, False, "at most 40"),
        (CORP.clock("acknowledgement"), 6, False, "cannot be extended"),
        (DEFAULT_PROCEDURES["lgo"].clock("lgo_response"), 5, False, "cannot be extended"),
    ],
)
def test_extension_allowed(clock: Clock, total: int, ok: bool, says: str) -> None:
    allowed_, reason = extension_allowed(clock, total)
    assert allowed_ is ok
    assert says in reason


def test_refused_extension_cites_the_regulations() -> None:
    _, reason = extension_allowed(STAT.clock("stage1_response"), 25)
    assert "SI 2006/1738 reg 14" in reason


def test_an_extension_after_the_original_due_date() -> None:
    # Received Mon 2 Nov 2026, due Mon 16 Nov. On Wed 18 Nov the case is overdue; a
    # 20-day extension agreed that day still counts from receipt: due Mon 30 Nov.
    clock = STAT.clock("stage1_response")
    due, extended = clock_due(clock, date(2026, 11, 2), CAL)
    today = date(2026, 11, 18)
    assert phase(S.IN_PROGRESS, due, today) is Phase.OVERDUE
    assert extension_allowed(clock, 20)[0]
    assert next_status(S.IN_PROGRESS, A.EXTEND, R.RESPONDING_MANAGER) is S.IN_PROGRESS
    assert extended == date(2026, 11, 30)
    assert phase(S.IN_PROGRESS, extended, today) is Phase.AWAITING_US


@pytest.mark.parametrize(
    ("today", "open_", "late"),
    [
        (date(2026, 12, 23), True, False),
        (date(2027, 1, 22), True, False),  # the last day
        (date(2027, 1, 25), False, True),  # late: still accepted, for a staff decision
    ],
)
def test_escalation_window_over_christmas(today: date, open_: bool, late: bool) -> None:
    window = escalation_window(date(2026, 12, 22), STAT.clock("stage2_request_window"), CAL, today)
    assert (window.open, window.closes_on, window.late) == (open_, date(2027, 1, 22), late)


def test_escalation_window_in_calendar_months() -> None:
    month = Clock("stage2_request_window", 1, "stage1_response_sent", 1,
                  unit=Unit.CALENDAR_MONTHS, kind=ClockKind.WINDOW)  # fmt: skip
    window = escalation_window(date(2027, 1, 31), month, CAL, date(2027, 3, 1))
    assert (window.closes_on, window.late) == (date(2027, 2, 28), True)


def test_only_window_clocks_make_escalation_windows() -> None:
    with pytest.raises(ValueError, match="not an escalation window"):
        escalation_window(date(2026, 12, 22), STAT.clock("stage1_response"), CAL, date(2027, 1, 1))
