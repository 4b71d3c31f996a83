"""Revisions: what pages kept rendered are kept under (portal.page_cache, issue #10).

Every transaction that changes a case or anything of it (its deadlines, letters, chronology,
person, Ombudsman enquiries...) raises the case's `revision`, and every transaction that changes
any case, person or staff user raises the one `data_version` row, just before it commits. A page
kept under a case's revision (the family's case page), or under the data version (the staff
queues), is therefore never served after a change it shows has been committed.

Only writes made through the ORM are seen here. A Core UPDATE or DELETE of something a kept page
could show must call `changed(session, case_ids)` itself, as the theme (portal.services.
case_details) and anonymising a case (portal.services.retention) do.

The data version row is updated last, just before the commit, so on PostgreSQL it is locked for
the commit alone: transactions that change cases wait for each other there, which at a
complaints service's rate of writes (a few a minute) costs nothing noticeable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import BigInteger, event, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.models.base import Base
from portal.models.case import Case, Person
from portal.models.staff import StaffUser

_KEY = "portal.changed"


class DataVersion(Base):
    """One row (id 1, made by migration 0019): raised by every change to cases, people or staff."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


@dataclass
class _Changes:
    """What this transaction changed so far (kept in session.info only when it changed something)."""

    cases: set[int] = field(default_factory=set)
    people: set[int] = field(default_factory=set)


# The data version now: the staff guard reads it with the signed-in session (one query).
VERSION = select(DataVersion.__table__.c.version).where(DataVersion.__table__.c.id == 1)


def changed(session: Session, case_ids: set[int] | None = None) -> None:
    """Note a change the ORM did not see (a Core write): the revisions rise at commit."""
    noted: _Changes = session.info.setdefault(_KEY, _Changes())
    noted.cases.update(case_ids or ())


@event.listens_for(Session, "after_flush")
def _note(session: Session, *_args: object) -> None:
    cases: set[int] = set()
    people: set[int] = set()
    staff = False
    for obj in (*session.new, *session.deleted, *session.dirty):
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, Case):
            cases.add(obj.id)
        elif isinstance(obj, Person):
            people.add(obj.id)
        elif isinstance(obj, StaffUser):
            staff = True
        else:  # a case's row (deadline, document, chronology, Ombudsman enquiry...)
            ids = (getattr(obj, "case_id", None), getattr(obj, "complaint_case_id", None))
            cases.update(i for i in ids if i)
    if cases or people or staff:
        noted: _Changes = session.info.setdefault(_KEY, _Changes())
        noted.cases |= cases
        noted.people |= people


@event.listens_for(Session, "before_commit")
def _raise(session: Session) -> None:
    """At commit, after the last flush: raise the changed cases' revisions, then the data version."""
    session.flush()
    noted: _Changes | None = session.info.pop(_KEY, None)
    if noted is None:
        return
    connection = session.connection()
    if noted.cases or noted.people:
        table: Any = Case.__table__
        where = table.c.id.in_(sorted(noted.cases)) | table.c.complainant_id.in_(sorted(noted.people))
        connection.execute(table.update().where(where).values(revision=table.c.revision + 1))
    versions: Any = DataVersion.__table__
    connection.execute(versions.update().where(versions.c.id == 1).values(version=versions.c.version + 1))


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_KEY, None)
