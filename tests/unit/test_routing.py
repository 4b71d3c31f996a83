"""Which procedure a case follows, and the decisions and flags it raises (DOMAIN §0)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from portal.domain.procedures import DEFAULT_PROCEDURES
from portal.domain.routing import (
    ELIGIBLE_CATEGORIES,
    SOCIAL_CARE_AREAS,
    ComplainantCategory,
    Routing,
    ServiceArea,
    out_of_time,
    route,
)

C, SA = ComplainantCategory, ServiceArea
RECEIVED = date(2026, 3, 9)
SOCIAL = sorted(SOCIAL_CARE_AREAS)
NOT_SOCIAL = [SA.SEND, SA.EDUCATION, SA.OTHER]


def test_the_groups() -> None:
    assert set(SOCIAL) | set(NOT_SOCIAL) == set(ServiceArea)
    assert set(ComplainantCategory) - ELIGIBLE_CATEGORIES == {C.OTHER}


@pytest.mark.parametrize(
    ("category", "area"), list(itertools.product(sorted(ELIGIBLE_CATEGORIES), SOCIAL))
)
def test_eligible_people_about_social_care_use_the_statutory_procedure(
    category: ComplainantCategory, area: ServiceArea
) -> None:
    r = route("complaint", category, area, None, RECEIVED)
    assert r == Routing("statutory", False, False, False, r.reasons)
    assert "s26(3)" in r.reasons[0]
    assert not r.needs_decision


@pytest.mark.parametrize("area", SOCIAL)
def test_anyone_else_about_social_care_needs_a_sufficient_interest_decision(
    area: ServiceArea,
) -> None:
    r = route("complaint", C.OTHER, area, None, RECEIVED)
    assert (r.procedure, r.needs_sufficient_interest_decision) == ("statutory", True)
    assert "s26(3)(e)" in r.reasons[0]
    assert r.needs_decision


@pytest.mark.parametrize(
    ("category", "area"), list(itertools.product(ComplainantCategory, NOT_SOCIAL))
)
def test_send_education_and_other_areas_use_the_corporate_procedure(
    category: ComplainantCategory, area: ServiceArea
) -> None:
    r = route("complaint", category, area, None, RECEIVED)
    assert r == Routing("corporate", False, False, False, r.reasons)


@pytest.mark.parametrize(
    ("area", "appealable", "flag"),
    [
        (SA.SEND, True, True),
        (SA.SEND, False, False),
        (SA.EDUCATION, True, True),
        (SA.OTHER, True, False),
        (SA.DISABLED_CHILDREN, True, False),  # social care: statutory, not the Tribunal
    ],
)
def test_send_tribunal_flag(area: ServiceArea, appealable: bool, flag: bool) -> None:
    r = route("complaint", C.PARENT, area, None, RECEIVED, appealable_to_send_tribunal=appealable)
    assert r.send_tribunal_flag is flag
    assert any("SEND Tribunal" in reason for reason in r.reasons) is flag


@pytest.mark.parametrize(
    "kind", ["compliment", "enquiry_general", "enquiry_councillor", "enquiry_mp", "lgo"]
)
def test_other_kinds_route_to_their_own_procedure_without_flags(kind: str) -> None:
    r = route(kind, C.OTHER, SA.SEND, date(2020, 1, 1), RECEIVED, appealable_to_send_tribunal=True)
    assert r == Routing(kind, False, False, False, r.reasons)
    assert len(r.reasons) == 1


@pytest.mark.parametrize(
    ("kind", "category", "area"),
    [
        ("complaint", C.PARENT, SA.FOSTERING),
        ("complaint", C.OTHER, SA.SEND),
        ("compliment", C.OTHER, SA.OTHER),
        ("lgo", C.OTHER, SA.OTHER),
    ],
)
def test_every_routed_procedure_exists(
    kind: str, category: ComplainantCategory, area: ServiceArea
) -> None:
    assert route(kind, category, area, None, RECEIVED).procedure in DEFAULT_PROCEDURES


def test_a_late_complaint_is_flagged_with_the_rule_that_applies() -> None:
    statutory = route("complaint", C.PARENT, SA.CHILDREN_IN_CARE, date(2025, 3, 6), RECEIVED)
    assert statutory.out_of_time and statutory.needs_decision
    assert "Thursday 6 March 2025" in statutory.reasons[-1]
    assert "reg 9" in statutory.reasons[-1]
    corporate = route("complaint", C.PARENT, SA.SEND, date(2025, 3, 6), RECEIVED)
    assert "Code 2.2" in corporate.reasons[-1]


def test_stored_strings_are_accepted() -> None:
    r = route("complaint", "foster_carer", "fostering", None, RECEIVED)  # type: ignore[arg-type]
    assert r.procedure == "statutory"


@pytest.mark.parametrize(
    ("kind", "arose_on", "message"),
    [
        ("grumble", None, "grumble"),
        ("complaint", date(2026, 3, 10), "after"),
    ],
)
def test_bad_input_is_refused(kind: str, arose_on: date | None, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        route(kind, C.PARENT, SA.SEND, arose_on, RECEIVED)


@pytest.mark.parametrize(
    ("arose_on", "received_on", "months", "late"),
    [
        (None, RECEIVED, 12, False),
        (date(2025, 3, 9), RECEIVED, 12, False),  # exactly 12 months: in time
        (date(2025, 3, 8), RECEIVED, 12, True),  # a day more
        (date(2028, 2, 29), date(2029, 2, 28), 12, False),  # leap day: month end
        (date(2028, 2, 29), date(2029, 3, 1), 12, True),
        (date(2026, 1, 31), date(2026, 2, 28), 1, False),
        (date(2026, 1, 31), date(2026, 3, 1), 1, True),
        (RECEIVED, RECEIVED, 12, False),
    ],
)
def test_out_of_time(arose_on: date | None, received_on: date, months: int, late: bool) -> None:
    assert out_of_time(arose_on, received_on, months) is late
