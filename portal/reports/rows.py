"""Read and check an import file: one Row per CSV line, or every problem as "line N: reason".

The columns, in any order, after a header row:
reference,kind,procedure,stage,enquiry_from,received_on,due_on,extended_due_on,responded_on,
outcome,service_area,theme,complainant,advocate (README "Annual report").
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.reports.stages import COMPLAINT_OUTCOMES, LGO_OUTCOMES

COLUMNS = (
    "reference",
    "kind",
    "procedure",
    "stage",
    "enquiry_from",
    "received_on",
    "due_on",
    "extended_due_on",
    "responded_on",
    "outcome",
    "service_area",
    "theme",
    "complainant",
    "advocate",
)
KINDS = ("complaint", "compliment", "enquiry", "lgo_enquiry")
ENQUIRY_FROM = {"general": "enquiry_general", "councillor": "enquiry_councillor", "mp": "enquiry_mp"}
COMPLAINANTS = {
    "young_person": "young_person",
    "parent_carer": "parent",
    "advocate": "advocate",
    "other": "other",
}
ADVOCATES = {"nyas": "NYAS", "voiceability": "VoiceAbility", "other": "other"}
REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.-]{0,19}")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_COLUMNS = ("received_on", "due_on", "extended_due_on", "responded_on")
CASE_FIELDS = ("kind", "procedure", "service_area", "complainant", "advocate")


class ImportFailed(Exception):
    """The file was not imported; `errors` says why, line by line."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass(frozen=True)
class Row:
    """One checked CSV row, in the portal's own terms (case kind, complainant category)."""

    line: int
    reference: str
    kind: str  # Case.kind
    procedure: str  # Case.procedure
    stage: int
    received_on: date
    due_on: date | None
    extended_due_on: date | None
    responded_on: date | None
    outcome: str | None
    service_area: str
    theme: str | None
    complainant: str | None  # Case.complainant_category
    advocate: str | None  # Case.advocate_org


class _Bad(ValueError):
    pass


def _noun(kind: str) -> str:
    """The kind with its article, for messages: a compliment, an enquiry, an Ombudsman enquiry."""
    if kind.startswith("enquiry"):
        return "an enquiry"
    return {"lgo": "an Ombudsman enquiry", "lgo_enquiry": "an Ombudsman enquiry"}.get(kind, f"a {kind}")


def _date(raw: dict[str, str], name: str, required: bool = False) -> date | None:
    value = raw[name]
    if not value:
        if required:
            raise _Bad(f"{name} is missing")
        return None
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise _Bad(f"{name} {value!r} is not a date in the form YYYY-MM-DD") from None


def _choice(raw: dict[str, str], name: str, options: Iterable[str], required: bool) -> str | None:
    value = raw[name]
    if not value:
        if required:
            raise _Bad(f"{name} is missing (one of: {', '.join(options)})")
        return None
    if value not in options:
        raise _Bad(f"{name} {value!r} is not one of: {', '.join(options)}")
    return value


def _blank(raw: dict[str, str], name: str, why: str) -> None:
    if raw[name]:
        raise _Bad(f"{name} must be blank {why}")


def _kind(raw: dict[str, str]) -> tuple[str, str]:
    """(Case.kind, Case.procedure) from kind, enquiry_from and procedure."""
    kind = _choice(raw, "kind", KINDS, required=True)
    if kind == "complaint":
        _blank(raw, "enquiry_from", "for a complaint")
        return "complaint", str(_choice(raw, "procedure", ("statutory", "corporate"), required=True))
    _blank(raw, "procedure", f"for {_noun(str(kind))} (it is only for complaints)")
    if kind == "enquiry":
        case_kind = ENQUIRY_FROM[str(_choice(raw, "enquiry_from", tuple(ENQUIRY_FROM), required=True))]
        return case_kind, case_kind
    _blank(raw, "enquiry_from", f"for {_noun(str(kind))}")
    return ("lgo", "lgo") if kind == "lgo_enquiry" else ("compliment", "compliment")


def _stage(raw: dict[str, str], kind: str) -> int:
    if kind != "complaint":
        if raw["stage"] not in ("", "1"):
            raise _Bad(f"stage must be blank or 1 for {_noun(kind)}")
        return 1
    return int(str(_choice(raw, "stage", ("1", "2", "3"), required=True)))


def _outcome(raw: dict[str, str], kind: str, responded: date | None) -> str | None:
    if kind not in ("complaint", "lgo"):
        _blank(raw, "outcome", f"for {_noun(kind)}")
        return None
    options = COMPLAINT_OUTCOMES if kind == "complaint" else LGO_OUTCOMES
    if responded is None:
        _blank(raw, "outcome", "while the stage is open (responded_on is blank)")
        return None
    return _choice(raw, "outcome", options, required=True)


def _text(raw: dict[str, str], name: str, limit: int, required: bool) -> str | None:
    value = raw[name]
    if required and not value:
        raise _Bad(f"{name} is missing")
    if len(value) > limit:
        raise _Bad(f"{name} is longer than {limit} characters")
    return value or None


def _reference(raw: dict[str, str]) -> str:
    value = raw["reference"]
    if not value:
        raise _Bad("reference is missing")
    if not REFERENCE.fullmatch(value):
        raise _Bad(f"reference {value!r} must be up to 20 letters, digits and - / _ .")
    return value


