"""The staff case queues (filters, search, sort, paging over the cases a user may see) and one case."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from math import ceil
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, joinedload, lazyload
from sqlalchemy.orm.attributes import set_committed_value

from portal.domain.lifecycle import CLOSED_STATUSES, OPEN_STATUSES, Phase, Status, phase
from portal.domain.working_days import Calendar
from portal.models import Case, CaseEvent, Commitment, Person, ResponsePoint, StaffUser, StageRecord
from portal.services.staff_cases import sees_only_assigned

PAGE_SIZE = 25
MAX_PAGE = 1_000_000  # a hand-typed page number past this is the last page's problem, not the database's
DUE_SOON_WORKING_DAYS = 5
# The council's clock runs in these statuses (portal.domain.lifecycle.phase): they can be late.
_RUNNING = sorted(
    s.value for s in (Status.RECEIVED, Status.AWAITING_DECISION, Status.IN_PROGRESS,
                      Status.ESCALATION_REQUESTED, Status.AWAITING_COMPLAINANT)
)  # fmt: skip
_OURS = sorted(set(_RUNNING) - {Status.AWAITING_COMPLAINANT.value})
_OPEN = sorted(s.value for s in OPEN_STATUSES)
_CLOSED = sorted(s.value for s in CLOSED_STATUSES)
DONE_COMMITMENTS = ("complete", "not_accepted")

QUEUES = {
    "open": "All open cases",
    "overdue": "Overdue",
    "due_soon": "Due in the next 5 working days",
    "awaiting_us": "Waiting for the council",
    "awaiting_complainant": "Waiting for the complainant",
    "paused": "Paused",
    "actions_overdue": "With an overdue action or recommendation",
    "closed": "Closed or withdrawn",
    "all": "All cases",
}
ASSIGNMENT = {"any": "Anyone", "me": "Assigned to me", "unassigned": "Not assigned"}
SORTS = {
    "due": "Due date, soonest first",
    "received_new": "Received, newest first",
    "received_old": "Received, oldest first",
    "reference": "Reference",
}


@dataclass(frozen=True)
class QueueFilter:
    queue: str = "open"
    procedure: str = ""
    stage: int | None = None
    service_area: str = ""
    theme: str = ""  # one of the configured themes (portal.services.case_details.themes)
    assigned: str = "any"
    q: str = ""
    sort: str = "due"
    page: int = 1

    def normalised(self) -> QueueFilter:
        """Unknown values fall back to the defaults: a hand-edited URL never fails."""
        return QueueFilter(
            queue=self.queue if self.queue in QUEUES else "open",
            procedure=self.procedure,
            stage=self.stage if self.stage in (1, 2, 3) else None,
            service_area=self.service_area,
            theme=self.theme.strip()[:100],
            assigned=self.assigned if self.assigned in ASSIGNMENT else "any",
            q=self.q.strip()[:100],
            sort=self.sort if self.sort in SORTS else "due",
            page=min(max(self.page, 1), MAX_PAGE),
        )


@dataclass(frozen=True)
class QueueRow:
    """One line of a queue: the columns it shows, not the whole case (a page is 25 of these)."""

    reference: str
    complainant: str | None
    service_area: str
    procedure: str
    stage: int
    status: str
    restricted: bool
    assigned_to_id: int | None
    assigned_to: str | None
    due: date | None
    phase: Phase
    due_soon: bool
    overdue_actions: int

    @property
    def overdue(self) -> bool:
        return self.phase is Phase.OVERDUE


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow] = field(default_factory=list)
    total: int = 0
    page: int = 1
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.page_size))

    @property
    def page_numbers(self) -> list[int | None]:
        """Page links to show: the first, the last, this one and its neighbours; None for a gap."""
        wanted = sorted({1, self.pages, *range(max(1, self.page - 1), min(self.pages, self.page + 1) + 1)})
        out: list[int | None] = []
        for n in wanted:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


def next_due_column() -> ColumnElement[Any]:
    """The earliest running acknowledgement or response date of the case (NULL when none):
    stored on the case (portal.models.case.next_due) and indexed with its status."""
    return Case.__table__.c.next_due_on


# The statements below are built once per shape of filter (_statements) and take their values
# as bound parameters: building SQLAlchemy expressions was half of a queue request (issue #10).
# Today's date, the page's offset and its size are written into the SQL when it runs (literal_execute):
# with them as parameters PostgreSQL cannot use one plan for every run (a date range's generic plan
# looks dearer than a fresh one), so it planned the queue afresh on every view, as long as it ran
# it; as literals the statement text changes once a day and page, and its prepared plan is kept.
_TODAY = bindparam("today", type_=Date, literal_execute=True)
_SOON = bindparam("soon", type_=Date, literal_execute=True)
_OFFSET = bindparam("offset", type_=Integer, literal_execute=True)
_LIMIT = literal(PAGE_SIZE, Integer, literal_execute=True)


def _one_of(values: Iterable[str]) -> list[ColumnElement[str]]:
    """A fixed list of statuses for IN / NOT IN as one bound value each: a plain list becomes an
    "expanding" parameter, which SQLAlchemy writes into the SQL on every run."""
    return [literal(value, String) for value in values]


def _overdue_action() -> tuple[ColumnElement[bool], ...]:
    """An action or recommendation past its date and not done (the queue's count and filter)."""
    return Commitment.due_on < _TODAY, Commitment.status.not_in(_one_of(DONE_COMMITMENTS))


def overdue_actions_column() -> ColumnElement[Any]:
    return (
        select(func.count(Commitment.id))
        .where(Commitment.case_id == Case.id, *_overdue_action())
        .correlate(Case)
        .scalar_subquery()
    )


def _with_overdue_actions() -> Select[Any]:
    """Ids of the cases with an overdue action: from the few open actions (their status and due
    index), rather than counting each case's actions for every case in the database."""
    return select(Commitment.case_id).where(*_overdue_action())


def _queue_clause(queue: str, due: ColumnElement[Any]) -> ColumnElement[bool] | None:
    running = Case.status.in_(_one_of(_RUNNING))
    on_time = or_(due.is_(None), due >= _TODAY)
    clauses: dict[str, Callable[[], ColumnElement[bool] | None]] = {
        "open": lambda: Case.status.in_(_one_of(_OPEN)),
        "overdue": lambda: and_(running, due < _TODAY),
        "due_soon": lambda: and_(running, due >= _TODAY, due <= _SOON),
        "awaiting_us": lambda: and_(Case.status.in_(_one_of(_OURS)), on_time),
        "awaiting_complainant": lambda: or_(
            Case.status == Status.RESPONDED.value,
            and_(Case.status == Status.AWAITING_COMPLAINANT.value, on_time),
        ),
        "paused": lambda: Case.status == Status.PAUSED.value,
        "actions_overdue": lambda: Case.id.in_(_with_overdue_actions()),
        "closed": lambda: Case.status.in_(_one_of(_CLOSED)),
        "all": lambda: None,
    }
    return clauses[queue]()


# What a queue sorts on: the case table's columns, or the same names on a search's matches.
_SORT_COLUMNS = ("id", "reference", "received_on", "next_due_on")


def _matching(where: list[ColumnElement[bool]], *, trigram: bool) -> tuple[Select[Any], Any]:
    """The ids of the cases the filters allow whose reference, summary or child's name holds the
    words, or whose complainant's name does, and the columns (_SORT_COLUMNS) to sort them on.

    With trigram indexes (PostgreSQL, migration 0018): a union of two selects of one table each,
    every filter inside both, so the database chooses for each between the trigram indexes (a
    rare word) and the queue's own index (a common word in a short queue); an OR across the
    person join could use neither and read every case and person. SQLite has no such index and
    reads the table either way, fastest in one pass."""
    like = bindparam("like", type_=String)
    in_case = or_(
        func.lower(Case.reference).like(like),
        func.lower(Case.summary).like(like),
        func.lower(Case.child_name).like(like),  # no name: NULL, which is not a match
    )
    by_person = func.lower(Person.name).like(like)
    if not trigram:
        found = select(Case.id).outerjoin(Person, Case.complainant_id == Person.id)
        return found.where(*where, or_(in_case, by_person)), Case.__table__.c
    columns = [Case.__table__.c[name] for name in _SORT_COLUMNS]
    also = select(*columns).join(Person, Case.complainant_id == Person.id)
    # Each case once (not in both), so the two are simply added together, not de-duplicated.
    also = also.where(*where, by_person, in_case.is_not(true()))
    matches = union_all(select(*columns).where(*where, in_case), also).subquery()
    return select(matches.c.id), matches.c


# Queues whose every case has a due date (a date before today or within the next days).
_DATED = frozenset({"overdue", "due_soon"})


def _order(sort: str, queue: str, c: Any, *, backwards: bool = False) -> list[ColumnElement[Any]]:
    """The queue's order (or its reverse) on columns `c` (_SORT_COLUMNS): every sort ends on a
    unique key, so reading it backwards gives exactly the same rows. By due date, cases with no
    running clock go last (NULLS LAST: PostgreSQL's due index holds them there, so the first page
    of every case is read from it; SQLite sorts); the overdue and due-soon queues have none, so
    theirs is the area-and-due index's own order."""
    keys: list[Any]
    if sort == "reference":
        keys = [c.reference]
    elif sort in ("received_new", "received_old"):
        keys = [c.received_on, c.id]
    else:
        keys = [c.next_due_on, c.received_on, c.id]
    descending = (sort == "received_new") != backwards
    order = [key.desc() if descending else key.asc() for key in keys]
    if sort == "due" and queue not in _DATED:
        order[0] = order[0].nulls_first() if descending else order[0].nulls_last()
    return order


@dataclass(frozen=True)
class _Shape:
    """What decides a queue statement's SQL (the values go in as parameters)."""

    queue: str
    sort: str
    assigned: str
    assigned_only: bool  # the user sees only the cases assigned to them (staff_cases.visible_to)
    procedure: bool
    stage: bool
    service_area: bool
    theme: bool
    q: bool
    trigram: bool  # the database has the search's trigram indexes (PostgreSQL)


@lru_cache(maxsize=512)
def _statements(shape: _Shape) -> tuple[Select[Any], Select[Any], Select[Any], Select[Any]]:
    """For one shape of filter: the first page (25 rows of the columns a queue shows) with the
    count as its last column, the most asked for, in one round trip; and for the other pages the
    count and the page twice: in the queue's order, and backwards for the pages nearer the end (an
    offset is read from the start, so the last page of a million cases read forwards read them
    all)."""
    due = next_due_column()
    where: list[ColumnElement[bool]] = []
    if shape.assigned_only or shape.assigned == "me":
        where.append(Case.assigned_to_id == bindparam("user_id"))
    clause = _queue_clause(shape.queue, due)
    if clause is not None:
        where.append(clause)
    if shape.procedure:
        where.append(Case.procedure == bindparam("procedure"))
    if shape.stage:
        where.append(Case.stage == bindparam("stage"))
    if shape.service_area:
        where.append(Case.service_area == bindparam("service_area"))
    if shape.theme:  # themes live on the stage records
        where.append(Case.id.in_(select(StageRecord.case_id).where(StageRecord.theme == bindparam("theme"))))
    if shape.assigned == "unassigned":
        where.append(Case.assigned_to_id.is_(None))
    # Ids first (from the status/due index where the filter allows), then the page's 25 cases
    # with their people: the count and the paging never read case rows they do not show.
    if shape.q:
        ids, columns = _matching(where, trigram=shape.trigram)
    else:
        ids, columns = select(Case.id).where(*where), Case.__table__.c
    count = select(func.count()).select_from(ids.subquery())
    pages = []
    for backwards in (False, True):
        inner = _order(shape.sort, shape.queue, columns, backwards=backwards)
        page_ids = ids.order_by(*inner).limit(_LIMIT).offset(_OFFSET).subquery()
        pages.append(_page(page_ids, _order(shape.sort, shape.queue, Case.__table__.c, backwards=backwards)))
    first = pages[0].add_columns(count.scalar_subquery())
    return first, count, pages[0], pages[1]


def _page(page_ids: Subquery, order: list[ColumnElement[Any]]) -> Select[Any]:
    """The columns a queue shows for the cases `page_ids` chose, in `order`."""
    return (
        select(
            Case.reference, Person.name, Case.service_area, Case.procedure, Case.stage, Case.status,
            Case.restricted, Case.assigned_to_id, StaffUser.name, next_due_column(), overdue_actions_column(),
        )
        .join(page_ids, Case.id == page_ids.c.id)
        .outerjoin(Person, Case.complainant_id == Person.id)
        .outerjoin(StaffUser, Case.assigned_to_id == StaffUser.id)
        .order_by(*order)
    )  # fmt: skip


def search(
    session: Session, user: StaffUser, wanted: QueueFilter, today: date, calendar: Calendar
) -> QueuePage:
    """One page of cases matching the filter, with their next due date and phase: one query for
    the first page, two for the others."""
    f = wanted.normalised()
    soon = calendar.add_working_days(today, DUE_SOON_WORKING_DAYS)
    shape = _Shape(
        f.queue, f.sort, f.assigned, sees_only_assigned(user), bool(f.procedure), bool(f.stage),
        bool(f.service_area), bool(f.theme), bool(f.q), session.get_bind().dialect.name == "postgresql",
    )  # fmt: skip
    first, count, forwards, backwards = _statements(shape)
    values = {
        "today": today, "soon": soon, "user_id": user.id, "procedure": f.procedure, "stage": f.stage,
        "service_area": f.service_area, "theme": f.theme, "like": f"%{f.q.lower()}%",
    }  # fmt: skip
    connection = session.connection()  # plain rows, not entities: no need for the ORM's execution path
    offset = (f.page - 1) * PAGE_SIZE
    found: list[Any]
    if not offset:  # the count comes with the rows (no rows: nothing matches)
        with_total = list(connection.execute(first, {**values, "offset": 0}))
        total, found = (with_total[0][-1] if with_total else 0), [row[:-1] for row in with_total]
    else:
        total = connection.scalar(count, values) or 0
        if offset < total <= offset * 2:  # nearer the end: read that end, then turn the rows round
            end = min(offset + PAGE_SIZE, total)
            read = list(connection.execute(backwards, {**values, "offset": total - end}))
            found = read[: end - offset][::-1]
        else:
            found = list(connection.execute(forwards, {**values, "offset": offset}))
    rows = []
    for ref, name, area, procedure, stage, status, restricted, assignee_id, assignee, next_due, late in found:
        row_phase = phase(Status(status), next_due, today)
        is_soon = status in _RUNNING and next_due is not None and today <= next_due <= soon
        rows.append(QueueRow(ref, name, area, procedure, stage, status, restricted, assignee_id, assignee,
                             next_due, row_phase, is_soon, int(late or 0)))  # fmt: skip
    return QueuePage(rows, total, f.page)


# --- one case ---------------------------------------------------------------------------------

VIEW_EVERY = 3600  # seconds: a "viewed" entry at most once per user per case per hour


# The case page's statements are built once and take their values as bound parameters (issue #10).
@cache
def case_page_statement() -> Select[Case]:
    """A case by its reference (bound as "reference") with everything its pages show."""
    return (
        select(Case)
        .where(Case.reference == bindparam("reference"))
        .options(
            joinedload(Case.complainant),
            joinedload(Case.assigned_to),
            joinedload(Case.deadlines),  # a handful per case: joined, one round trip fewer
            # The chronology with who wrote each entry, read when first used by a plain query on the
            # case's id: a select-in load rewrites its IN list into the SQL on every run (a twentieth
            # of the case page's time, issue #10).
            lazyload(Case.events).joinedload(CaseEvent.staff_actor).load_only(StaffUser.name),
        )
    )


@cache
def _chronology_statement() -> Select[CaseEvent]:
    """A case's chronology (bound as "case_id") with who wrote each entry."""
    return (
        select(CaseEvent)
        .where(CaseEvent.case_id == bindparam("case_id"))
        .order_by(CaseEvent.id)
        .options(joinedload(CaseEvent.staff_actor).load_only(StaffUser.name))
    )


def load_chronology(session: Session, case: Case) -> None:
    """Read the case's chronology now, by a statement built once: the lazy load works out its
    options' cache key on every use (a seventh of the case page's time, issue #10)."""
    events = session.scalars(_chronology_statement(), {"case_id": case.id}).unique().all()
    set_committed_value(case, "events", list(events))


def case_by_reference(session: Session, reference: str, *, reload: bool = False) -> Case | None:
    """The case with everything its page shows, loaded in one statement (the chronology in a second);
    `reload` reads it again over what the session holds (after a write the page must show)."""
    statement = case_page_statement()
    if reload:
        statement = statement.execution_options(populate_existing=True)
    found = session.scalars(statement, {"reference": reference.strip().upper()})
    return found.unique().one_or_none()


def viewed_recently(case: Case, user: StaffUser, now: datetime) -> bool:
    """Whether this user has a "viewed" entry on the case from the last hour (from the chronology
    the case page loads anyway, so no query of its own)."""
    due = next_view_due(case, user)
    return due is not None and now < due


def next_view_due(case: Case, user: StaffUser) -> datetime | None:
    """When this user's next "viewed" entry on the case is due (None: they have none)."""
    mine = ("viewed", "staff", user.id)
    views = [e.at for e in case.events if (e.kind, e.actor_kind, e.actor_id) == mine]
    return max(views) + timedelta(seconds=VIEW_EVERY) if views else None


def record_view(session: Session, case: Case, user: StaffUser, now: datetime) -> bool:
    """Put "viewed by" on the chronology, unless this user viewed the case in the last hour."""
    if viewed_recently(case, user, now):
        return False
    session.add(
        CaseEvent(case_id=case.id, at=now, actor_kind="staff", actor_id=user.id, kind="viewed",
                  summary=f"Viewed by {user.name}.", data={})
    )  # fmt: skip
    return True


def response_points(session: Session, case: Case) -> list[ResponsePoint]:
    stmt = select(ResponsePoint).where(ResponsePoint.case_id == case.id)
    return list(session.scalars(stmt.order_by(ResponsePoint.stage, ResponsePoint.position)))
