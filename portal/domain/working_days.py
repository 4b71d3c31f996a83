"""Working-day arithmetic and plain-English deadline explanations (SI 2006/1738 reg 2)."""

from __future__ import annotations

import calendar as _stdcal
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

# Fixed English names: output must not depend on the server's locale (strftime would).
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ONE_DAY = timedelta(days=1)
_WEEKEND_REASONS = frozenset({"Saturday", "Sunday"})

# How the public text names the event that started a clock; unknown labels fall back to the date.


def long_date(d: date) -> str:
    """Format a date as 'Tuesday 22 December 2026' (GOV.UK style: no leading zero)."""
    return f"{_DAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


def add_months(d: date, months: int) -> date:
    """Same day number `months` calendar months on, clamped to the month end (31 Jan -> 28 Feb).

    Used for calendar-month limits such as LGA 1974 s31(2) (three months) and the
    12-month time limit for complaints (reg 9 SI 2006/1738; LGSCO Code 2.2).
    """
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    last_day = _stdcal.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last_day))


def _days(first: date, last: date) -> Iterator[date]:
    """Every date from first to last inclusive (nothing when last < first)."""
    d = first
    while d <= last:
        yield d
        d += _ONE_DAY


@dataclass(frozen=True)
class Calendar:
    """Which days are working days, and how a period of working days is counted (DOMAIN §7).

    Reg 2 SI 2006/1738: a working day is any day except Saturday, Sunday, Christmas Day,
    Boxing Day, Good Friday or a bank holiday under the Banking and Financial Dealings
    Act 1971. `holidays` carries those (and, for non-statutory procedures, council closure
    days), each with a name for explanations. Weekend entries are harmless: the weekend
    rule already excludes them.
    """

    holidays: Mapping[date, str] = field(default_factory=dict)
    # DOMAIN §1.7: "the day of receipt is day 0" is a convention [M], so it is configurable.
    # False: the start day is never counted; the deadline is the Nth working day after it.
    # True: the start day is day 1 when it is itself a working day.
    count_start_day: bool = False

    def __post_init__(self) -> None:
        # A private read-only copy: a caller mutating its dict must not move deadlines later.
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.holidays

    def non_working_reason(self, d: date) -> str | None:
        """'Saturday'/'Sunday', the holiday's name, or None for a working day."""
        if d.weekday() >= 5:
            return _DAY_NAMES[d.weekday()]
        return self.holidays.get(d)

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        d += _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def add_working_days(self, start: date, n: int) -> date:
        """The date of the nth working day counted from `start` under this counting rule.

        n == 0 gives the first working day on or after `start` (a clock of zero days still
        cannot fall due on a non-working day).
        """
        if n < 0:
            raise ValueError(f"Cannot count a negative number of working days ({n}).")
        if n == 0:
            return start if self.is_working_day(start) else self.next_working_day(start)
        remaining = n - 1 if self.count_start_day and self.is_working_day(start) else n
        d = start
        for _ in range(remaining):
            d = self.next_working_day(d)
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end: the day number of `end` in a count from `start`.

        When `count_start_day` is set the start day itself is included (if it is a working
        day and end >= start), so this stays the inverse of `add_working_days`.
        """
        if end < start:
            return 0
        count = sum(1 for d in _days(start + _ONE_DAY, end) if self.is_working_day(d))
        if self.count_start_day and self.is_working_day(start):
            count += 1
        return count

    def non_working_days(self, start: date, end: date) -> list[tuple[date, str]]:
        """Every non-working day in (start, end] with its reason, in date order."""
        found = []
        for d in _days(start + _ONE_DAY, end):
            reason = self.non_working_reason(d)
            if reason is not None:
                found.append((d, reason))
        return found


def pause_adjusted_due(
    calendar: Calendar, due: date, paused_from: date, resumed_on: date
) -> tuple[date, int]:
    """Move `due` on by the working days lost in a pause: d with paused_from <= d < resumed_on.

    Returns (new_due, paused_working_days). The new due date is that many working days
    after the old one, whatever the start-day counting rule (the old due already counted).
    """
    if resumed_on < paused_from:
        raise ValueError(
            f"A pause cannot end ({resumed_on.isoformat()}) before it began ({paused_from.isoformat()})."
        )
    lost = sum(1 for d in _days(paused_from, resumed_on - _ONE_DAY) if calendar.is_working_day(d))
    new_due = due
    for _ in range(lost):
        new_due = calendar.next_working_day(new_due)
    return new_due, lost


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


@dataclass(frozen=True)
class Explanation:
    """Why a deadline falls where it does: the facts, and the words for staff (the family's words,
    in their language, are made by portal.public.timeline.family_explanation)."""

    start: date
    working_days: int
    due: date
    skipped: tuple[tuple[date, str], ...]
    start_label: str = "received"
    start_counted: bool = False  # the start day was day 1 (Calendar.count_start_day)

    @property
    def holidays_skipped(self) -> list[tuple[date, str]]:
        return [(d, r) for d, r in self.skipped if r not in _WEEKEND_REASONS]

    @property
    def weekend_days_skipped(self) -> int:
        return sum(1 for _, r in self.skipped if r in _WEEKEND_REASONS)

    def for_staff(self) -> str:
        label = re.sub(r"stage(\d)", r"stage \1", self.start_label).replace("_", " ")
        counted_from = "that day (day 1)" if self.start_counted else "the next working day"
        parts = [
            f"{label[:1].upper()}{label[1:]} {long_date(self.start)}",
            f"{_plural(self.working_days, 'working day')} counted from {counted_from}",
        ]
        # Holidays are listed by name so staff can check them; weekends are only counted.
        not_counted = [f"{long_date(d)} ({reason})" for d, reason in self.holidays_skipped]
        if self.weekend_days_skipped:
            not_counted.append(_plural(self.weekend_days_skipped, "weekend day"))
        if not_counted:
            parts.append(f"not counted: {_join(not_counted)}")
        parts.append(f"due {long_date(self.due)}.")
        return "; ".join(parts)


def explain(
    calendar: Calendar, start: date, n: int, due: date, *, start_label: str = "received"
) -> Explanation:
    """Explain a due date `due` reached by counting `n` working days from `start`.

    `due` is passed in (not recomputed) because a stored deadline may have been extended
    or moved by a pause; the skipped days are those between start and that date.
    """
    return Explanation(
        start=start,
        working_days=n,
        due=due,
        skipped=tuple(calendar.non_working_days(start, due)),
        start_label=start_label,
        start_counted=calendar.count_start_day and calendar.is_working_day(start) and n > 0,
    )
