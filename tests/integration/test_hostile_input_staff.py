"""Hostile input beyond the public pages (test_hostile_input.py): script in every free-text field shown
on staff pages, in letters (HTML and PDF) and in the subject access export; SQL metacharacters in the
staff inputs; polyglot uploads; and a family's tracking session against every staff case URL."""

from __future__ import annotations

import io
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal import create_app
from portal.config import TestConfig
from portal.extensions import db
from portal.models import Case, Document, Upload
from portal.services import documents
from tests.integration import test_access_matrix, test_access_matrix_more
from tests.integration import test_staff_auth as auth
from tests.integration.test_staff_auth import Clock, enrol, sign_out
from tests.journey import BASE, PARENT_COMPLAINT, complete, csrf, post, send

clock, staff = auth.clock, auth.staff  # the sign-in tests' fixtures
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE case_record;--"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        TestConfig(
            database_url, DOCUMENT_DIR=str(tmp_path / "documents"), UPLOAD_DIR=str(tmp_path / "uploads")
        )
    )
    yield app
    app.extensions["portal.db"].engine.dispose()


def _hostile_case(app: Flask) -> str:
    """Script in every free-text answer that staff pages and letters show."""
    steps = [(slug, dict(data)) for slug, data in PARENT_COMPLAINT]
    answers = dict(steps)
    answers["child"]["child_name"] = f"Sam {XSS}"[:100]
    answers["what-happened"]["what_happened"] = f"What happened {XSS}"
    answers["outcome"]["outcome"] = f"Outcome {XSS}"
    answers["contact"]["name"] = f"Jo {XSS}"[:150]
    answers["contact"]["safe_times"] = f"Times {XSS}"[:150]
    answers["needs"]["other"] = f"Needs {XSS}"
    client = app.test_client()
    complete(client, steps)
    assert send(client).status_code == 303
    with app.app_context():
        reference = db.session.scalar(select(Case.reference).order_by(Case.id.desc()))
        assert reference is not None
        return reference


def _no_live_markup(html: str) -> BeautifulSoup:
    assert "<script>alert" not in html and "<img src=x" not in html
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.select("img[onerror]") and not [s for s in soup.select("script") if "alert" in s.text]
    return soup


