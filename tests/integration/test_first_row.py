"""portal.db.first_row: a read on the driver gives what SQLAlchemy would, on SQLite and PostgreSQL."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, Integer, String, bindparam, cast, event, func, literal, select, text
from sqlalchemy.exc import DBAPIError

from portal import db as portal_db
from portal.db import first_row, make_engine
from portal.extensions import db
from portal.models import StaffSession, StaffUser
from portal.models.base import utcnow
from portal.models.revision import VERSION
from portal.services.staff import create_staff
from tests.pg import Cluster

_numbers = count()

S, U = StaffSession.__table__.c, StaffUser.__table__.c
# Every kind of value the portal's driver reads return: ints, text, booleans, aware datetimes,
# NULL, a literal of the statement's own (the data version's id) and a bound datetime.
STATEMENT = (
    select(S.id, S.user_id, S.created_at, S.mfa_passed_at, S.codes_pending, U.is_active, U.role)
    .add_columns(U.password_changed_at, VERSION.scalar_subquery(), S.last_seen_at > bindparam("since"))
    .join_from(StaffSession.__table__, StaffUser.__table__, U.id == S.user_id)
    .where(S.token_hash == bindparam("token_hash"))
)


def _engine(app: Flask) -> Engine:
    engine: Engine = app.extensions["portal.db"].engine
    return engine


def _signed_in_session(app: Flask) -> None:
    with app.app_context(), db.transaction() as session:
        user = create_staff(session, "reader@example.gov.uk", "Reader", "officer", "a password long enough 1")
        session.add(StaffSession(token_hash="a" * 64, user=user, created_at=utcnow(), last_seen_at=utcnow()))


def test_a_row_read_on_the_driver_is_what_sqlalchemy_reads(app: Flask) -> None:
    _signed_in_session(app)
    params: dict[str, Any] = {"token_hash": "a" * 64, "since": utcnow() - timedelta(hours=1)}
    with _engine(app).connect() as conn:
        expected = tuple(conn.execute(STATEMENT, params).one())
    row = first_row(_engine(app), STATEMENT, params)
    assert row == expected
    assert row is not None and row[2].tzinfo is not None and row[4] is False and row[9] is True
    assert [type(v) for v in row] == [type(v) for v in expected]


def test_no_row_is_none_and_every_read_is_told_to_the_listeners(app: Flask) -> None:
    heard: list[str] = []
    portal_db.DRIVER_READS.append(heard.append)
    try:
        assert first_row(_engine(app), STATEMENT, {"token_hash": "none", "since": utcnow()}) is None
    finally:
        portal_db.DRIVER_READS.remove(heard.append)
    assert len(heard) == 1 and "staff_session" in heard[0]


@pytest.fixture
def pg_engine(pg_cluster: Cluster) -> Iterator[Engine]:
    name = f"first_row_{next(_numbers)}"
    pg_cluster.psql(f"CREATE DATABASE {name} TEMPLATE template_portal")
    engine = make_engine(pg_cluster.url(name))
    yield engine
    engine.dispose()


@pytest.mark.postgres
def test_postgres_connections_go_back_to_the_pool_as_they_came(pg_engine: Engine) -> None:
    """While the kept reader is busy, first_row reads on a pooled connection in autocommit; the
    pool's next user gets a connection that begins transactions, also after a read that failed."""
    with portal_db._readers[pg_engine].lock:  # another thread reading
        assert first_row(pg_engine, select(literal(1)), {}) == (1,)
        _every_pooled_connection_begins_transactions(pg_engine)
        failing = select(cast(bindparam("value", type_=String), Integer))
        with pytest.raises(DBAPIError):
            first_row(pg_engine, failing, {"value": "not a number"})
        _every_pooled_connection_begins_transactions(pg_engine)


def _every_pooled_connection_begins_transactions(engine: Engine) -> None:
    for _ in range(engine.pool.checkedin() + 1):
        with engine.connect() as conn:
            assert conn.connection.driver_connection.autocommit is False


BACKEND = select(func.pg_backend_pid())


def _checkouts(engine: Engine) -> list[object]:
    seen: list[object] = []
    event.listen(engine, "checkout", lambda *args: seen.append(args[0]))
    return seen


@pytest.mark.postgres
def test_postgres_reads_on_a_kept_connection_that_is_never_checked_out(pg_engine: Engine) -> None:
    """Through the pool every read paid for the pre-ping at checkout too; the kept reader is
    one connection, made once, on which read after read is one statement."""
    checkouts = _checkouts(pg_engine)
    first = first_row(pg_engine, BACKEND, {})
    assert len(checkouts) == 1  # the pool made it; the reader keeps it
    assert [first_row(pg_engine, BACKEND, {}) for _ in range(5)] == [first] * 5
    assert len(checkouts) == 1
    assert pg_engine.pool.checkedout() == 0


@pytest.mark.postgres
def test_a_dropped_kept_connection_is_replaced_and_the_read_made_again(pg_engine: Engine) -> None:
    row = first_row(pg_engine, BACKEND, {})
    assert row is not None
    with pg_engine.begin() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": row[0]}) is True
    checkouts = _checkouts(pg_engine)
    again = first_row(pg_engine, BACKEND, {})  # no error: the read failed, then was made on a new connection
    assert again is not None and again != row and len(checkouts) == 1
    assert first_row(pg_engine, BACKEND, {}) == again


@pytest.mark.postgres
def test_a_failed_read_on_the_kept_connection_raises_and_the_next_one_reads(pg_engine: Engine) -> None:
    row = first_row(pg_engine, BACKEND, {})
    with pytest.raises(DBAPIError):
        first_row(pg_engine, select(cast(bindparam("value", type_=String), Integer)), {"value": "nine"})
    again = first_row(pg_engine, BACKEND, {})
    assert again is not None and again != row  # not made again: that connection was closed


@pytest.mark.postgres
def test_while_the_kept_reader_is_busy_a_read_uses_the_pool(pg_engine: Engine) -> None:
    kept = first_row(pg_engine, BACKEND, {})
    checkouts = _checkouts(pg_engine)
    reader = portal_db._readers[pg_engine]
    with reader.lock:  # another thread of the same process reading
        other = first_row(pg_engine, BACKEND, {})
    assert len(checkouts) == 1 and other != kept
    _every_pooled_connection_begins_transactions(pg_engine)


@pytest.mark.postgres
def test_disposing_of_the_engine_closes_the_kept_connection(pg_engine: Engine) -> None:
    first_row(pg_engine, BACKEND, {})
    connection = portal_db._readers[pg_engine].connection
    pg_engine.dispose()
    assert connection.closed
    assert first_row(pg_engine, BACKEND, {}) is not None  # a disposed engine makes new connections


@pytest.mark.postgres
def test_after_a_fork_the_child_reads_on_a_connection_of_its_own_and_leaves_the_parents(
    pg_engine: Engine,
) -> None:
    """gunicorn --preload forks workers from a process that may have read: a child must not use
    or end the parent's connection (SQLAlchemy's advice for a forked child: dispose(close=False))."""
    parent = first_row(pg_engine, BACKEND, {})
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's result is its exit status)
        status = 1
        try:
            pg_engine.dispose(close=False)
            row = first_row(pg_engine, BACKEND, {})
            gc.collect()  # the parent's connection, let go of, is collected here
            status = 0 if row is not None and row != parent else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    checkouts = _checkouts(pg_engine)
    assert first_row(pg_engine, BACKEND, {}) == parent and not checkouts  # the same connection, still open
