"""Produce a letter in every format and language the person needs, check it before sending, hand it out.

A letter is rendered once per language from one template (easy read from its twin) into
each format the person's recorded needs call for. Each file is stored under DOCUMENT_DIR
with a generated name and gets a Document row; the formats of one letter share a
`letter_group`, and the chronology records them ("letter_produced"). A response does not
count as sent until every needed format exists: `assert_ready_to_send` refuses otherwise.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale, get_babel
from sqlalchemy import Select, bindparam, event, select
from sqlalchemy.orm import Session, object_session

from portal.config import ADVOCACY, Ombudsman
from portal.documents import formats
from portal.documents.formats import Target
from portal.documents.letters import Letter, build_context, in_language, letter
from portal.i18n import babel_locale, format_date
from portal.models import Case, CaseEvent, Document
from portal.services.cases import SYSTEM, Actor, add_event
from portal.services.rules import rules

EVENT = "letter_produced"
_PENDING = "portal.documents.pending_files"


class NotReadyToSend(RuntimeError):
    """A letter lacks a format (or language) the person needs; `missing` lists them."""

    def __init__(self, message: str, missing: list[str]) -> None:
        super().__init__(message)
        self.missing = missing


# --- what a person needs ----------------------------------------------------------------------


def has_translation(lang: str) -> bool:
    """True when a compiled catalogue exists for the language (English is the source language)."""
    if lang == "en":
        return True
    for directory in get_babel().translation_directories:
        base = Path(directory)
        if not base.is_dir():
            continue
        for folder in base.iterdir():
            named = folder.name == lang or folder.name.startswith(f"{lang}_")
            if named and any((folder / "LC_MESSAGES").glob("*.mo")):
                return True
    return False


def delivery_language(case: Case) -> str:
    """The person's language where the portal has a translation, else English."""
    lang = case.complainant.preferred_language if case.complainant else "en"
    return lang if lang and has_translation(lang) else "en"


def needs_of(case: Case) -> Mapping[str, Any]:
    return (case.complainant.needs or {}) if case.complainant else {}


def needed(case: Case) -> list[Target]:
    return formats.targets(needs_of(case), delivery_language(case))


def _context(
    case: Case, item: Letter, given: Mapping[str, Any] | None, staff_body: str | None, on: date
) -> dict[str, Any]:
    return build_context(
        case,
        item,
        given or {},
        staff_body,
        on,
        rules(),
        council=current_app.config["COUNCIL"],
        ombudsman=Ombudsman(),
        advocacy=ADVOCACY,
        format_date=format_date,
    )


def preview_html(
    case: Case,
    letter_id: str,
    context: Mapping[str, Any] | None = None,
    *,
    staff_body: str | None = None,
    easy: bool = False,
    lang: str = "en",
    fmt: formats.Look = formats.STANDARD,
    on: date | None = None,
) -> str:
    """The letter as HTML without storing anything (staff preview, checks), in a given language and look."""
    item = letter(letter_id)
    base = _context(case, item, context, staff_body, on or date.today())
    with force_locale(babel_locale(lang)):
        full = in_language(item, base, lang)
        return formats.render_html(item.easy_template if easy else item.template, full, fmt)


# --- storage ----------------------------------------------------------------------------------


def document_dir() -> Path:
    return Path(current_app.config["DOCUMENT_DIR"])


def path_of(document: Document) -> Path:
    return document_dir() / document.stored_name


def _forget_on_rollback(session: Session) -> list[Path]:
    """Files written in this transaction: removed if it rolls back, kept once it commits."""
    if _PENDING not in session.info:
        session.info[_PENDING] = []

        @event.listens_for(session, "after_commit")
        def _kept(s: Session) -> None:
            s.info[_PENDING].clear()

        @event.listens_for(session, "after_rollback")
        def _discard(s: Session) -> None:
            for path in s.info[_PENDING]:
                path.unlink(missing_ok=True)
            s.info[_PENDING].clear()

    pending: list[Path] = session.info[_PENDING]
    return pending


def _store(session: Session, output: formats.Output) -> tuple[str, int, str]:
    directory = document_dir()
    directory.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + output.extension
    with open(directory / name, "xb") as handle:
        handle.write(output.content)
    _forget_on_rollback(session).append(directory / name)
    return name, len(output.content), hashlib.sha256(output.content).hexdigest()


# --- producing --------------------------------------------------------------------------------


