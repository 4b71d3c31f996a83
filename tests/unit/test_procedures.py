"""The timescale table, council overrides and due dates (DOMAIN §1.7, §2.1, §3.4)."""

from __future__ import annotations

from datetime import date
from typing import Any

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.procedures import (
    DEFAULT_PROCEDURES,
    Clock,
    ClockKind,
    Procedure,
    Unit,
    clock_due,
    configure,
    due_dates,
)
from portal.domain.working_days import Calendar

ENGLAND = dict(holidays.country_holidays("GB", subdiv="ENG", years=range(2020, 2031)).items())
CAL = Calendar(ENGLAND)
XMAS = date(2026, 12, 22)
WD, MONTHS, OTHERS = Unit.WORKING_DAYS, Unit.CALENDAR_MONTHS, Unit.SET_BY_OTHERS
ACK, RESP, WIN = ClockKind.ACKNOWLEDGEMENT, ClockKind.RESPONSE, ClockKind.WINDOW


def test_the_procedures() -> None:
    assert set(DEFAULT_PROCEDURES) == {
        "statutory", "corporate", "compliment", "enquiry_general", "enquiry_councillor",
        "enquiry_mp", "lgo",
    }  # fmt: skip
    assert DEFAULT_PROCEDURES["statutory"].stages == 3
    assert DEFAULT_PROCEDURES["corporate"].stages == 2


@pytest.mark.parametrize(
    ("code", "event", "stage", "starts_from", "limit", "extended", "unit", "kind"),
    [
        ("statutory", "acknowledgement", 0, "received", 2, None, WD, ACK),
        ("statutory", "stage1_response", 1, "received", 10, 20, WD, RESP),
        ("statutory", "stage2_request_window", 1, "stage1_response_sent", 20, None, WD, WIN),
        ("statutory", "stage2_acknowledgement", 2, "stage2_requested", 2, None, WD, ACK),
        ("statutory", "stage2_response", 2, "statement_agreed", 25, 65, WD, RESP),
        ("statutory", "stage3_request_window", 2, "stage2_response_sent", 20, None, WD, WIN),
        ("statutory", "stage3_panel", 3, "panel_requested", 30, None, WD, RESP),
        ("statutory", "stage3_panel_report", 3, "panel_held", 5, None, WD, RESP),
        ("statutory", "stage3_council_response", 3, "panel_report_received", 15, None, WD, RESP),
        ("corporate", "acknowledgement", 0, "received", 5, None, WD, ACK),
        ("corporate", "stage1_response", 1, "acknowledged", 10, 20, WD, RESP),
        ("corporate", "stage2_request_window", 1, "stage1_response_sent", 20, None, WD, WIN),
        ("corporate", "stage2_acknowledgement", 2, "stage2_requested", 5, None, WD, ACK),
        ("corporate", "stage2_response", 2, "stage2_acknowledged", 20, 40, WD, RESP),
        ("lgo", "lgo_response", 0, "lgo_enquiry_received", None, None, OTHERS, RESP),
        ("lgo", "lgo_report_action", 0, "lgo_report_received", 3, None, MONTHS, RESP),
        ("compliment", "compliment_acknowledgement", 0, "received", 10, None, WD, ACK),
        ("enquiry_general", "enquiry_response", 0, "received", 10, None, WD, RESP),
        ("enquiry_councillor", "enquiry_response", 0, "received", 10, None, WD, RESP),
        ("enquiry_mp", "enquiry_response", 0, "received", 10, None, WD, RESP),
    ],
)
def test_default_clocks(
    code: str, event: str, stage: int, starts_from: str, limit: int | None,
    extended: int | None, unit: Unit, kind: ClockKind,
) -> None:  # fmt: skip
    clock = DEFAULT_PROCEDURES[code].clock(event)
    assert (clock.stage, clock.starts_from, clock.limit) == (stage, starts_from, limit)
    assert (clock.extended_limit, clock.unit, clock.kind) == (extended, unit, kind)


def test_every_clock_has_a_label_and_a_source() -> None:
    for procedure in DEFAULT_PROCEDURES.values():
        assert procedure.source
        for clock in procedure.clocks:
            assert clock.label and clock.source, clock.event
            assert clock.stage <= procedure.stages


def test_closure_days_count_everywhere_except_the_statutory_procedure() -> None:
    assert {c for c, p in DEFAULT_PROCEDURES.items() if not p.counts_closure_days} == {
        "statutory"
    }


def test_a_missing_clock_is_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="stage9_response"):
        DEFAULT_PROCEDURES["corporate"].clock("stage9_response")


