"""The annual report's queries: a handful of GROUP BY aggregations over stage records (NFR PERF-7).

Each query reads the year asked for and the year before in one pass over a covering date
index (stage_record received_on or responded_on, with the case's fields copied beside them,
so no record is joined to its case) and returns grouped counts, never case rows;
portal.reports.figures folds the groups into the report's figures.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal_column, select
from sqlalchemy.orm import Session

from portal.models import Case, CaseEvent, Commitment, StageRecord
from portal.reports.figures import Agreed, Figures, Period, Quote, Received, Responded, financial_year, fold

LONDON = ZoneInfo("Europe/London")  # the council's year starts at midnight on 1 April, UK time
QUOTES = 12  # compliments quoted in the staff version
S, C = StageRecord, Case
ONE: ColumnElement[int] = literal_column("1")
ZERO: ColumnElement[int] = literal_column("0")


def _flag(condition: ColumnElement[bool], name: str) -> ColumnElement[int]:
    return case((condition, ONE), else_=ZERO).label(name)


def _received(session: Session, period: Period) -> list[Received]:
    """Stage records received in the two years, by quarter, type, area, theme and complainant.

    Grouped by day and the index's own columns in the index's order, so the database streams
    the covering index without sorting (SQLite sorted every record for a CASE-built quarter:
    about four times slower at 1,000,000 cases); the days fold into quarters here.
    """
    prev = period.previous
    starts = (*prev.quarter_starts, *period.quarter_starts)
    columns = (S.kind, S.procedure, S.stage, S.service_area, S.theme, S.young_person, S.with_advocate)
    stmt = (
        select(S.received_on, *columns, func.count())
        .where(S.received_on >= prev.start, S.received_on < period.end)
        .group_by(S.received_on, *columns)
    )
    groups: Counter[tuple[Any, ...]] = Counter()
    for on, *key, count in session.execute(stmt):
        groups[(bisect_right(starts, on), *key)] += count
    rows = []
    for (n, kind, procedure, stage, area, theme, yp, adv), count in groups.items():
        year = prev.year if n <= 4 else period.year
        quarter = (n - 1) % 4 + 1
        rows.append(Received(year, quarter, kind, procedure, stage, area, theme, bool(yp), bool(adv), count))
    return rows


def _responded(session: Session, period: Period) -> list[Responded]:
    """Complaint and Ombudsman stage records responded to in the two years, by outcome and timeliness.

    Grouped by day and the index's leading columns (no sort, as above), with the extended and
    late records counted in each group.
    """
    prev = period.previous
    extended = S.extended_due_on.is_not(None)
    # Late: after the due date, or after the extended date where the stage was extended.
    late = S.responded_on > func.coalesce(S.extended_due_on, S.due_on)
    columns = (S.kind, S.procedure, S.stage, S.service_area, S.outcome)
    stmt = (
        select(
            S.responded_on,
            *columns,
            func.count(),
            func.sum(case((extended, ONE), else_=ZERO)),
            func.sum(case((late, ONE), else_=ZERO)),
            func.sum(case((and_(extended, late), ONE), else_=ZERO)),
        )
        .where(S.responded_on >= prev.start, S.responded_on < period.end, S.kind.in_(("complaint", "lgo")))
        .group_by(S.responded_on, *columns)
    )
    groups: Counter[tuple[Any, ...]] = Counter()
    for on, *key, count, ext, lt, both in session.execute(stmt):
        year = period.year if on >= period.start else prev.year
        ext, lt, both = int(ext or 0), int(lt or 0), int(both or 0)
        for is_ext, is_late, n in (
            (True, True, both),
            (True, False, ext - both),
            (False, True, lt - both),
            (False, False, count - ext - lt + both),
        ):
            if n:
                groups[(year, *key, is_ext, is_late)] += n
    return [
        Responded(year, kind, procedure, stage, area, outcome, is_ext, is_late, n)
        for (year, kind, procedure, stage, area, outcome, is_ext, is_late), n in groups.items()
    ]


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
            C.share_permission.is_(True),
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


def years_with_data(session: Session) -> list[int]:
    """Financial years from the first record received to the latest, newest first."""
    first, last = session.execute(select(func.min(S.received_on), func.max(S.received_on))).one()
    if first is None or last is None:
        return []
    return list(range(financial_year(last), financial_year(first) - 1, -1))
