"""Bulk benchmark data: N cases over ten years with people, clocks, stage records, events and documents.

Rows go straight into the migrated schema in batches (COPY on PostgreSQL, executemany on SQLite).
Each row is copied from a *template* case that the real service (portal.services.cases.record_case)
made for the same kind, so every column the pages read is filled the way the portal fills it; the
dates are then shifted to the generated received date (the stored `basis` of a clock keeps the
template's explanation, which the benchmark does not check). Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import Connection, Engine, Table, func, select, text

from portal.domain.lifecycle import Role
from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.extensions import db
from portal.models import Base, Case
from portal.services.cases import PREFIX, Actor, NewCase, record_case
from portal.services.rules import rules

YEARS = 10
BATCH = 10_000
KINDS = (
    ("complaint", 70),
    ("compliment", 12),
    ("enquiry_general", 10),
    ("enquiry_councillor", 3),
    ("lgo", 5),
)
OUTCOMES = ("upheld", "partially_upheld", "not_upheld", "withdrawn")
AREAS = [a for a in ServiceArea]
BENCH_ACTOR = Actor("system", Role.SYSTEM, name="Benchmark generator")
TEMPLATE_DAY = date(2026, 1, 5)  # a Monday: the day template cases are received
OPEN_DAYS = 60  # cases received in the last 60 days are still open


@dataclass
class Template:
    """One case as record_case wrote it: its rows by table, to be copied with new ids and dates."""

    kind: str
    rows: dict[str, list[dict[str, Any]]]


@dataclass
class Ids:
    """The next id to hand out per table (generated rows carry explicit ids)."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


TABLES = ("person", "case_record", "deadline", "stage_record", "case_event", "document")


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _templates(app: Flask) -> list[Template]:
    """Ask the real service for one case of each kind, read its rows back, then roll it all back."""
    made: list[Template] = []
    with app.app_context():
        session = db.session
        for i, (kind, _weight) in enumerate(KINDS):
            new = NewCase(
                kind,
                ComplainantCategory.PARENT,
                AREAS[i % len(AREAS)],
                "Template summary.",
                TEMPLATE_DAY,
                "Template Person",
                "template@example.com",
                arose_on=TEMPLATE_DAY - timedelta(days=20),
            )
            case = record_case(session, new, BENCH_ACTOR, rules())
            session.flush()
            rows: dict[str, list[dict[str, Any]]] = {}
            for name in TABLES[1:]:
                table = _table(name)
                key = table.c.id if name == "case_record" else table.c.case_id
                rows[name] = [dict(r._mapping) for r in session.execute(select(table).where(key == case.id))]
            person = _table("person")
            found = session.execute(select(person).where(person.c.id == case.complainant_id))
            rows["person"] = [dict(r._mapping) for r in found]
            made.append(Template(kind, rows))
        session.rollback()
    return made


def _shift(row: dict[str, Any], days: timedelta) -> dict[str, Any]:
    out = {}
    for key, value in row.items():
        if isinstance(value, datetime | date) and value is not None:
            value = value + days
        out[key] = value
    return out


@dataclass
class Batch:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t: [] for t in TABLES})

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows[table].append(row)


