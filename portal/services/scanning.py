"""Virus scanning of uploads with ClamAV (clamd): nothing is opened by staff before a clean scan."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Case, Upload
from portal.services.cases import SYSTEM, add_event

CLEAN, INFECTED, PENDING = "clean", "infected", "pending"


class ScannerUnavailable(RuntimeError):
    """clamd could not be reached; the upload stays pending and is scanned on the next run."""


@dataclass(frozen=True)
class Verdict:
    status: str  # clean | infected
    signature: str | None = None


def scan_bytes(data: bytes, socket_path: str, timeout: int = 30) -> Verdict:
    from clamav_client.clamd import ClamdError, ClamdUnixSocket

    try:
        result = ClamdUnixSocket(path=socket_path, timeout=timeout).instream(io.BytesIO(data))
    except (ClamdError, OSError) as error:
        raise ScannerUnavailable(str(error)) from error
    state, signature = result.get("stream", ("ERROR", None))
    if state == "OK":
        return Verdict(CLEAN)
    if state == "FOUND":
        return Verdict(INFECTED, signature)
    raise ScannerUnavailable(f"clamd answered {state}: {signature}")


def openable(upload: Upload) -> bool:
    """Staff may open a file only after a clean scan."""
    return upload.scan_status == CLEAN


def apply_verdict(
    session: Session, upload: Upload, verdict: Verdict, upload_dir: Path, quarantine: Path
) -> None:
    """Record the verdict; an infected file leaves the upload folder for quarantine."""
    upload.scan_status = verdict.status
    if verdict.status == INFECTED:
        quarantine.mkdir(parents=True, exist_ok=True)
        source = upload_dir / upload.stored_name
        if source.exists():
            os.replace(source, quarantine / upload.stored_name)
    if upload.case_id is not None:
        case = session.get(Case, upload.case_id)
        if case is not None and verdict.status == INFECTED:
            add_event(
                session,
                case,
                SYSTEM,
                "upload_quarantined",
                f"File {upload.original_name} was found to contain a virus ({verdict.signature}) and was "
                "quarantined. Tell the person who sent it.",
            )


def scan_upload(
    session: Session, upload: Upload, upload_dir: Path, quarantine: Path, socket_path: str
) -> Verdict:
    data = (upload_dir / upload.stored_name).read_bytes()
    verdict = scan_bytes(data, socket_path)
    apply_verdict(session, upload, verdict, upload_dir, quarantine)
    return verdict


def pending_ids(session: Session, limit: int) -> list[int]:
    stmt = select(Upload.id).where(Upload.scan_status == PENDING).order_by(Upload.id).limit(limit)
    return list(session.scalars(stmt))