def produce(
    session: Session,
    case: Case,
    letter_id: str,
    context: Mapping[str, Any] | None = None,
    *,
    staff_body: str | None = None,
    actor: Actor = SYSTEM,
    on: date | None = None,
) -> list[Document]:
    """Render the letter in every format and language the person needs (the caller commits).

    `on` is the letter's date (today by default): the date to escalate by counts from it.
    Raises LetterError for an unknown letter or missing context, FormatError for a need
    recorded in a way the portal cannot meet (an unknown paper colour), BrailleUnavailable
    or AudioUnavailable when a needed tool is not installed: nothing is stored then.
    """
    item = letter(letter_id)
    base = _context(case, item, context, staff_body, on or date.today())
    wanted = needed(case)
    outputs: list[formats.Output] = []
    for lang in dict.fromkeys(t.language for t in wanted):
        with force_locale(babel_locale(lang)):
            in_lang = [t for t in wanted if t.language == lang]
            outputs += formats.render(item, in_language(item, base, lang), in_lang)
    group = str(uuid.uuid4())
    created_by = actor.id if actor.kind == "staff" else None
    documents = [_document(session, case, item, group, output, created_by) for output in outputs]
    session.add_all(documents)
    session.flush()
    described = [formats.describe(o.target) for o in outputs]
    with force_locale("en_GB"):  # the chronology is read by staff in English
        title = str(item.title)
    add_event(
        session,
        case,
        actor,
        EVENT,
        f"Letter produced: {title}. Formats: {', '.join(described)}.",
        letter=item.id,
        letter_group=group,
        formats=described,
        documents=[d.id for d in documents],
        audio_seconds=[o.detail["seconds"] for o in outputs if "seconds" in o.detail],
    )
    return documents


def _document(
    session: Session, case: Case, item: Letter, group: str, output: formats.Output, created_by: int | None
) -> Document:
    stored_name, size, sha256 = _store(session, output)
    return Document(
        case_id=case.id,
        letter=item.id,
        letter_group=group,
        format=output.target.format,
        language=output.target.language,
        content_type=output.content_type,
        stored_name=stored_name,
        size=size,
        sha256=sha256,
        created_by=created_by,
    )


# --- checking before sending ------------------------------------------------------------------


def latest(session: Session, case: Case, letter_id: str) -> list[Document]:
    """The files of the most recent production of a letter on the case."""
    newest = session.scalar(
        select(Document.letter_group)
        .where(Document.case_id == case.id, Document.letter == letter_id)
        .order_by(Document.id.desc())
        .limit(1)
    )
    if newest is None:
        return []
    return list(
        session.scalars(select(Document).where(Document.letter_group == newest).order_by(Document.id))
    )


def _file_ok(document: Document) -> bool:
    path = path_of(document)
    return path.is_file() and path.stat().st_size == document.size


def _produced(session: Session, case: Case, group: str) -> set[str]:
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == EVENT)
        .order_by(CaseEvent.id.desc())
    )
    for entry in events:
        if entry.data.get("letter_group") == group:
            return set(entry.data.get("formats") or [])
    return set()


def missing_formats(case: Case, letter_id: str) -> list[str]:
    """Formats the person needs that the latest production of this letter lacks.

    Each is named as in the chronology: "braille", "large_print (32 pt, yellow paper)",
    "pdf (pl)". A format counts only if its file is still there, whole, in the look the
    person needs now (needs changed since production means producing the letter again).
    """
    letter(letter_id)
    session = object_session(case)
    if session is None:
        raise ValueError("The case is not in a database session.")
    files = latest(session, case, letter_id)
    produced = _produced(session, case, files[0].letter_group) if files else set()
    present = {(d.format, d.language) for d in files if _file_ok(d)}
    return [
        formats.describe(t)
        for t in needed(case)
        if (t.format, t.language) not in present or formats.describe(t) not in produced
    ]


def assert_ready_to_send(case: Case, letter_id: str) -> None:
    """Refuse to treat a letter as sent while a format the person needs is missing."""
    missing = missing_formats(case, letter_id)
    if missing:
        with force_locale("en_GB"):
            title = str(letter(letter_id).title)
        raise NotReadyToSend(
            f"“{title}” cannot be sent yet: it has not been produced in {', '.join(missing)}. "
            "Produce the letter again to make the missing formats.",
            missing,
        )


# --- handing out ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LetterFiles:
    """One production of a letter: its files in every format, newest letters first."""

    letter: str
    group: str
    created_at: datetime
    documents: list[Document]

    @property
    def title(self) -> str:
        return str(letter(self.letter).title)


@cache
def _letters_of() -> Select[Document]:
    """Built once: the family's and the staff case pages both list the letters on every view."""
    return select(Document).where(Document.case_id == bindparam("case_id")).order_by(Document.id.desc())


def letters_of(session: Session, case: Case) -> list[LetterFiles]:
    """Every letter produced on the case with its files (for the family's and the staff case pages)."""
    rows = session.scalars(_letters_of(), {"case_id": case.id})
    groups: dict[str, list[Document]] = {}
    for document in rows:
        groups.setdefault(document.letter_group, []).append(document)
    order = {name: i for i, name in enumerate(formats.FORMATS)}

    def listed(docs: list[Document]) -> list[Document]:
        # The person's language first (it is made first), then printed formats before the rest.
        first = min(docs, key=lambda d: d.id).language
        return sorted(docs, key=lambda d: (d.language != first, order.get(d.format, 99), d.language))

    return [
        LetterFiles(docs[0].letter, group, min(d.created_at for d in docs), listed(docs))
        for group, docs in groups.items()
    ]


def document_for_family(session: Session, case: Case, document_id: int) -> Document | None:
    """A document of this case only (any other id is as if it did not exist)."""
    document = session.get(Document, document_id)
    if document is None or document.case_id != case.id or not _file_ok(document):
        return None
    return document
