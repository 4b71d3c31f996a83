"""The acknowledgement letter is made in the person's formats after submission, downloadable from
the tracking page; a renderer failure never touches the submission and is retried by cron."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Case, Document
from tests.journey import complete, page, post, send


def _tracking_client(app: Flask, reference: str):  # type: ignore[no-untyped-def]
    from tests.integration.test_tracking import _open

    return _open(app, reference)


def test_acknowledgement_in_the_formats_asked_for(app: Flask, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app.config["DOCUMENT_DIR"] = str(tmp_path / "documents")
    client = app.test_client()
    complete(client)  # large print 32 pt on yellow paper
    send(client)
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case is not None
        formats = set(db.session.scalars(select(Document.format).where(Document.letter == "acknowledgement")))
        assert {"pdf", "large_print"} <= formats
        reference = case.reference
    tracker = _tracking_client(app, reference)
    _, soup = page(tracker, "/track/case")
    links = [a["href"] for a in soup.select("a") if "/track/case/documents/" in a.get("href", "")]
    assert links, "the family can download the letter"
    response = tracker.get(links[0])
    assert response.status_code == 200 and len(response.data) > 100
    # Another browser without the tracking session cannot fetch it.
    assert app.test_client().get(links[0]).status_code == 404


def test_renderer_failure_never_blocks_the_submission(
    app: Flask,
    tmp_path,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from portal.services import documents

    app.config["DOCUMENT_DIR"] = str(tmp_path / "documents")
    real = documents.produce

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(documents, "produce", broken)
    client = app.test_client()
    complete(client)
    assert send(client).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == 1
        assert db.session.scalar(select(func.count()).select_from(Document)) == 0
    monkeypatch.setattr(documents, "produce", real)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["produce-letters"])
    assert "Produced 1 letter(s); 0 failed" in result.output, result.output
    assert "Produced 0 letter(s)" in runner.invoke(args=["produce-letters"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Document)) > 0
    assert post  # (the journey helpers are shared with the tracking tests)
