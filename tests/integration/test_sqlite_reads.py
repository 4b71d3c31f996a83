"""SQLite: GET requests read without the write lock; every write still holds it (portal/db.py)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from portal.models import StaffUser
from portal.services.staff import create_staff


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


def _staff_count() -> int:
    return db.session.scalar(select(func.count(StaffUser.id))) or 0


def _in_request(app: Flask, method: str) -> object:
    context = app.test_request_context("/", method=method)
    context.push()
    app.preprocess_request()
    return context


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_read_request_does_not_hold_the_write_lock(sqlite_app: Flask, db_file: Path, method: str) -> None:
    context = _in_request(sqlite_app, method)
    try:
        assert _staff_count() == 1  # the request's transaction is open, reading
        other = _other_writer(db_file)
        other.execute("BEGIN IMMEDIATE")  # would fail with "database is locked" under the old rule
        other.execute("COMMIT")
        other.close()
    finally:
        context.pop()  # type: ignore[attr-defined]


def test_a_post_request_holds_the_write_lock_from_its_first_read(sqlite_app: Flask, db_file: Path) -> None:
    context = _in_request(sqlite_app, "POST")
    try:
        assert _staff_count() == 1
        other = _other_writer(db_file)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
    finally:
        context.pop()  # type: ignore[attr-defined]


def test_a_read_request_writes_after_someone_else_wrote(sqlite_app: Flask, db_file: Path) -> None:
    """A deferred read that became stale must not fail with SQLITE_BUSY_SNAPSHOT when it writes:
    the write begins again with the lock, on the latest data (both ways a GET can write)."""
    context = _in_request(sqlite_app, "GET")
    try:
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
    finally:
        context.pop()  # type: ignore[attr-defined]


def test_a_write_in_a_read_request_holds_the_lock_until_it_commits(sqlite_app: Flask, db_file: Path) -> None:
    context = _in_request(sqlite_app, "GET")
    try:
        assert _staff_count() == 1
        with db.transaction() as session:
            create_staff(session, "fifth@example.gov.uk", "Fifth", "officer", "a password long enough 5")
            session.flush()
            other = _other_writer(db_file)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        after = _other_writer(db_file)  # committed: the lock is free again, and the reads go on
        after.execute("BEGIN IMMEDIATE")
        after.execute("ROLLBACK")
        after.close()
        assert _staff_count() == 2
    finally:
        context.pop()  # type: ignore[attr-defined]