def _people(raw: dict[str, str], kind: str) -> tuple[str | None, str | None]:
    who = _choice(raw, "complainant", tuple(COMPLAINANTS), required=kind == "complaint")
    advocate = raw["advocate"]
    if advocate and advocate.lower() not in ADVOCATES:
        raise _Bad(f"advocate {advocate!r} is not one of: blank, NYAS, VoiceAbility, other")
    return (COMPLAINANTS[who] if who else None), (ADVOCATES[advocate.lower()] if advocate else None)


def _dates_in_order(row: Row, today: date) -> list[str]:
    problems = []
    if row.received_on > today:
        problems.append(f"received_on {row.received_on} is in the future")
    for name in ("due_on", "extended_due_on", "responded_on"):
        value = getattr(row, name)
        if value is not None and value < row.received_on:
            problems.append(f"{name} {value} is before received_on {row.received_on}")
    if row.responded_on is not None and row.responded_on > today:
        problems.append(f"responded_on {row.responded_on} is in the future")
    if row.due_on and row.extended_due_on and row.extended_due_on <= row.due_on:
        problems.append(f"extended_due_on {row.extended_due_on} is not after due_on {row.due_on}")
    return problems


def _date_of(raw: dict[str, str], name: str) -> Callable[[], date | None]:
    return lambda: _date(raw, name, required=name == "received_on")


def _check(fn: Callable[[], Any], problems: list[str]) -> Any:
    try:
        return fn()
    except _Bad as bad:
        problems.append(str(bad))
        return None


def parse_row(line: int, raw: dict[str, str], today: date) -> tuple[Row | None, list[str]]:
    """One CSV row -> a Row, or the reasons it is wrong (every field is checked)."""
    raw = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    problems: list[str] = []
    reference = _check(lambda: _reference(raw), problems)
    kinds = _check(lambda: _kind(raw), problems)
    kind = kinds[0] if kinds else ""
    stage = _check(lambda: _stage(raw, kind), problems) if kinds else None
    dates: dict[str, date | None] = {n: _check(_date_of(raw, n), problems) for n in DATE_COLUMNS}
    outcome = _check(lambda: _outcome(raw, kind, dates["responded_on"]), problems) if kinds else None
    area = _check(lambda: _text(raw, "service_area", 40, required=True), problems)
    theme = _check(lambda: _text(raw, "theme", 100, required=False), problems)
    people = _check(lambda: _people(raw, kind), problems) if kinds else None
    if problems or not kinds or people is None or stage is None or dates["received_on"] is None:
        return None, problems
    row = Row(
        line,
        reference,
        kinds[0],
        kinds[1],
        stage,
        dates["received_on"],
        dates["due_on"],
        dates["extended_due_on"],
        dates["responded_on"],
        outcome,
        area,
        theme,
        *people,
    )
    return row, _dates_in_order(row, today)


# --- the file ------------------------------------------------------------------------------


def read_rows(data: bytes | str, today: date) -> list[Row]:
    """Every row of the file, checked on its own and against the other rows; ImportFailed if any is bad."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise ImportFailed(["line 1: the file is not UTF-8 text (save it as CSV UTF-8)"]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        reason = "; ".join(
            part
            for part in (
                missing and f"missing column(s): {', '.join(missing)}",
                unknown and f"unknown column(s): {', '.join(unknown)}",
            )
            if part
        )
        raise ImportFailed([f"line 1: {reason}. The header must be: {','.join(COLUMNS)}"])
    reader.fieldnames = header
    rows, errors = [], []
    for raw in reader:
        if not any((v or "").strip() for v in raw.values() if isinstance(v, str)):
            continue  # a blank line
        if None in raw:
            errors.append(f"line {reader.line_num}: more values than columns")
            continue
        row, problems = parse_row(reader.line_num, raw, today)
        errors.extend(f"line {reader.line_num}: {p}" for p in problems)
        if row is not None and not problems:
            rows.append(row)
    errors.extend(_across_rows(rows))
    if errors:
        raise ImportFailed(sorted(errors, key=line_number))
    if not rows:
        raise ImportFailed(["line 2: the file has no rows to import"])
    return rows


def line_number(error: str) -> int:
    return int(error.split(":", 1)[0].removeprefix("line "))


def _across_rows(rows: list[Row]) -> list[str]:
    """Rows of one reference describe one case: same kind and people, each stage once, in order."""
    errors: list[str] = []
    first: dict[str, Row] = {}
    seen: dict[tuple[str, int], Row] = {}
    for row in rows:
        key = (row.reference, row.stage)
        if key in seen:
            where = f"line {row.line}: {row.reference} stage {row.stage}"
            errors.append(f"{where} is also on line {seen[key].line}")
            continue
        seen[key] = row
        other = first.setdefault(row.reference, row)
        for name in CASE_FIELDS:
            if getattr(row, name) != getattr(other, name):
                errors.append(
                    f"line {row.line}: {name} {getattr(row, name)!r} differs from line {other.line} "
                    f"({getattr(other, name)!r}) for {row.reference}"
                )
    for (reference, stage), row in seen.items():
        before = seen.get((reference, stage - 1))
        if before is not None and row.received_on < before.received_on:
            errors.append(f"line {row.line}: stage {stage} of {reference} is dated before stage {stage - 1}")
    return errors