def test_script_stays_text_on_staff_pages_letters_and_the_export(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    reference = _hostile_case(app)
    with app.app_context(), db.transaction() as session:
        case = session.scalar(select(Case))
        assert case is not None
        made = documents.produce(
            session, case, "stage1_response", staff_body=f"Dear Jo,\n\nStaff wrote {XSS}"
        )
        files = {d.format: documents.path_of(d) for d in made}
    enrol(client, clock, "manager@example.gov.uk")
    case_page = _no_live_markup(client.get(f"/staff/cases/{reference}").get_data(as_text=True))
    for typed in ("What happened", "Times", "Jo <script>"):
        assert typed in case_page.get_text(), typed
    assert XSS in case_page.get_text()  # shown as the characters typed
    queue = client.get("/staff/cases", query_string={"q": "What happened", "queue": "open"})
    assert reference in _no_live_markup(queue.get_data(as_text=True)).get_text()
    fragment = client.get("/staff/cases", query_string={"q": XSS}, headers={"HX-Request": "true"})
    _no_live_markup(fragment.get_data(as_text=True))

    # Letters: the web page version escapes it; the PDF holds it as literal text.
    _no_live_markup(files["html"].read_text())
    pdf = subprocess.run(["pdftotext", str(files["pdf"]), "-"], capture_output=True, check=True).stdout
    assert b"Staff wrote <script>alert" in pdf

    # The subject access export's readable page.
    html = client.get("/staff/subject-access", query_string={"q": "jo@example.com"}).get_data(as_text=True)
    _no_live_markup(html)
    with app.app_context():
        case_id = db.session.scalar(select(Case.id))
    export = client.post(
        "/staff/subject-access",
        data={"csrf_token": csrf(html), "q": "jo@example.com", "case": str(case_id), "reason": XSS},
    )
    readable = zipfile.ZipFile(io.BytesIO(export.data)).read("subject-access.html").decode()
    _no_live_markup(readable)


def test_sql_metacharacters_in_staff_inputs(
    app: Flask, client: FlaskClient, clock: Clock, staff: dict[str, int]
) -> None:
    _hostile_case(app)
    values = (SQL, "' OR '1'='1", "%_\\", "1; SELECT pg_sleep(5)--", '" OR ""="')
    for value in values:
        response = post(app.test_client(), "/staff/sign-in", {"email": value, "password": value})
        assert (
            response.status_code == 200
            and "Enter a correct email address and password" in response.get_data(as_text=True)
            or "Enter an email address in the correct format" in response.get_data(as_text=True)
        )
    enrol(client, clock, "manager@example.gov.uk")
    for value in values:
        queue = client.get("/staff/cases", query_string={"q": value})
        assert queue.status_code == 200 and "There is a problem" not in queue.get_data(as_text=True)
        search = client.get("/staff/subject-access", query_string={"q": value})
        assert search.status_code == 200 and "No cases found" in search.get_data(as_text=True)
    sign_out(client)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1  # the table is still there


def _upload(client: FlaskClient, name: str, data: bytes) -> str:
    response = post(
        client,
        f"{BASE}/evidence",
        {"action": "upload", "evidence": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.get_data(as_text=True) if response.status_code == 200 else "ok"


def test_polyglot_and_renamed_uploads_are_typed_by_content(app: Flask, client: FlaskClient) -> None:
    complete(client, PARENT_COMPLAINT[:-1])
    polyglots = {
        "photo.html": b"GIF89a/*" + b"<script>alert(1)</script>" + b"*/=1;",  # GIF header, script body
        "report.pdf": b"<html><body><script>alert(1)</script></body></html>",  # HTML renamed to .pdf
        "scan.jpg": b"%PDF-1.4\n<script>alert(1)</script>",  # PDF named as a photo
    }
    for name, data in polyglots.items():
        assert _upload(client, name, data) == "ok", name
    for name, data in {"setup.pdf": b"MZ\x90\x00" + b"\x00" * 64, "run.txt": b"\x7fELF\x02\x01\x01"}.items():
        assert "must be a PDF, Word" in _upload(client, name, data), name
    with app.app_context():
        stored = {u.original_name: u for u in db.session.scalars(select(Upload))}
    assert {name: u.content_type for name, u in stored.items()} == {
        "photo.html": "image/gif",
        "report.pdf": "text/plain",
        "scan.jpg": "application/pdf",
    }
    folder = Path(app.config["UPLOAD_DIR"])
    for name, upload in stored.items():
        assert upload.stored_name != name and "." not in upload.stored_name  # a generated name only
        assert (folder / upload.stored_name).read_bytes() == polyglots[name]
        assert upload.scan_status == "pending"  # staff cannot open it before a clean scan


def _refused(response: object) -> bool:
    """Not found or forbidden, or sent to the staff sign-in page (htmx: a 204 with HX-Redirect)."""
    status, headers = response.status_code, response.headers  # type: ignore[attr-defined]
    if status in (401, 403, 404):
        return True
    target = headers.get("HX-Redirect") if status == 204 else headers.get("Location")
    return status in (204, 302, 303) and "/staff/sign-in" in (target or "")


def test_a_family_tracking_session_opens_no_staff_case_url(app: Flask, staff: dict[str, int]) -> None:
    """Complainant of one case, over every staff case, fragment and file URL of theirs and another case."""
    from tests.integration.test_tracking import _open

    cases = test_access_matrix._setup(app, staff)
    with app.app_context():
        extra = test_access_matrix_more._setup(app, staff)
        for values in cases.values():
            case = db.session.scalar(select(Case).where(Case.reference == values["ref"]))
            assert case is not None
            values["document"] = documents.produce(db.session, case, "acknowledgement")[0].id
            db.session.commit()
    own = _hostile_case(app)
    family = _open(app, own)
    templates = [*test_access_matrix.ROUTES, "/staff/cases/{ref}/documents/{document}"]
    urls = [
        template.format(**values)
        for values in [*cases.values(), {"ref": own, "commitment": 0, "remedy": 0, "email": 0, "document": 0}]
        for template in templates
    ]
    urls += [
        template.format(**values) for template in test_access_matrix_more.ROUTES for values in extra.values()
    ]
    urls += [*test_access_matrix.LISTS, *test_access_matrix_more.LISTS]
    served = [
        f"{url}: {response.status_code}"
        for url in urls
        for response in (family.get(url), family.get(url, headers={"HX-Request": "true"}))
        if not _refused(response)
    ]
    assert not served, served
    # The family's own documents and pages still work in that session.
    assert family.get("/track/case").status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) >= 2