def test_clocks_for_stage_and_next_stage() -> None:
    statutory = DEFAULT_PROCEDURES["statutory"]
    assert [c.event for c in statutory.clocks_for_stage(3)] == [
        "stage3_panel", "stage3_panel_report", "stage3_council_response",
    ]  # fmt: skip
    assert statutory.next_stage(2) == 3
    assert statutory.next_stage(3) is None
    assert DEFAULT_PROCEDURES["enquiry_mp"].next_stage(1) is None


def test_statutory_due_dates_over_christmas_2026() -> None:
    assert due_dates(DEFAULT_PROCEDURES["statutory"], XMAS, CAL) == {
        "acknowledgement": (date(2026, 12, 24), None),
        "stage1_response": (date(2027, 1, 8), date(2027, 1, 22)),
        "stage2_request_window": (date(2027, 1, 22), None),
        "stage2_acknowledgement": (date(2026, 12, 24), None),
        # 65 working days runs past Good Friday and Easter Monday 2027 (26, 29 March).
        "stage2_response": (date(2027, 1, 29), date(2027, 3, 30)),
        "stage3_request_window": (date(2027, 1, 22), None),
        "stage3_panel": (date(2027, 2, 5), None),
        "stage3_panel_report": (date(2026, 12, 31), None),
        "stage3_council_response": (date(2027, 1, 15), None),
    }


def test_corporate_due_dates_over_christmas_2026() -> None:
    assert due_dates(DEFAULT_PROCEDURES["corporate"], XMAS, CAL) == {
        "acknowledgement": (date(2026, 12, 31), None),
        "stage1_response": (date(2027, 1, 8), date(2027, 1, 22)),
        "stage2_request_window": (date(2027, 1, 22), None),
        "stage2_acknowledgement": (date(2026, 12, 31), None),
        "stage2_response": (date(2027, 1, 22), date(2027, 2, 19)),
    }


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (XMAS, date(2027, 3, 22)),
        (date(2026, 11, 30), date(2027, 2, 28)),  # a Sunday: calendar months are not moved
    ],
)
def test_ombudsman_report_clock_is_in_calendar_months(start: date, due: date) -> None:
    assert due_dates(DEFAULT_PROCEDURES["lgo"], start, CAL) == {
        "lgo_response": (None, None),
        "lgo_report_action": (due, None),
    }


@pytest.mark.parametrize("code", ["compliment", "enquiry_general", "enquiry_councillor", "enquiry_mp"])
def test_local_policy_clocks(code: str) -> None:
    due = due_dates(DEFAULT_PROCEDURES[code], XMAS, CAL)
    assert list(due.values()) == [(date(2027, 1, 8), None)]


def test_an_extension_counts_from_the_original_start_even_when_agreed_late() -> None:
    # Received Mon 2 Nov 2026: due Mon 16 Nov; an extension agreed on 18 Nov (after the due
    # date) still runs to 20 working days from receipt, not from the day it was agreed.
    clock = DEFAULT_PROCEDURES["statutory"].clock("stage1_response")
    assert clock_due(clock, date(2026, 11, 2), CAL) == (date(2026, 11, 16), date(2026, 11, 30))


def test_configure_without_overrides_gives_the_defaults() -> None:
    assert configure(None) == dict(DEFAULT_PROCEDURES)
    assert configure({}) == dict(DEFAULT_PROCEDURES)


def test_configure_changes_limits_without_touching_the_defaults() -> None:
    procs = configure(
        {"corporate": {"clocks": {"stage1_response": {"limit": 15, "extended_limit": 25}}}}
    )
    changed = procs["corporate"].clock("stage1_response")
    assert (changed.limit, changed.extended_limit) == (15, 25)
    assert changed.source == DEFAULT_PROCEDURES["corporate"].clock("stage1_response").source
    assert DEFAULT_PROCEDURES["corporate"].clock("stage1_response").limit == 10
    assert procs["statutory"] is DEFAULT_PROCEDURES["statutory"]


def test_configure_a_limit_alone_within_the_extension() -> None:
    procs = configure({"statutory": {"clocks": {"acknowledgement": {"limit": 3}}}})
    assert procs["statutory"].clock("acknowledgement").limit == 3


def test_configure_the_escalation_window_in_calendar_months() -> None:
    # Walsall and East Devon give one calendar month to ask for stage 2 (DOMAIN 2.1 K5).
    overrides = {"corporate": {"clocks": {"stage2_request_window": {"unit": "calendar_months",
                                                                    "limit": 1}}}}  # fmt: skip
    clock = configure(overrides)["corporate"].clock("stage2_request_window")
    assert clock.unit is Unit.CALENDAR_MONTHS
    assert clock_due(clock, date(2027, 1, 31), CAL) == (date(2027, 2, 28), None)


