"""Script and SQL in free text stay text everywhere it is shown: pages, the tracking page and PDFs."""

from __future__ import annotations

import subprocess

from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Case
from tests.journey import PARENT_COMPLAINT, complete, page, post, send

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "Robert'); DROP TABLE case_record;--"


def _hostile_steps() -> list[tuple[str, dict[str, object]]]:
    steps = [(slug, dict(data)) for slug, data in PARENT_COMPLAINT]
    answers = dict(steps)
    answers["child"]["child_name"] = SQL
    answers["what-happened"]["what_happened"] = XSS
    answers["outcome"]["outcome"] = f"{SQL} {XSS}"
    answers["contact"]["name"] = XSS[:150]
    return steps


def test_hostile_text_is_escaped_and_stored_as_typed(app: Flask) -> None:
    client = app.test_client()
    complete(client, _hostile_steps())
    response, soup = page(client, "/make-a-complaint/check-your-answers")
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert XSS in soup.get_text()  # shown as the characters typed
    assert not soup.select("img")
    send(client)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
        case = db.session.scalar(select(Case))
        assert case is not None and case.child_name == SQL and case.summary == XSS
        reference = case.reference
    receipt = client.get("/make-a-complaint/receipt/standard")
    text = subprocess.run(["pdftotext", "-", "-"], input=receipt.data, capture_output=True, check=True).stdout
    assert b"<script>alert" in text  # literally, as text in the PDF
    tracker = app.test_client()
    post(tracker, "/track", {"reference": reference, "email": "jo@example.com"})
    from tests.integration.test_tracking import _open

    session_client = _open(app, reference)
    response, soup = page(session_client, "/track/case")
    assert "<script>alert" not in response.get_data(as_text=True)


def test_sql_metacharacters_in_search_fields(app: Flask) -> None:
    client = app.test_client()
    for value in (SQL, "' OR '1'='1", "%_\\"):
        response = post(client, "/track", {"reference": value, "email": "a@example.com"})
        assert response.status_code in (200, 303, 429)  # 200: "reference too long" error
        response = post(client, "/track/code", {"reference": value, "code": value})
        assert response.status_code in (200, 429)
