"""Evidence uploads: type by content (not name), size limits, generated names outside the web root."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from portal.models import Draft, Upload

# Magic numbers of the types we accept (documents and photos a family might send).
SIGNATURES: tuple[tuple[bytes, int, str, str], ...] = (
    (b"%PDF-", 0, "application/pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png", "PNG"),
    (b"\xff\xd8\xff", 0, "image/jpeg", "JPEG"),
    (b"GIF87a", 0, "image/gif", "GIF"),
    (b"GIF89a", 0, "image/gif", "GIF"),
    (b"ftypheic", 4, "image/heic", "HEIC"),
    (b"ftypmif1", 4, "image/heic", "HEIC"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/msword", "Word"),
)
ACCEPTED_DESCRIPTION = "PDF, Word, JPG, PNG, GIF, HEIC or plain text"
MAX_FILES = 10


class UploadError(ValueError):
    """The file cannot be accepted; the message says why in plain words."""


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    label: str


def _is_docx(head: bytes) -> bool:
    # Word .docx is a zip whose first entry is [Content_Types].xml (or word/ soon after).
    return head.startswith(b"PK\x03\x04") and (b"[Content_Types].xml" in head or b"word/" in head)


def _is_text(data: bytes) -> bool:
    if b"\x00" in data[:8192]:
        return False
    try:
        data[:65536].decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the sample's end is still text.
        return error.start >= min(len(data), 65536) - 4
    return True


def sniff(data: bytes) -> Sniffed | None:
    head = data[:4096]
    for magic, offset, content_type, label in SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            return Sniffed(content_type, label)
    if _is_docx(head):
        return Sniffed("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word")
    if head[:2] == b"MZ" or head[:4] == b"\x7fELF":
        return None  # executables, whatever they are called
    if data and _is_text(data):
        return Sniffed("text/plain", "text")
    return None


def safe_display_name(name: str | None) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return cleaned[:200] or "file"


def read_limited(stream: IO[bytes], max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(f"The selected file must be smaller than {max_bytes // (1024 * 1024)} MB")
    return data


def store(draft: Draft, stream: IO[bytes], filename: str | None, upload_dir: Path, max_bytes: int) -> Upload:
    """Check and write one file; the caller adds the row in its transaction (and removes the
    file with `discard` if that transaction fails)."""
    if len(draft.uploads) >= MAX_FILES:
        raise UploadError(f"You can send up to {MAX_FILES} files. Remove one to add another.")
    data = read_limited(stream, max_bytes)
    if not data:
        raise UploadError("The selected file is empty")
    kind = sniff(data)
    if kind is None:
        raise UploadError(f"The selected file must be a {ACCEPTED_DESCRIPTION} file")
    upload_dir.mkdir(parents=True, exist_ok=True)
    stored_name = secrets.token_hex(16)
    tmp = upload_dir / f".{stored_name}.part"
    try:
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, upload_dir / stored_name)
    except OSError:
        tmp.unlink(missing_ok=True)  # no half-written file left behind
        raise
    upload = Upload(
        original_name=safe_display_name(filename),
        stored_name=stored_name,
        content_type=kind.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        scan_status="pending",
    )
    draft.uploads.append(upload)
    return upload


def discard(upload_dir: Path, stored_name: str) -> None:
    (upload_dir / stored_name).unlink(missing_ok=True)
