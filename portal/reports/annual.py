"""The annual report's queries: a handful of GROUP BY aggregations over stage records (NFR PERF-7).

Each query reads the year asked for and the year before (or, for annual_figures_by_year, every
year) in one pass over a covering date index (stage_record received_on or responded_on, with
the case's fields copied beside them, so no record is joined to its case) and returns grouped
counts, never case rows;
portal.reports.figures folds the groups into the report's figures.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, literal_column, select, text
from sqlalchemy.orm import Session

from portal.models import Case, CaseEvent, Commitment, StageRecord
from portal.reports.figures import (
    Agreed,
    Figures,
    Period,
    Quote,
    Received,
    Responded,
    financial_year,
    fold,
    quarter_of,
)

LONDON = ZoneInfo("Europe/London")  # the council's year starts at midnight on 1 April, UK time
QUOTES = 12  # compliments quoted in the staff version
S, C = StageRecord, Case
ONE: ColumnElement[int] = literal_column("1")
ZERO: ColumnElement[int] = literal_column("0")


def _flag(condition: ColumnElement[bool], name: str) -> ColumnElement[int]:
    return case((condition, ONE), else_=ZERO).label(name)


def _day_or_month(session: Session, column: Any) -> Any:
    """What the date queries group by: SQLite streams its covering index by day (grouping by
    anything coarser makes it sort every record); PostgreSQL hash-aggregates by month and sends
    back a few hundred groups. Either folds into financial years and quarters the same way."""
    if session.get_bind().dialect.name == "postgresql":
        # Room to hash the groups (the planner overestimates them and would sort every record
        # on disk with the default 4 MB); for this transaction only.
        session.execute(text("SET LOCAL work_mem = '32MB'"))
        # A literal, not a bound parameter: PostgreSQL matches the SELECT and GROUP BY twins.
        return func.date_trunc(literal_column("'month'"), column)
    return column


def _received(session: Session, period: Period) -> list[Received]:
    """Stage records received in the two years, by quarter, type, area, theme and complainant."""
    return _received_between(session, period.previous.start, period.end)


def _received_between(session: Session, start: date | None, end: date | None) -> list[Received]:
    """Grouped by day and the index's own columns in the index's order, so the database streams
    the covering index without sorting (SQLite sorted every record for a CASE-built quarter:
    about four times slower at 1,000,000 cases); the days fold into quarters here.
    No dates: every year, in the same single pass."""
    columns = (S.kind, S.procedure, S.stage, S.service_area, S.theme, S.young_person, S.with_advocate)
    when = _day_or_month(session, S.received_on)
    stmt = select(when, *columns, func.count()).group_by(when, *columns)
    if start is not None and end is not None:
        stmt = stmt.where(S.received_on >= start, S.received_on < end)
    groups: Counter[tuple[Any, ...]] = Counter()
    for on, *key, count in session.execute(stmt):
        groups[(financial_year(on), quarter_of(on), *key)] += count
    return [
        Received(year, quarter, kind, procedure, stage, area, theme, bool(yp), bool(adv), n)
        for (year, quarter, kind, procedure, stage, area, theme, yp, adv), n in groups.items()
    ]


def _responded(session: Session, period: Period) -> list[Responded]:
    """Complaint and Ombudsman stage records responded to in the two years, by outcome and timeliness."""
    return _responded_between(session, period.previous.start, period.end)


def _responded_between(session: Session, start: date | None, end: date | None) -> list[Responded]:
    """Grouped by day and the index's leading columns (no sort, as above), with the extended and
    late records counted in each group. No dates: every year in one pass."""
    # Late: after the due date, or after the extended date where the stage was extended.
    late = S.responded_on > func.coalesce(S.extended_due_on, S.due_on)
    columns = (S.kind, S.procedure, S.stage, S.service_area, S.outcome)
    when = _day_or_month(session, S.responded_on)
    stmt = (
        select(
            when,
            *columns,
            func.count(),
            func.count(S.extended_due_on),  # COUNT skips NULLs: the extended records
            func.count(case((late, ONE))),  # a CASE without ELSE is NULL when not late
            func.count(case((late, S.extended_due_on))),  # late and extended
        )
        .where(S.responded_on.is_not(None), S.kind.in_(("complaint", "lgo")))
        .group_by(when, *columns)
    )
    if start is not None and end is not None:
        stmt = stmt.where(S.responded_on >= start, S.responded_on < end)
    sums: dict[tuple[Any, ...], list[int]] = {}
    for on, *key, count, ext, lt, both in session.execute(stmt):
        if on is None:  # excluded by the WHERE clause; here for the type checker
            continue
        group = (financial_year(on), *key)
        add = sums.get(group)
        if add is None:
            sums[group] = [count, ext, lt, both]
        else:
            add[0], add[1], add[2], add[3] = add[0] + count, add[1] + ext, add[2] + lt, add[3] + both
    rows = []
    for (year, kind, procedure, stage, area, outcome), (count, ext, lt, both) in sums.items():
        for is_ext, is_late, n in (
            (True, True, both),
            (True, False, ext - both),
            (False, True, lt - both),
            (False, False, count - ext - lt + both),
        ):
            if n:
                rows.append(Responded(year, kind, procedure, stage, area, outcome, is_ext, is_late, n))
    return rows


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), LONDON)


def _reopened(session: Session, period: Period) -> dict[int, int]:
    """Complaints reopened in each year: chronology entries written by the reopen action."""
    prev = period.previous
    this_year = _flag(CaseEvent.at >= _midnight(period.start), "this_year")
    stmt = (
        select(this_year, func.count())
        .join(C, C.id == CaseEvent.case_id)
        .where(
            CaseEvent.kind == "reopen",
            CaseEvent.at >= _midnight(prev.start),
            CaseEvent.at < _midnight(period.end),
            C.kind == "complaint",
        )
        .group_by(literal_column("this_year"))
    )
    return {period.year if cur else prev.year: n for cur, n in session.execute(stmt)}


def _agreed(session: Session, period: Period) -> list[Agreed]:
    """Recommendations and actions agreed in each year, by source and their status now."""
    prev = period.previous
    this_year = _flag(Commitment.created_at >= _midnight(period.start), "this_year")
    stmt = (
        select(this_year, Commitment.source, Commitment.status, func.count())
        .where(Commitment.created_at >= _midnight(prev.start), Commitment.created_at < _midnight(period.end))
        .group_by(literal_column("this_year"), Commitment.source, Commitment.status)
    )
    return [
        Agreed(period.year if cur else prev.year, source, status, n)
        for cur, source, status, n in session.execute(stmt)
    ]


def _quotes(session: Session, period: Period) -> list[Quote]:
    """The latest compliments of the year whose authors agreed to them being shared."""
    stmt = (
        select(S.received_on, C.service_area, C.summary)
        .join(C, C.id == S.case_id)
        .where(
            S.received_on >= period.start,
            S.received_on < period.end,
            S.kind == "compliment",
            C.share_permission == True,  # noqa: E712 - "= true" can use the index; "IS true" cannot
            C.summary != "",
        )
        .order_by(S.received_on.desc(), S.id.desc())
        .limit(QUOTES)
    )
    return [Quote(on, area, text) for on, area, text in session.execute(stmt)]


def annual_figures(session: Session, year: int, *, quotes: bool = True) -> Figures:
    """The report for the financial year starting in April `year`, with the year before."""
    period = Period(year)
    return fold(
        period,
        _received(session, period),
        _responded(session, period),
        _reopened(session, period),
        _quotes(session, period) if quotes else (),
        _agreed(session, period),
    )


def annual_figures_by_year(session: Session) -> dict[int, Figures]:
    """Every year's figures (each with the year before), from one pass over each date index:
    for trends across years, where one annual_figures call per year would read each year twice.
    Without the quoted compliments, which only the single-year report shows."""
    years = years_with_data(session)
    if not years:
        return {}
    received = _received_between(session, None, None)
    responded = _responded_between(session, None, None)
    # The same bounds as the yearly queries (the oldest year's previous year to the newest's end),
    # which also lead the planner to the (kind, at) index rather than to every complaint.
    first, end = _midnight(Period(years[-1]).previous.start), _midnight(Period(years[0]).end)
    reopened: Counter[int] = Counter()
    reopens = (
        select(CaseEvent.at)
        .join(C, C.id == CaseEvent.case_id)
        .where(CaseEvent.kind == "reopen", CaseEvent.at >= first, CaseEvent.at < end, C.kind == "complaint")
    )
    for (at,) in session.execute(reopens):
        reopened[financial_year(at.astimezone(LONDON).date())] += 1
    commitments: Counter[tuple[int, str, str]] = Counter()
    agreements = select(Commitment.created_at, Commitment.source, Commitment.status).where(
        Commitment.created_at >= first, Commitment.created_at < end
    )
    for at, source, status in session.execute(agreements):
        commitments[financial_year(at.astimezone(LONDON).date()), source, status] += 1
    agreed = [Agreed(year, source, status, n) for (year, source, status), n in commitments.items()]
    return {year: fold(Period(year), received, responded, dict(reopened), (), agreed) for year in years}


def years_with_data(session: Session) -> list[int]:
    """Financial years from the first record received to the latest, newest first."""
    first, last = session.execute(select(func.min(S.received_on), func.max(S.received_on))).one()
    if first is None or last is None:
        return []
    return list(range(financial_year(last), financial_year(first) - 1, -1))