def test_three_corporate_stages_mirror_stage_two() -> None:
    corporate = configure({"corporate": {"stages": 3}})["corporate"]
    assert corporate.stages == 3
    window = corporate.clock("stage3_request_window")
    assert (window.stage, window.starts_from, window.limit, window.kind) == (
        2, "stage2_response_sent", 20, WIN,
    )  # fmt: skip
    ack = corporate.clock("stage3_acknowledgement")
    assert (ack.stage, ack.starts_from, ack.limit, ack.kind) == (3, "stage3_requested", 5, ACK)
    response = corporate.clock("stage3_response")
    assert (response.stage, response.starts_from) == (3, "stage3_acknowledged")
    assert (response.limit, response.extended_limit) == (20, 40)
    assert response.label == "Stage 3 response"
    assert corporate.next_stage(2) == 3


def test_stage_three_clocks_can_be_overridden_and_removed_again() -> None:
    three = configure(
        {"corporate": {"stages": 3, "clocks": {"stage3_response": {"limit": 30,
                                                                   "extended_limit": 50}}}}
    )  # fmt: skip
    assert three["corporate"].clock("stage3_response").limit == 30
    again = configure({"corporate": {"stages": 3}}, base=three)
    assert again["corporate"].clock("stage3_response").limit == 30
    two = configure({"corporate": {"stages": 2}}, base=three)["corporate"]
    assert two.stages == 2
    assert "stage3_response" not in two.events
    assert two == DEFAULT_PROCEDURES["corporate"]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"nope": {}}, "nope"),
        ({"corporate": {"colour": "red"}}, "colour"),
        ({"corporate": {"clocks": {"stage9_response": {"limit": 5}}}}, "stage9_response"),
        ({"corporate": {"clocks": {"stage1_response": {"deadline": 5}}}}, "deadline"),
        ({"corporate": {"clocks": {"stage1_response": {"limit": 0}}}}, "limit"),
        ({"corporate": {"clocks": {"stage1_response": {"limit": -3}}}}, "limit"),
        ({"corporate": {"clocks": {"stage1_response": {"limit": 2.5}}}}, "limit"),
        ({"corporate": {"clocks": {"stage1_response": {"limit": "15"}}}}, "limit"),
        ({"corporate": {"clocks": {"stage1_response": {"limit": True}}}}, "limit"),
        ({"corporate": {"clocks": {"stage1_response": {"limit": 25}}}}, "extended_limit"),
        ({"corporate": {"clocks": {"stage1_response": {"extended_limit": 5}}}}, "extended_limit"),
        ({"corporate": {"clocks": {"stage1_response": {"extended_limit": 0}}}}, "extended_limit"),
        ({"corporate": {"clocks": {"stage1_response": {"unit": "fortnights"}}}}, "fortnights"),
        ({"lgo": {"clocks": {"lgo_response": {"limit": 10}}}}, "set by others"),
        ({"statutory": {"stages": 2}}, "fixed"),
        ({"corporate": {"stages": 4}}, "2 or 3"),
        ({"corporate": {"stages": True}}, "2 or 3"),
        # Stage 3 clocks exist only once there are three stages.
        ({"corporate": {"clocks": {"stage3_response": {"limit": 30}}}}, "stage3_response"),
    ],
)
def test_configure_errors_name_the_problem(overrides: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        configure(overrides)


@pytest.mark.parametrize(
    "overrides",
    [
        {"corporate": "fast"},
        {"corporate": {"clocks": ["stage1_response"]}},
        {"corporate": {"clocks": {"stage1_response": 15}}},
    ],
)
def test_configure_sections_must_be_mappings(overrides: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="mapping"):
        configure(overrides)


def test_clock_validation() -> None:
    with pytest.raises(ValueError, match="x: limit"):
        Clock("x", 1, "received", None)
    with pytest.raises(ValueError, match="cannot be less"):
        Clock("x", 1, "received", 10, extended_limit=9)
    assert Clock("x", 1, "received", 10, unit="calendar_months").unit is Unit.CALENDAR_MONTHS  # type: ignore[arg-type]


def test_a_procedure_cannot_define_a_clock_twice() -> None:
    clock = Clock("x", 0, "received", 1)
    with pytest.raises(ValueError, match="defined twice: x"):
        Procedure("p", "P", 1, (clock, clock), counts_closure_days=True, source="s")


@settings(database=None, deadline=None, max_examples=200)
@given(
    st.sampled_from(sorted(DEFAULT_PROCEDURES)),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2029, 6, 30)),
)
def test_extended_due_is_never_before_due(code: str, start: date) -> None:
    for due, extended in due_dates(DEFAULT_PROCEDURES[code], start, CAL).values():
        if due is not None:
            assert due >= start
            assert CAL.is_working_day(due) or code == "lgo"
        if extended is not None:
            assert due is not None and extended >= due