class Generator:
    def __init__(self, templates: list[Template], seed: int, end: date) -> None:
        self.templates = {t.kind: t for t in templates}
        self.weights = [w for k, w in KINDS if k in self.templates]
        self.kinds = [k for k, _ in KINDS if k in self.templates]
        self.rng = random.Random(seed)
        self.end = end
        self.ids = Ids()
        self.counters: Counter[str] = Counter()

    def received_dates(self, n: int) -> list[date]:
        span = YEARS * 365
        return sorted(self.end - timedelta(days=self.rng.randrange(span)) for _ in range(n))

    def case(self, batch: Batch, received: date) -> None:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        template = self.templates[kind]
        shift = received - TEMPLATE_DAY
        closed = (self.end - received).days > OPEN_DAYS
        person_id = self.ids.take("person")
        case_id = self.ids.take("case_record")
        key = f"{PREFIX.get(kind, 'EN')}-{received.year}"
        self.counters[key] += 1
        person = _shift(template.rows["person"][0], shift)
        person.update(id=person_id, name=f"Person {person_id}", email=f"person{person_id}@example.com")
        batch.add("person", person)
        case = _shift(template.rows["case_record"][0], shift)
        case.update(
            id=case_id,
            reference=f"{key}-{self.counters[key]:06d}",
            complainant_id=person_id,
            service_area=self.rng.choice(AREAS).value,
            summary=f"Benchmark case {case_id}: visits were missed.",
            idempotency_key=None,
            security_code_hash=None,
        )
        if closed:  # its clocks are closed below: nothing is due (portal.models.case.next_due)
            case.update(status="closed", next_due_on=None)
        batch.add("case_record", case)
        responded = received + timedelta(days=self.rng.randrange(5, 40))
        self._children(batch, template, case_id, shift, responded if closed else None)

    def _children(
        self, batch: Batch, template: Template, case_id: int, shift: timedelta, responded: date | None
    ) -> None:
        for row in template.rows["deadline"]:
            d = _shift(row, shift)
            d.update(id=self.ids.take("deadline"), case_id=case_id)
            if responded is not None:
                d.update(is_open=False, met_on=responded)
            batch.add("deadline", d)
        for row in template.rows["stage_record"]:
            s = _shift(row, shift)
            s.update(id=self.ids.take("stage_record"), case_id=case_id)
            if responded is not None:
                s.update(responded_on=responded, outcome=self.rng.choice(OUTCOMES))
            batch.add("stage_record", s)
        for row in template.rows["case_event"]:
            e = _shift(row, shift)
            e.update(id=self.ids.take("case_event"), case_id=case_id)
            batch.add("case_event", e)
        if responded is not None:
            self._closing(batch, template, case_id, responded)

    def _closing(self, batch: Batch, template: Template, case_id: int, responded: date) -> None:
        at = datetime.combine(responded, datetime.min.time()).replace(tzinfo=template_tz(template))
        base = template.rows["case_event"][0]
        for kind, summary in (("responded", "Response sent."), ("closed", "Case closed.")):
            batch.add(
                "case_event",
                {
                    **base,
                    "id": self.ids.take("case_event"),
                    "case_id": case_id,
                    "at": at,
                    "kind": kind,
                    "summary": summary,
                    "data": {},
                },
            )
        doc_id = self.ids.take("document")
        batch.add(
            "document",
            {
                "id": doc_id,
                "case_id": case_id,
                "letter": "stage1_response",
                "letter_group": str(uuid.UUID(int=doc_id)),
                "format": "pdf",
                "language": "en",
                "content_type": "application/pdf",
                "stored_name": f"bench-{doc_id:012d}.pdf",
                "size": 40_000 + doc_id % 5000,
                "sha256": "0" * 64,
                "created_at": at,
                "created_by": None,
            },
        )


def template_tz(template: Template) -> Any:
    return template.rows["case_event"][0]["at"].tzinfo


def _write(conn: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    t = _table(table)
    if conn.dialect.name != "postgresql":
        conn.execute(t.insert(), rows)
        return
    columns = list(rows[0])
    json_cols = {c.name for c in t.columns if c.type.__class__.__name__ == "JSON"}
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c in json_cols else row[c] for c in columns])


def _flush(conn: Connection, batch: Batch) -> None:
    for table in TABLES:  # parents first: foreign keys are checked row by row
        _write(conn, table, batch.rows[table])


def _finish(conn: Connection, counters: Counter[str]) -> None:
    """Reference counters and (PostgreSQL) id sequences follow the generated rows."""
    counter = _table("reference_counter")
    conn.execute(counter.delete())
    conn.execute(counter.insert(), [{"key": k, "value": v} for k, v in counters.items()])
    if conn.dialect.name == "postgresql":
        for table in TABLES:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
        conn.execute(text("ANALYZE"))
    else:
        conn.execute(text("ANALYZE"))


def batches(gen: Generator, n: int) -> Iterator[Batch]:
    batch = Batch()
    for count, received in enumerate(gen.received_dates(n), start=1):
        gen.case(batch, received)
        if count % BATCH == 0:
            yield batch
            batch = Batch()
    yield batch


def generate(app: Flask, engine: Engine, n: int, *, seed: int = 1, end: date | None = None) -> dict[str, Any]:
    """Fill a migrated, empty database with `n` cases; returns row counts and seconds taken."""
    started = time.perf_counter()
    gen = Generator(_templates(app), seed, end or date.today())
    for batch in batches(gen, n):
        with engine.begin() as conn:
            _flush(conn, batch)
    with engine.begin() as conn:
        _finish(conn, gen.counters)
    if engine.dialect.name == "postgresql":
        # As autovacuum would have by now on a live server: the visibility map lets the queue's
        # counts be index-only scans.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    with engine.connect() as conn:
        counts = {t: conn.scalar(select(func.count()).select_from(_table(t))) for t in TABLES}
        cases = conn.scalar(select(func.count()).select_from(Case.__table__))
    return {"cases": cases, "rows": counts, "seconds": round(time.perf_counter() - started, 1)}
