"""Database engine and request-scoped session; SQLite durability pragmas."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask, current_app, g, request
from sqlalchemy import Dialect, Engine, Select, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


def _sqlite_on_connect(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy own transactions (pysqlite's legacy autobegin is off) and make
    # every connection durable: WAL + synchronous=FULL survive power loss.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    for pragma in SQLITE_PRAGMAS:
        cur.execute(pragma)
    cur.close()


# SQLite transactions. A writer begins with BEGIN IMMEDIATE: it takes the write lock up front,
# so two writers queue on busy_timeout instead of failing with "database is locked" when a
# read transaction tries to become a write one. But the lock is the database's only one, and a
# page holds its transaction until the response is rendered: GET requests would take turns.
# So a GET/HEAD request's transactions begin deferred (a WAL snapshot: no lock, readers never
# wait), and the moment one of them is about to write (db.transaction(), or any statement that
# is not a read) it ends the snapshot and begins again with BEGIN IMMEDIATE. A write therefore
# always runs in a write transaction that saw the latest data; reads made before it in the same
# request come from the snapshot before it (for a GET these are the page's reads; its writes are
# bookkeeping such as "viewed" entries and last-seen times).
#
# PostgreSQL, same rule, other reason. Its default isolation (READ COMMITTED) gives every
# statement its own snapshot even inside a transaction, so a GET's reads gain nothing from one:
# they run in autocommit mode, which spares the BEGIN and the ROLLBACK round trips, and keeps
# psycopg's prepared statements (a ROLLBACK deallocates them all, so a page's queries were
# parsed and planned again on every view). The first statement that may write switches the
# connection back (psycopg then sends BEGIN first), so writes keep one transaction per action.
_reads_first: ContextVar[bool] = ContextVar("portal_db_reads_first", default=False)
_DEFERRED = "portal_reads_first"  # in Connection.info: no write yet in this transaction
_READS = ("SELECT", "PRAGMA")  # anything else (WITH included: it may write) is a write
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _is_write(statement: str) -> bool:
    return not statement.lstrip()[:6].upper().startswith(_READS) or " FOR UPDATE" in statement


def _sqlite_begin(conn: Any) -> None:
    deferred = _reads_first.get()
    # Straight to the driver: through SQLAlchemy, a BEGIN cost more than the query after it
    # (every request begins one, issue #10).
    conn.connection.driver_connection.execute("BEGIN" if deferred else "BEGIN IMMEDIATE")
    conn.info[_DEFERRED] = deferred


def _pg_begin(conn: Any) -> None:
    deferred = _reads_first.get()
    if deferred or conn.info.get(_DEFERRED):  # ours to set or to undo (idle here: no BEGIN sent yet);
        conn.connection.driver_connection.autocommit = deferred  # SQLAlchemy's AUTOCOMMIT is left alone
    conn.info[_DEFERRED] = deferred


def _writes_now(conn: Any) -> None:
    """From here on the transaction may write: SQLite ends the read snapshot and begins again
    holding the write lock; PostgreSQL leaves autocommit (the next statement sends BEGIN)."""
    if conn.info.get(_DEFERRED):
        conn.info[_DEFERRED] = False
        raw = conn.connection.driver_connection
        if conn.dialect.name == "sqlite":
            raw.execute("COMMIT")  # nothing written yet: this only lets go of the snapshot
            raw.execute("BEGIN IMMEDIATE")
        else:
            raw.autocommit = False


def _ended(conn: Any) -> None:
    if conn.info.get(_DEFERRED) and conn.dialect.name != "sqlite":
        conn.connection.driver_connection.autocommit = False  # the pool's connections stay as they were
    conn.info[_DEFERRED] = False


def _before_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if conn.info.get(_DEFERRED) and _is_write(statement):
        _writes_now(conn)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
        event.listen(engine, "begin", _pg_begin)
        reader = _readers[engine] = _KeptReader()
        event.listen(engine, "engine_disposed", reader.dispose)
    event.listen(engine, "before_cursor_execute", _before_execute)
    event.listen(engine, "commit", _ended)
    event.listen(engine, "rollback", _ended)
    return engine


# --- a one-row read on the driver's own connection -----------------------------------------------

# Called with each statement first_row runs: SQLAlchemy's before_cursor_execute does not see them
# (the tests that count a page's queries listen here too).
DRIVER_READS: list[Callable[[str], None]] = []


@dataclass(frozen=True)
class _Read:
    sql: str
    order: tuple[str, ...] | None  # the parameters' order for a positional driver (SQLite); None: named
    values: dict[str, Any]  # the statement's own values (literals), by name
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # the values to convert for the driver
    results: tuple[tuple[int, Callable[[Any], Any]], ...]  # the columns to convert from the driver


_reads: WeakKeyDictionary[Engine, dict[Select[Any], _Read]] = WeakKeyDictionary()


def _compile_read(statement: Select[Any], dialect: Dialect) -> _Read:
    compiled = statement.compile(dialect=dialect)
    if compiled.escaped_bind_names:
        raise ValueError("first_row: parameter names must be plain identifiers")
    binds = compiled.binds
    to_driver = (
        (name, bind.type.dialect_impl(dialect).bind_processor(dialect)) for name, bind in binds.items()
    )
    types = [column.type for column in statement.selected_columns]
    from_driver = enumerate(t.dialect_impl(dialect).result_processor(dialect, None) for t in types)
    return _Read(
        compiled.string,
        tuple(compiled.positiontup or ()) if compiled.positional else None,
        {name: bind.value for name, bind in binds.items() if not bind.required},
        tuple((name, process) for name, process in to_driver if process is not None),
        tuple((i, process) for i, process in from_driver if process is not None),
    )


def first_row(engine: Engine, statement: Select[Any], params: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """The first row of a SELECT, run on the driver rather than through SQLAlchemy's Connection,
    its values converted by the columns' types as SQLAlchemy would.

    For the one read that most requests make before a page kept rendered is served (the staff
    guard's session, a family's case and its revision, issue #10): through SQLAlchemy, beginning,
    executing, reading and rolling back cost several times the query. It runs on its own, outside
    the request's session and transaction: on PostgreSQL on the engine's kept reader (one round
    trip), on SQLite on a pooled connection. `statement` is built once (its compiled form is kept
    per engine); `params` are its values."""
    per_engine = _reads.setdefault(engine, {})
    read = per_engine.get(statement)
    if read is None:
        read = per_engine[statement] = _compile_read(statement, engine.dialect)
    values = {**read.values, **params}
    for name, process in read.binds:
        values[name] = process(values[name])
    args = values if read.order is None else tuple(values[n] for n in read.order)
    for listener in DRIVER_READS:
        listener(read.sql)
    try:
        row = _run_read(engine, read.sql, args)
    except engine.dialect.loaded_dbapi.Error as error:  # as SQLAlchemy would raise it
        raise DBAPIError.instance(read.sql, args, error, engine.dialect.loaded_dbapi.Error) from error
    if row is None or not read.results:
        return row  # the driver's row is a tuple
    values_read = list(row)
    for i, process in read.results:
        values_read[i] = process(values_read[i])
    return tuple(values_read)


def _run_read(engine: Engine, sql: str, args: Any) -> Any:
    reader = _readers.get(engine)
    if reader is not None and reader.lock.acquire(blocking=False):
        try:
            return reader.first(engine, sql, args)
        finally:
            reader.lock.release()
    raw = engine.raw_connection()  # SQLite, or the reader busy in another thread
    driver: Any = raw.driver_connection
    autocommit = engine.dialect.name == "postgresql"
    try:
        if autocommit:
            driver.autocommit = True  # idle after the pool's reset: no round trip to set it
        row = _fetch_first(raw, sql, args)
        if autocommit:
            driver.autocommit = False  # as SQLAlchemy's connections expect
    except BaseException:
        raw.invalidate()  # never back to the pool in a state its next user does not expect
        raise
    raw.close()
    return row


def _fetch_first(connection: Any, sql: str, args: Any) -> Any:
    cursor = connection.cursor()
    try:
        return _first(cursor, sql, args)
    finally:
        cursor.close()


def _first(cursor: Any, sql: str, args: Any) -> Any:
    cursor.execute(sql, args)
    return cursor.fetchone()


class _KeptReader:
    """first_row's own PostgreSQL connection, one per engine and process, kept open in autocommit.

    Through the pool each read cost two round trips: the pre-ping SQLAlchemy sends when a
    connection is checked out (`pool_pre_ping`, NFR REL-5), then the read; with the checkout,
    the check-in and the switches in and out of autocommit, a fifth of a kept page's time on
    PostgreSQL (issue #10). This connection is never checked out, so it is not pinged: a dropped
    connection is handled the other way SQLAlchemy's pooling guide describes, when it is used.
    The read fails with an error the dialect calls a disconnect, the connection is closed and the
    read (a SELECT, safe to repeat) is made once more on a new one. Any other error closes it too.
    The pool's connections, which every other statement uses, keep the pre-ping."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # one read at a time; a second thread uses the pool meanwhile
        self.connection: Any = None  # a psycopg connection, made by the pool and detached from it
        self.cursor: Any = None  # kept too: making a cursor cost a third of a read's time in psycopg
        self.pid = 0

    def first(self, engine: Engine, sql: str, args: Any) -> Any:
        for attempt in (1, 2):
            connection, cursor = self._open(engine)
            try:
                return _first(cursor, sql, args)
            except engine.dialect.loaded_dbapi.Error as error:
                dropped = engine.dialect.is_disconnect(error, connection, None)  # before it is closed here
                self.close()
                if attempt == 2 or not dropped:
                    raise
            except BaseException:
                self.close()
                raise
        raise AssertionError("unreachable")

    def _open(self, engine: Engine) -> tuple[Any, Any]:
        if self.connection is not None and self.pid != os.getpid():
            # Made before a fork (gunicorn --preload): the parent's. Not closed here, which would end
            # the parent's session on the server (psycopg does not close it when it is collected).
            self.connection = self.cursor = None
        if self.connection is None:
            pooled = engine.raw_connection()  # made with the engine's connect arguments and hooks
            connection: Any = pooled.driver_connection
            pooled.detach()  # closed by this reader, never returned to the pool
            connection.autocommit = True
            self.connection, self.cursor, self.pid = connection, connection.cursor(), os.getpid()
        return self.connection, self.cursor

    def close(self) -> None:
        connection, self.connection, self.cursor = self.connection, None, None
        if connection is not None and self.pid == os.getpid():
            with suppress(Exception):  # already broken: nothing left to close
                connection.close()

    def dispose(self, _engine: Engine) -> None:
        with self.lock:  # the engine's connections are being closed: this one too
            self.close()


_readers: WeakKeyDictionary[Engine, _KeptReader] = WeakKeyDictionary()


@dataclass
class _State:
    engine: Engine
    factory: sessionmaker[Session]


class Database:
    """Per-app engine; one session per app context (request or CLI command)."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["SQLALCHEMY_URL"])
        app.extensions["portal.db"] = _State(engine, sessionmaker(engine, expire_on_commit=False))
        app.teardown_appcontext(self._close)
        app.before_request(self._begin_request)
        app.teardown_request(self._end_request)

    @staticmethod
    def _begin_request() -> None:
        _reads_first.set(request.method in SAFE_METHODS)

    @staticmethod
    def _end_request(_exc: BaseException | None) -> None:
        _reads_first.set(False)

    @staticmethod
    def _state() -> _State:
        state: _State = current_app.extensions["portal.db"]
        return state

    @property
    def engine(self) -> Engine:
        return self._state().engine

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self._state().factory()
        session: Session = g.db_session
        return session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction per action: commit on success, roll back everything on error.

        During a GET it writes from its first statement (see _reads_first).
        """
        session = self.session
        writes = _reads_first.set(False)
        try:
            if session.in_transaction():
                _writes_now(session.connection())
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            _reads_first.reset(writes)

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def durability_report(engine: Engine) -> dict[str, str]:
    """What the database says its durability settings are (asserted at start-up)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return {
                "journal_mode": str(conn.execute(text("PRAGMA journal_mode")).scalar()),
                "synchronous": str(conn.execute(text("PRAGMA synchronous")).scalar()),
                "foreign_keys": str(conn.execute(text("PRAGMA foreign_keys")).scalar()),
            }
        return {"synchronous_commit": str(conn.execute(text("SHOW synchronous_commit")).scalar())}


def check_durability(engine: Engine) -> None:
    report = durability_report(engine)
    if engine.dialect.name == "sqlite":
        # synchronous: 2 = FULL. In-memory databases cannot use WAL, so only files are held to it.
        expected = {"synchronous": "2", "foreign_keys": "1"}
        if engine.url.database not in (None, "", ":memory:"):
            expected["journal_mode"] = "wal"
    else:
        expected = {"synchronous_commit": "on"}
    wrong = {k: v for k, v in expected.items() if report.get(k) != v}
    if wrong:
        raise RuntimeError(f"Database durability settings are wrong: {report}, expected {expected}")
