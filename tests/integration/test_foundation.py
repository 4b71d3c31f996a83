"""Configuration, database durability, migrations, staff accounts, chronology immutability."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from portal.config import Config, ConfigError
from portal.db import durability_report
from portal.extensions import db
from portal.models import Case, CaseEvent, StaffUser
from portal.models.case import AuditImmutable
from portal.services.staff import verify_password


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        Config().as_flask()
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 64)
    assert Config().as_flask()["SESSION_COOKIE_SECURE"] is True


def test_durability_settings(app: Flask) -> None:
    with app.app_context():
        report = durability_report(db.engine)
    if db_is_sqlite(app):
        assert report == {"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1"}
    else:
        assert report == {"synchronous_commit": "on"}


def db_is_sqlite(app: Flask) -> bool:
    return str(app.config["SQLALCHEMY_URL"]).startswith("sqlite")


def test_create_staff_hashes_the_password(app: Flask, runner: FlaskCliRunner) -> None:
    args = ["create-staff", "--email", "A@Example.com", "--name", "Ann", "--role", "officer"]
    result = runner.invoke(args=[*args, "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(StaffUser))
        assert user is not None and user.email == "a@example.com"
        assert user.password_hash.startswith("$argon2")
        assert verify_password(user, "a long enough password")
        assert not verify_password(user, "wrong")
    again = runner.invoke(args=[*args, "--password", "a long enough password"])
    assert again.exit_code != 0 and "already exists" in again.output


@pytest.mark.parametrize(
    ("role", "password", "message"),
    [
        ("wizard", "a long enough password", "Role must be one of"),
        ("officer", "short", "12 characters"),
    ],
)
def test_create_staff_refuses_bad_input(
    runner: FlaskCliRunner, role: str, password: str, message: str
) -> None:
    result = runner.invoke(
        args=[
            "create-staff",
            "--email",
            "b@example.com",
            "--name",
            "B",
            "--role",
            role,
            "--password",
            password,
        ]
    )
    assert result.exit_code != 0 and message in result.output


def test_seed_demo_loads_cases_at_every_stage_and_is_safe_twice(
    app: Flask, runner: FlaskCliRunner
) -> None:
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "Loaded 5 staff accounts" in first.output
    assert "already loaded" in runner.invoke(args=["seed-demo"]).output
    with app.app_context():
        session = db.session
        statuses = set(session.scalars(select(Case.status)))
        stages = set(session.scalars(select(Case.stage)))
        kinds = set(session.scalars(select(Case.kind)))
        assert {
            "received",
            "in_progress",
            "responded",
            "escalation_requested",
            "closed",
            "withdrawn",
            "awaiting_decision",
        } <= statuses
        assert stages == {1, 2, 3}
        assert {"complaint", "compliment", "enquiry_mp"} <= kinds
        assert session.scalar(select(func.count()).select_from(CaseEvent)) > 12


def test_chronology_cannot_be_edited_or_deleted(app: Flask, runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        session = db.session
        entry = session.scalars(select(CaseEvent)).first()
        assert entry is not None
        entry.summary = "rewritten"
        with pytest.raises(AuditImmutable):
            session.flush()
        session.rollback()
        # Below the ORM the database's own trigger refuses too.
        with pytest.raises(DatabaseError):
            session.execute(text("UPDATE case_event SET summary = 'x'"))
        session.rollback()
        with pytest.raises(DatabaseError):
            session.execute(text("DELETE FROM case_event"))
        session.rollback()
