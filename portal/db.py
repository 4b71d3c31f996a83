"""Database engine and request-scoped session; SQLite durability pragmas."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, text
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


def _sqlite_begin(conn: Any) -> None:
    # BEGIN IMMEDIATE takes the write lock up front so two writers queue on
    # busy_timeout instead of failing with "database is locked" on upgrade.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


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
        """One transaction per action: commit on success, roll back everything on error."""
        session = self.session
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

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
