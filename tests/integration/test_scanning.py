"""Uploads scanned by a real clamd: infected files quarantined and the uploader told; scanner down
keeps the upload pending (nothing lost) until `scan-uploads` runs."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Upload
from portal.services import scanning
from tests.clamav import EICAR
from tests.journey import BASE, PARENT_COMPLAINT, complete, post


def _configure(app: Flask, tmp_path: Path, socket: str) -> tuple[Path, Path]:
    uploads, quarantine = tmp_path / "uploads", tmp_path / "quarantine"
    app.config.update(UPLOAD_DIR=str(uploads), QUARANTINE_DIR=str(quarantine), CLAMD_SOCKET=socket)
    return uploads, quarantine


def _upload(client, name: str, data: bytes) -> str:  # type: ignore[no-untyped-def]
    response = post(
        client,
        f"{BASE}/evidence",
        {"action": "upload", "evidence": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.get_data(as_text=True) if response.status_code == 200 else "ok"


def test_clean_file_is_marked_clean_and_eicar_is_quarantined(app: Flask, tmp_path: Path, clamd: str) -> None:
    uploads, quarantine = _configure(app, tmp_path, clamd)
    client = app.test_client()
    complete(client, PARENT_COMPLAINT[:-1])
    assert _upload(client, "letter.txt", b"A plain letter about the visit.") == "ok"
    page = _upload(client, "note.txt", EICAR)
    assert "contains a virus" in page and "Error:" in page
    with app.app_context():
        kept = db.session.scalars(select(Upload)).all()
        assert [(u.original_name, u.scan_status) for u in kept] == [("letter.txt", "clean")]
        assert scanning.openable(kept[0])
    assert len(list(quarantine.iterdir())) == 1 and len(list(uploads.iterdir())) == 1


def test_scanner_down_keeps_the_upload_pending_until_scan_uploads(
    app: Flask, tmp_path: Path, clamd: str
) -> None:
    _configure(app, tmp_path, str(tmp_path / "no-such.sock"))
    client = app.test_client()
    complete(client, PARENT_COMPLAINT[:-1])
    assert _upload(client, "photo.txt", b"clean words") == "ok"
    assert _upload(client, "bad.txt", EICAR) == "ok"  # accepted for now; scanned later
    with app.app_context():
        assert {u.scan_status for u in db.session.scalars(select(Upload))} == {"pending"}
        assert not any(scanning.openable(u) for u in db.session.scalars(select(Upload)))
    runner = app.test_cli_runner()
    waiting = runner.invoke(args=["scan-uploads"])
    assert "still waiting 1" in waiting.output
    app.config["CLAMD_SOCKET"] = clamd  # the scanner is back
    done = runner.invoke(args=["scan-uploads"])
    assert "Clean 1, infected 1, still waiting 0." in done.output, done.output
    with app.app_context():
        statuses = {u.original_name: u.scan_status for u in db.session.scalars(select(Upload))}
        assert statuses == {"photo.txt": "clean", "bad.txt": "infected"}
    assert "Clean 0, infected 0" in runner.invoke(args=["scan-uploads"]).output
