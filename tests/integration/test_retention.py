"""Retention (portal.services.retention, `flask apply-retention`): closed cases past the period lose
their personal data, files and chronology text; the statistics stay; the chronology still refuses
every other change."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal import create_app
from portal.config import Config, TestConfig
from portal.extensions import db
from portal.models import Base, Case, CaseEvent, Document, OutboxMessage, Person, StageRecord, Upload
from portal.models.base import utcnow
from portal.services.retention import ANONYMISED_NAME, REDACTED_SUMMARY, cutoff
from tests.journey import complete, send

PERSONAL = ("Jo Smith", "jo@example.com", "Sam Smith", "Nobody visited", "An apology and a plan", "after 3pm")


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        TestConfig(
            database_url,
            UPLOAD_DIR=str(tmp_path / "uploads"),
            QUARANTINE_DIR=str(tmp_path / "quarantine"),
            DOCUMENT_DIR=str(tmp_path / "documents"),
        )
    )
    yield app
    app.extensions["portal.db"].engine.dispose()


def _case(app: Flask, closed_years_ago: float | None, *, status: str = "closed") -> int:
    """A complaint sent through the journey, with an evidence file, closed that long ago."""
    client = app.test_client()
    complete(client)
    assert send(client).status_code == 303
    with app.app_context(), db.transaction() as s:
        case = s.scalars(select(Case).order_by(Case.id.desc())).first()
        assert case is not None
        folder = Path(app.config["UPLOAD_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        data = b"%PDF-1.4 Jo Smith's letter"
        stored = hashlib.sha256(f"{case.id}".encode()).hexdigest()
        (folder / stored).write_bytes(data)
        s.add(
            Upload(
                case_id=case.id,
                original_name="Jo Smith letter.pdf",
                stored_name=stored,
                content_type="application/pdf",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                scan_status="clean",
            )
        )
        if closed_years_ago is not None:
            case.status = status
            kind = "close" if status == "closed" else "withdraw"
            at = utcnow() - timedelta(days=365.25 * closed_years_ago)
            s.add(
                CaseEvent(case=case, actor_kind="staff", kind=kind, summary="Closed: Jo Smith told.", at=at)
            )
        return case.id


def _everything(app: Flask) -> str:
    """Every value in every table, as text (to look for personal data anywhere)."""
    with app.app_context(), db.engine.connect() as conn:
        return "\n".join(
            repr(tuple(row)) for table in Base.metadata.sorted_tables for row in conn.execute(table.select())
        )


def _stats(app: Flask, case_id: int) -> tuple[object, ...]:
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        stages = db.session.scalars(select(StageRecord).where(StageRecord.case_id == case_id)).all()
        events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
        return (
            (case.reference, case.kind, case.procedure, case.status, case.stage, case.service_area),
            (case.complainant_category, case.channel, case.received_on, case.arose_on),
            [
                (r.stage, r.received_on, r.due_on, r.responded_on, r.outcome, r.kind, r.service_area)
                for r in stages
            ],
            [(e.id, e.kind, e.at, e.actor_kind) for e in events],
        )


def test_closed_case_past_retention_loses_personal_data_and_keeps_statistics(app: Flask) -> None:
    case_id = _case(app, closed_years_ago=6.1)
    with app.app_context():
        documents = [
            Path(app.config["DOCUMENT_DIR"]) / d.stored_name for d in db.session.scalars(select(Document))
        ]
        uploads = [Path(app.config["UPLOAD_DIR"]) / u.stored_name for u in db.session.scalars(select(Upload))]
    assert uploads and all(p.exists() for p in uploads + documents)
    assert "Jo Smith" in _everything(app)
    before = _stats(app, case_id)

    result = app.test_cli_runner().invoke(args=["apply-retention"])
    assert result.exit_code == 0, result.output
    assert "Anonymised 1 closed cases past the 6-year retention period." in result.output

    everything = _everything(app)
    for value in PERSONAL:
        assert value not in everything, f"{value!r} is still stored"
    assert not any(p.exists() for p in uploads + documents), "files are still on disk"
    after = _stats(app, case_id)
    assert after[:3] == before[:3]  # the case's figures and its stage records are unchanged
    assert after[3][: len(before[3])] == before[3]  # every chronology entry keeps its kind and time
    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None and case.anonymised_at is not None
        events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
        assert {e.summary for e in events[:-1]} == {REDACTED_SUMMARY} and all(
            e.data == {} for e in events[:-1]
        )
        assert events[-1].kind == "anonymised" and "6-year retention period" in events[-1].summary
        person = db.session.get(Person, case.complainant_id)
        assert person is not None and person.name == ANONYMISED_NAME and person.email is None
        assert (
            db.session.scalars(select(Upload)).all() == []
            and db.session.scalars(select(Document)).all() == []
        )
        assert all(m.recipient != "jo@example.com" for m in db.session.scalars(select(OutboxMessage)))
    # Run again: nothing more to do.
    again = app.test_cli_runner().invoke(args=["apply-retention"])
    assert "Anonymised 0 closed cases" in again.output


def test_open_recent_and_other_cases_are_kept(app: Flask) -> None:
    open_old = _case(app, closed_years_ago=None)  # never closed
    recent = _case(app, closed_years_ago=5.9)
    withdrawn = _case(app, closed_years_ago=7, status="withdrawn")
    with app.app_context():
        references = {i: db.session.get(Case, i).reference for i in (open_old, recent, withdrawn)}  # type: ignore[union-attr]
    dry = app.test_cli_runner().invoke(args=["apply-retention", "--dry-run"])
    assert references[withdrawn] in dry.output and references[recent] not in dry.output
    assert references[open_old] not in dry.output
    assert "1 closed cases are past" in dry.output
    with app.app_context():
        assert all(db.session.get(Case, i).anonymised_at is None for i in references)  # type: ignore[union-attr]
    app.test_cli_runner().invoke(args=["apply-retention"])
    with app.app_context():
        kept = {i: db.session.get(Case, i) for i in references}
        assert kept[withdrawn].anonymised_at is not None  # type: ignore[union-attr]
        assert kept[recent].summary == "Nobody visited for 3 months."  # type: ignore[union-attr]
        assert kept[open_old].anonymised_at is None  # type: ignore[union-attr]
    # A later date brings the recent one into the period.
    later = (date.today() + timedelta(days=60)).isoformat()
    result = app.test_cli_runner().invoke(args=["apply-retention", "--date", later])
    assert references[recent] in result.output


def test_a_person_with_another_kept_case_keeps_their_details(app: Flask) -> None:
    old = _case(app, closed_years_ago=8)
    current = _case(app, closed_years_ago=None)
    with app.app_context(), db.transaction() as s:
        old_case, current_case = s.get(Case, old), s.get(Case, current)
        assert old_case is not None and current_case is not None
        current_case.complainant_id = old_case.complainant_id  # the same person complained again
    app.test_cli_runner().invoke(args=["apply-retention"])
    with app.app_context():
        old_case = db.session.get(Case, old)
        assert old_case is not None and old_case.anonymised_at is not None
        assert old_case.complainant is not None and old_case.complainant.name == "Jo Smith"


def _refused(app: Flask, sql: str, **params: object) -> None:
    with app.app_context(), db.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(text(sql), params)
        conn.commit()


def test_the_chronology_still_refuses_every_other_change(app: Flask) -> None:
    kept = _case(app, closed_years_ago=None)
    gone = _case(app, closed_years_ago=7)
    app.test_cli_runner().invoke(args=["apply-retention"])
    with app.app_context():
        kept_event = db.session.scalars(select(CaseEvent.id).where(CaseEvent.case_id == kept)).first()
        gone_events = db.session.scalars(select(CaseEvent.id).where(CaseEvent.case_id == gone)).all()
    now = utcnow()
    # An ordinary edit, on a kept case and on an anonymised one.
    _refused(app, "UPDATE case_event SET summary = 'edited' WHERE id = :id", id=kept_event)
    _refused(app, "UPDATE case_event SET summary = 'edited' WHERE id = :id", id=gone_events[-1])
    # The redaction itself, on a case that has not been anonymised.
    _refused(
        app,
        "UPDATE case_event SET summary = :s, data = '{}', redacted_at = :now WHERE id = :id",
        s=REDACTED_SUMMARY,
        now=now,
        id=kept_event,
    )
    # Redacting again, or redacting while changing the kind or the time (the statistics).
    _refused(app, "UPDATE case_event SET redacted_at = :now WHERE id = :id", now=now, id=gone_events[0])
    _refused(
        app,
        "UPDATE case_event SET summary = :s, data = '{}', redacted_at = :now, kind = 'close' WHERE id = :id",
        s=REDACTED_SUMMARY,
        now=now,
        id=gone_events[-1],
    )
    # Deletes, always.
    _refused(app, "DELETE FROM case_event WHERE id = :id", id=gone_events[0])
    _refused(app, "DELETE FROM case_event WHERE id = :id", id=kept_event)


def test_cutoff_and_configured_period(monkeypatch: pytest.MonkeyPatch) -> None:
    assert cutoff(date(2032, 2, 29), 6).date() == date(2026, 2, 28)
    assert cutoff(date(2032, 5, 1), 6).date() == date(2026, 5, 1)
    assert Config().COUNCIL.retention_years == 6
    monkeypatch.setenv("PORTAL_RETENTION_YEARS", "7")
    assert Config().COUNCIL.retention_years == 7
