"""Working-day arithmetic against the real England and Wales bank holidays (DOMAIN §7)."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.domain.working_days import (
    Calendar,
    add_months,
    explain,
    long_date,
    pause_adjusted_due,
)

ENGLAND = dict(holidays.country_holidays("GB", subdiv="ENG", years=range(2020, 2031)).items())
CAL = Calendar(ENGLAND)
CAL_DAY1 = Calendar(ENGLAND, count_start_day=True)
CLOSURES = {date(2026, 12, day): "Council closure day" for day in (29, 30, 31)}
CAL_CLOSED = Calendar({**ENGLAND, **CLOSURES})

# No example database: tests must not write files into the repository.
PROPERTY = settings(database=None, deadline=None, max_examples=300)
starts = st.dates(min_value=date(2020, 1, 1), max_value=date(2029, 6, 30))
counts = st.integers(min_value=1, max_value=70)
calendars = st.sampled_from([CAL, CAL_DAY1])


def naive_add(start: date, n: int) -> date:
    """An independent oracle: walk forward, counting reg 2 working days after `start`."""
    d, counted = start, 0
    while counted < n:
        d += timedelta(days=1)
        if d.weekday() < 5 and d not in ENGLAND:
            counted += 1
    return d


def test_the_holiday_data_matches_domain_section_7_2() -> None:
    # The one-offs and substitutes DOMAIN §7.2 lists must be in the data the app uses.
    for d in (date(2022, 6, 3), date(2022, 9, 19), date(2023, 5, 8), date(2026, 12, 28),
              date(2027, 12, 27), date(2027, 12, 28), date(2026, 4, 3), date(2027, 3, 29)):  # fmt: skip
        assert not CAL.is_working_day(d), d


@pytest.mark.parametrize(
    ("start", "n", "due", "why"),
    [
        (date(2026, 3, 6), 1, date(2026, 3, 9), "Friday receipt: next working day is Monday"),
        (date(2026, 3, 7), 1, date(2026, 3, 9), "Saturday receipt"),
        (date(2026, 3, 8), 1, date(2026, 3, 9), "Sunday receipt"),
        (date(2026, 3, 6), 10, date(2026, 3, 20), "Friday + 10"),
        (date(2026, 3, 7), 10, date(2026, 3, 20), "Saturday + 10 is the same as Friday + 10"),
        (date(2026, 3, 8), 10, date(2026, 3, 20), "Sunday + 10 is the same as Friday + 10"),
        (date(2026, 3, 9), 10, date(2026, 3, 23), "Monday + 10"),
        (date(2026, 5, 11), 10, date(2026, 5, 26), "would land on Spring bank holiday: moved on"),
        (date(2026, 12, 22), 10, date(2027, 1, 8), "Christmas to New Year 2026"),
        (date(2026, 12, 24), 1, date(2026, 12, 29), "25 Dec Fri, 28 Dec Mon substitute"),
        (date(2026, 12, 31), 1, date(2027, 1, 4), "1 Jan 2027 Friday"),
        (date(2027, 12, 24), 1, date(2027, 12, 29), "27 and 28 Dec 2027 substitutes"),
        (date(2027, 12, 23), 2, date(2027, 12, 29), "Christmas 2027"),
        (date(2026, 4, 2), 1, date(2026, 4, 7), "Easter 2026: 3 and 6 April"),
        (date(2027, 3, 25), 1, date(2027, 3, 30), "Easter 2027: 26 and 29 March"),
        (date(2022, 9, 16), 1, date(2022, 9, 20), "State Funeral 19 Sep 2022"),
        (date(2023, 5, 5), 1, date(2023, 5, 9), "Coronation 8 May 2023"),
        (date(2022, 6, 1), 1, date(2022, 6, 6), "2 and 3 June 2022 (Jubilee)"),
        (date(2028, 2, 28), 1, date(2028, 2, 29), "29 Feb 2028 is a working day"),
        (date(2028, 2, 25), 2, date(2028, 2, 29), "leap year"),
        (date(2026, 11, 2), 65, date(2027, 2, 4), "statutory stage 2 maximum over Christmas"),
    ],
)
def test_add_working_days(start: date, n: int, due: date, why: str) -> None:
    assert CAL.add_working_days(start, n) == due, why
    assert due == naive_add(start, n)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (date(2026, 3, 9), date(2026, 3, 9)),  # working day: itself
        (date(2026, 3, 7), date(2026, 3, 9)),  # Saturday: Monday
        (date(2026, 4, 3), date(2026, 4, 7)),  # Good Friday: Tuesday after Easter Monday
    ],
)
def test_zero_working_days_is_the_first_working_day_on_or_after(start: date, due: date) -> None:
    assert CAL.add_working_days(start, 0) == due
    assert CAL_DAY1.add_working_days(start, 0) == due


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(date(2026, 3, 9), -1)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (date(2026, 12, 22), 10, date(2027, 1, 7)),  # 22 Dec is day 1
        (date(2026, 3, 9), 1, date(2026, 3, 9)),  # a working start day is day 1
        (date(2026, 3, 9), 10, date(2026, 3, 20)),
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday is not counted, even as day 1
        (date(2026, 4, 3), 1, date(2026, 4, 7)),  # nor is Good Friday
    ],
)
def test_count_start_day_variant(start: date, n: int, due: date) -> None:
    assert CAL_DAY1.add_working_days(start, n) == due


def test_closure_days_are_skipped_only_when_in_the_calendar() -> None:
    start = date(2026, 12, 22)
    assert CAL.add_working_days(start, 10) == date(2027, 1, 8)
    assert CAL_CLOSED.add_working_days(start, 10) == date(2027, 1, 13)
    skipped = dict(CAL_CLOSED.non_working_days(start, date(2027, 1, 13)))
    assert skipped[date(2026, 12, 30)] == "Council closure day"


def test_weekend_entries_in_the_holiday_data_are_reported_as_weekends() -> None:
    cal = Calendar({date(2026, 12, 26): "Boxing Day"})
    assert cal.non_working_reason(date(2026, 12, 26)) == "Saturday"
    assert cal.non_working_reason(date(2026, 12, 28)) is None


def test_the_calendar_keeps_its_own_copy_of_the_holidays() -> None:
    data = {date(2026, 3, 9): "Closure"}
    cal = Calendar(data)
    data.clear()
    assert not cal.is_working_day(date(2026, 3, 9))


@pytest.mark.parametrize(
    ("cal", "start", "end", "expected"),
    [
        (CAL, date(2026, 3, 9), date(2026, 3, 9), 0),
        (CAL, date(2026, 3, 10), date(2026, 3, 9), 0),
        (CAL, date(2026, 3, 6), date(2026, 3, 9), 1),
        (CAL, date(2026, 12, 22), date(2027, 1, 8), 10),
        (CAL, date(2026, 4, 2), date(2026, 4, 7), 1),
        (CAL_DAY1, date(2026, 12, 22), date(2027, 1, 7), 10),
        (CAL_DAY1, date(2026, 3, 9), date(2026, 3, 9), 1),
        (CAL_DAY1, date(2026, 3, 7), date(2026, 3, 9), 1),
    ],
)
def test_working_days_between(cal: Calendar, start: date, end: date, expected: int) -> None:
    assert cal.working_days_between(start, end) == expected


def test_non_working_days_christmas_2026() -> None:
    assert CAL.non_working_days(date(2026, 12, 22), date(2027, 1, 8)) == [
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Saturday"),
        (date(2026, 12, 27), "Sunday"),
        (date(2026, 12, 28), "Boxing Day (observed)"),
        (date(2027, 1, 1), "New Year's Day"),
        (date(2027, 1, 2), "Saturday"),
        (date(2027, 1, 3), "Sunday"),
    ]


@pytest.mark.parametrize(
    ("d", "months", "expected"),
    [
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 1, 15), 3, date(2026, 4, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 10, 10), 0, date(2026, 10, 10)),
    ],
)
def test_add_months(d: date, months: int, expected: date) -> None:
    assert add_months(d, months) == expected


@pytest.mark.parametrize(
    ("d", "text"),
    [
        (date(2026, 12, 22), "Tuesday 22 December 2026"),
        (date(2027, 1, 7), "Thursday 7 January 2027"),
        (date(2028, 2, 29), "Tuesday 29 February 2028"),
    ],
)
def test_long_date(d: date, text: str) -> None:
    assert long_date(d) == text


def test_explanation_christmas_2026() -> None:
    start = date(2026, 12, 22)
    e = explain(CAL, start, 10, CAL.add_working_days(start, 10))
    assert e.due == date(2027, 1, 8)
    assert e.for_staff() == (
        "Received Tuesday 22 December 2026; 10 working days counted from the next working day; "
        "not counted: Friday 25 December 2026 (Christmas Day), Monday 28 December 2026 "
        "(Boxing Day (observed)), Friday 1 January 2027 (New Year's Day) and 4 weekend days; "
        "due Friday 8 January 2027."
    )


def test_explanation_when_the_start_day_counts() -> None:
    start = date(2026, 12, 22)
    e = explain(CAL_DAY1, start, 10, CAL_DAY1.add_working_days(start, 10))
    assert e.due == date(2027, 1, 7)
    assert "counted from that day (day 1)" in e.for_staff()


def test_explanation_without_holidays_and_with_another_start() -> None:
    e = explain(CAL, date(2026, 3, 6), 1, date(2026, 3, 9), start_label="stage1_response_sent")
    assert e.for_staff() == (
        "Stage 1 response sent Friday 6 March 2026; 1 working day counted from the next working "
        "day; not counted: 2 weekend days; due Monday 9 March 2026."
    )
    other = explain(CAL, date(2026, 3, 9), 1, date(2026, 3, 10), start_label="panel_held")
    assert "not counted" not in other.for_staff()


def test_explanation_lists_closure_days_by_name() -> None:
    start = date(2026, 12, 22)
    text = explain(CAL_CLOSED, start, 10, date(2027, 1, 13)).for_staff()
    assert "Tuesday 29 December 2026 (Council closure day)" in text


@pytest.mark.parametrize(
    ("due", "paused_from", "resumed_on", "new_due", "lost"),
    [
        # Received Mon 23 Mar 2026, due Wed 8 Apr; paused 1 Apr, resumed 8 Apr: 1, 2 and 7
        # April lost (3 and 6 April are Easter holidays, 4-5 the weekend).
        (date(2026, 4, 8), date(2026, 4, 1), date(2026, 4, 8), date(2026, 4, 13), 3),
        (date(2026, 4, 8), date(2026, 4, 1), date(2026, 4, 1), date(2026, 4, 8), 0),
        (date(2026, 4, 8), date(2026, 4, 4), date(2026, 4, 6), date(2026, 4, 8), 0),
        (date(2026, 12, 23), date(2026, 12, 23), date(2026, 12, 29), date(2026, 12, 29), 2),
    ],
)
def test_pause_adjusted_due(due: date, paused_from: date, resumed_on: date, new_due: date, lost: int) -> None:
    assert pause_adjusted_due(CAL, due, paused_from, resumed_on) == (new_due, lost)
    # The counting rule for start days does not change how a pause moves a due date.
    assert pause_adjusted_due(CAL_DAY1, due, paused_from, resumed_on) == (new_due, lost)


def test_a_pause_cannot_end_before_it_begins() -> None:
    with pytest.raises(ValueError, match="before it began"):
        pause_adjusted_due(CAL, date(2026, 4, 8), date(2026, 4, 2), date(2026, 4, 1))


@PROPERTY
@given(calendars, starts, counts)
def test_a_due_date_is_always_a_working_day(cal: Calendar, start: date, n: int) -> None:
    assert cal.is_working_day(cal.add_working_days(start, n))


@PROPERTY
@given(calendars, starts, starts, counts)
def test_a_later_start_never_gives_an_earlier_due_date(cal: Calendar, a: date, b: date, n: int) -> None:
    early, late = sorted((a, b))
    assert cal.add_working_days(early, n) <= cal.add_working_days(late, n)


@PROPERTY
@given(calendars, starts, counts, counts)
def test_more_days_never_give_an_earlier_date(cal: Calendar, start: date, n: int, m: int) -> None:
    low, high = sorted((n, m))
    assert cal.add_working_days(start, low) <= cal.add_working_days(start, high)


@PROPERTY
@given(calendars, starts, counts)
def test_working_days_between_inverts_add_working_days(cal: Calendar, start: date, n: int) -> None:
    assert cal.working_days_between(start, cal.add_working_days(start, n)) == n


@PROPERTY
@given(starts, counts)
def test_add_working_days_matches_the_oracle(start: date, n: int) -> None:
    assert CAL.add_working_days(start, n) == naive_add(start, n)


@PROPERTY
@given(starts, counts, st.integers(min_value=0, max_value=30), st.integers(0, 30))
def test_a_pause_moves_the_due_date_by_exactly_the_working_days_lost(
    due: date, n: int, offset: int, length: int
) -> None:
    due = CAL.add_working_days(due, n)
    paused_from = due - timedelta(days=offset)
    new_due, lost = pause_adjusted_due(CAL, due, paused_from, paused_from + timedelta(length))
    assert new_due >= due
    assert CAL.working_days_between(due, new_due) == lost


@PROPERTY
@given(starts, st.integers(min_value=-24, max_value=24))
def test_add_months_keeps_the_day_or_clamps_to_month_end(d: date, months: int) -> None:
    result = add_months(d, months)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    assert result.day == d.day or (result.day < d.day and (result + timedelta(1)).day == 1)
