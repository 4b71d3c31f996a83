"""GET requests read without holding a transaction open; every write still runs in one (portal/db.py).

SQLite: reads take no write lock. PostgreSQL: reads run in autocommit (no BEGIN, no ROLLBACK, and
prepared statements survive from one page view to the next); a write switches back first.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import func, select, text

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from portal.models import StaffUser
from portal.services.staff import create_staff
from tests.pg import Cluster


@pytest.fixture
def db_file(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "reads.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return path


@pytest.fixture
def sqlite_app(db_file: Path) -> Iterator[Flask]:
    app = create_app(TestConfig(f"sqlite:///{db_file}"))
    with app.app_context(), db.transaction() as session:
        create_staff(session, "first@example.gov.uk", "First", "officer", "a password long enough 1")
    yield app
    app.extensions["portal.db"].engine.dispose()


def _other_writer(db_file: Path) -> sqlite3.Connection:
    """A second connection that gives up at once when the write lock is taken."""
    other = sqlite3.connect(db_file, isolation_level=None, timeout=0)
    other.execute("PRAGMA busy_timeout=0")
    return other


def _write_lock_is_free(db_file: Path) -> bool:
    """Whether another connection could take the write lock right now (it lets go at once)."""
    other = _other_writer(db_file)
    try:
        other.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" not in str(error):
            raise
        return False
    else:
        other.execute("ROLLBACK")
        return True
    finally:
        other.close()


def _staff_count() -> int:
    return db.session.scalar(select(func.count(StaffUser.id))) or 0


@contextmanager
def _in_request(app: Flask, method: str) -> Iterator[None]:
    with app.test_request_context("/", method=method):
        app.preprocess_request()
        yield


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_read_request_does_not_hold_the_write_lock(sqlite_app: Flask, db_file: Path, method: str) -> None:
    with _in_request(sqlite_app, method):
        assert _staff_count() == 1  # the request's transaction is open, reading
        assert _write_lock_is_free(db_file)  # it was not under the old rule: "database is locked"


def test_a_post_request_holds_the_write_lock_from_its_first_read(sqlite_app: Flask, db_file: Path) -> None:
    with _in_request(sqlite_app, "POST"):
        assert _staff_count() == 1
        assert not _write_lock_is_free(db_file)


def test_a_read_request_writes_after_someone_else_wrote(sqlite_app: Flask, db_file: Path) -> None:
    """A deferred read that became stale must not fail with SQLITE_BUSY_SNAPSHOT when it writes:
    the write begins again with the lock, on the latest data (both ways a GET can write)."""
    with _in_request(sqlite_app, "GET"):
        assert _staff_count() == 1  # snapshot taken
        other = _other_writer(db_file)
        other.execute(
            "INSERT INTO staff_user (email, name, role, password_hash, is_active, failed_logins, created_at) "
            "VALUES ('second@example.gov.uk', 'Second', 'officer', 'x', 1, 0, '2026-01-01 00:00:00')"
        )
        other.close()
        assert _staff_count() == 1  # still the snapshot
        # A stray write, outside db.transaction(): the statement itself takes the lock first.
        create_staff(db.session, "third@example.gov.uk", "Third", "officer", "a password long enough 3")
        db.session.commit()
        assert _staff_count() == 3
        with db.transaction() as session:  # and the usual way: the block holds the lock from the start
            assert _staff_count() == 3  # reads inside the block see the latest data
            create_staff(session, "fourth@example.gov.uk", "Fourth", "officer", "a password long enough 4")
        assert _staff_count() == 4


def test_a_write_in_a_read_request_holds_the_lock_until_it_commits(sqlite_app: Flask, db_file: Path) -> None:
    with _in_request(sqlite_app, "GET"):
        assert _staff_count() == 1
        with db.transaction() as session:
            create_staff(session, "fifth@example.gov.uk", "Fifth", "officer", "a password long enough 5")
            session.flush()
            assert not _write_lock_is_free(db_file)
        assert _write_lock_is_free(db_file)  # committed: the lock is free again, and the reads go on
        assert _staff_count() == 2


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def pg_app(pg_cluster: Cluster) -> Iterator[Flask]:
    cluster = pg_cluster
    cluster.psql("CREATE DATABASE reads TEMPLATE template_portal")
    app = create_app(TestConfig(cluster.url("reads")))
    with app.app_context(), db.transaction() as session:
        create_staff(session, "first@example.gov.uk", "First", "officer", "a password long enough 1")
    yield app
    app.extensions["portal.db"].engine.dispose()
    cluster.psql("DROP DATABASE reads")


def _pg_status() -> TransactionStatus:
    raw = db.session.connection().connection.driver_connection
    return raw.info.transaction_status


@pytest.mark.postgres
def test_postgres_read_request_opens_no_transaction(pg_app: Flask) -> None:
    with _in_request(pg_app, "GET"):
        assert _staff_count() == 1
        assert _pg_status() == TransactionStatus.IDLE  # read in autocommit: nothing to roll back
    with _in_request(pg_app, "POST"):
        assert _staff_count() == 1
        assert _pg_status() == TransactionStatus.INTRANS  # a POST's reads are in its transaction


@pytest.mark.postgres
def test_postgres_writes_in_a_read_request_are_one_transaction(pg_app: Flask) -> None:
    with _in_request(pg_app, "GET"):
        assert _staff_count() == 1
        with pytest.raises(RuntimeError), db.transaction() as session:
            create_staff(session, "second@example.gov.uk", "Second", "officer", "a password long enough 2")
            session.flush()
            assert _pg_status() == TransactionStatus.INTRANS
            raise RuntimeError("the action fails after its first write")
        assert _staff_count() == 1  # nothing of it was kept
        # A stray write, outside db.transaction(): the statement itself leaves autocommit first.
        create_staff(db.session, "third@example.gov.uk", "Third", "officer", "a password long enough 3")
        db.session.flush()
        assert _pg_status() == TransactionStatus.INTRANS
        db.session.rollback()
        assert _staff_count() == 1
        with db.transaction() as session:
            create_staff(session, "fourth@example.gov.uk", "Fourth", "officer", "a password long enough 4")
        assert _staff_count() == 2
        assert _pg_status() == TransactionStatus.IDLE  # and back to reading


@pytest.mark.postgres
def test_postgres_page_statements_stay_prepared_from_view_to_view(pg_app: Flask) -> None:
    """psycopg prepares a statement on its fifth run; a ROLLBACK at the end of each view would
    deallocate it, so every view would parse and plan its queries again."""
    for _ in range(6):  # each its own request: the session closes, the connection goes back to the pool
        with _in_request(pg_app, "GET"):
            assert _staff_count() == 1
    with _in_request(pg_app, "GET"):
        prepared = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
        assert prepared and prepared >= 1
