"""Subject access export (portal.staff.data_protection): managers and administrators find a person's
cases and download everything held as a zip (JSON + a readable page + the letters); each export is
on the chronology and in the access log; other roles are refused and logged."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from portal.models import Case, CaseEvent, Document, OutboxMessage, StaffAccessLog, Upload
from portal.services import documents
from tests.helpers import check_page, nonce_of
from tests.integration import test_staff_auth as auth
from tests.integration.test_staff_auth import Clock, enrol
from tests.journey import complete, csrf, send

clock, staff = auth.clock, auth.staff  # the sign-in tests' fixtures
URL = "/staff/subject-access"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(TestConfig(database_url, DOCUMENT_DIR=str(tmp_path / "documents")))
    yield app
    app.extensions["portal.db"].engine.dispose()


def _sent(app: Flask, name: str, email: str, child: str) -> str:
    client = app.test_client()
    complete(client)
    for slug, data in (("child", {"child_name": child, "child_dob": ["3", "4", "2012"]}),):
        token = csrf(client.get(f"/make-a-complaint/{slug}").get_data(as_text=True))
        client.post(f"/make-a-complaint/{slug}", data={**data, "csrf_token": token})
    token = csrf(client.get("/make-a-complaint/contact").get_data(as_text=True))
    client.post(
        "/make-a-complaint/contact",
        data={"csrf_token": token, "name": name, "contact_method": "email", "email": email, "language": "en"},
    )
    assert send(client).status_code == 303
    with app.app_context(), db.transaction() as s:
        case = s.scalars(select(Case).order_by(Case.id.desc())).first()
        assert case is not None and case.complainant is not None and case.complainant.name == name
        if not s.scalars(select(Document).where(Document.case_id == case.id)).first():
            documents.produce(s, case, "acknowledgement")
        s.add(
            Upload(
                case_id=case.id, original_name=f"{name} photo.png", stored_name=f"u{case.id}",
                content_type="image/png", size=10, sha256="0" * 64, scan_status="clean",
            )
        )  # fmt: skip
        return case.reference


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    check_page(response.get_data(as_text=True), nonce_of(response))
    return response.get_data(as_text=True)


def test_manager_finds_chooses_and_downloads_everything(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    mine = _sent(app, "Jo Smith", "jo@example.com", "Sam Smith")
    other = _sent(app, "Alex Other", "alex@example.com", "Kim Other")
    enrol(client, clock, "manager@example.gov.uk")
    html = _page(client, f"{URL}?q=JO@example.com")
    assert mine in html and other not in html
    assert other in _page(client, f"{URL}?q=kim")  # the child's name, in part
    assert "No cases found" in _page(client, f"{URL}?q=nobody-at-all")
    # A LIKE wildcard is a character like any other.
    assert "No cases found" in _page(client, f"{URL}?q=%25%25%25")

    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.reference == mine))
    token = csrf(html)
    # Nothing chosen, no reason: the page again with both errors.
    refused = client.post(URL, data={"csrf_token": token, "q": "jo@example.com"})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "Choose the cases" in text and "Enter the subject access" in text
    assert "<title>Error:" in text

    response = client.post(
        URL, data={"csrf_token": token, "q": "jo@example.com", "case": str(case_id), "reason": "SAR-2026-014"}
    )
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    data = json.loads(archive.read("subject-access.json"))
    readable = archive.read("subject-access.html").decode()
    [item] = data["cases"]
    assert item["case"]["reference"] == mine and item["case"]["child_name"] == "Sam Smith"
    assert item["complainant"]["email"] == "jo@example.com"
    assert (
        item["chronology"] and item["emails"] and item["uploads"][0]["original_name"] == "Jo Smith photo.png"
    )
    assert item["letters"] and all(letter["file_in_this_export"] in names for letter in item["letters"])
    assert "security_code_hash" not in item["case"] and "context" not in item["emails"][0]  # no secrets
    assert "Jo Smith" in readable and "SAR-2026-014" in readable and "Alex Other" not in readable
    assert "Alex" not in json.dumps(data)

    with app.app_context():
        events = db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "subject_access_export")).all()
        assert [(e.case_id, e.actor_id) for e in events] == [(case_id, staff["manager"])]
        assert "SAR-2026-014" in events[0].summary
        log = db.session.scalars(
            select(StaffAccessLog).where(StaffAccessLog.outcome == "subject_access_export")
        ).all()
        assert [(entry.user_id, entry.detail) for entry in log] == [(staff["manager"], mine)]
        assert db.session.scalar(select(OutboxMessage.id)) is not None


def test_a_case_not_among_the_matches_cannot_be_exported(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    _sent(app, "Jo Smith", "jo@example.com", "Sam Smith")
    other = _sent(app, "Alex Other", "alex@example.com", "Kim Other")
    enrol(client, clock, "admin@example.gov.uk")  # administrators handle requests too
    token = csrf(_page(client, f"{URL}?q=jo@example.com"))
    with app.app_context():
        other_id = db.session.scalar(select(Case.id).where(Case.reference == other))
    response = client.post(
        URL, data={"csrf_token": token, "q": "jo@example.com", "case": str(other_id), "reason": "SAR-1"}
    )
    assert response.status_code == 200 and response.mimetype == "text/html"
    with app.app_context():
        assert (
            db.session.scalars(select(CaseEvent).where(CaseEvent.kind == "subject_access_export")).all() == []
        )


@pytest.mark.parametrize("role", ["officer", "responding_manager", "reporting"])
def test_other_roles_are_refused_and_logged(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int], role: str
) -> None:
    enrol(client, clock, f"{role}@example.gov.uk")
    assert client.get(f"{URL}?q=jo@example.com").status_code == 403
    with app.app_context():
        refused = db.session.scalars(
            select(StaffAccessLog).where(
                StaffAccessLog.outcome == "refused", StaffAccessLog.user_id == staff[role]
            )
        ).all()
        assert refused and refused[-1].path == URL


def test_signed_out_people_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get(URL)
    assert response.status_code in (302, 303) and "/staff/sign-in" in response.headers["Location"]
