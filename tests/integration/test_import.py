"""`flask import-cases FILE.csv`: bad values in every column, all or nothing, re-imports change nothing."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from portal.domain.lifecycle import Role
from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.extensions import db
from portal.models import Case, CaseEvent, ReferenceCounter, StageRecord
from portal.reports.importer import ImportFailed, default_due, import_csv
from portal.reports.rows import COLUMNS
from portal.services.cases import Actor, NewCase, next_reference, record_case
from portal.services.rules import rules

TODAY = date(2024, 6, 1)
GOOD = {
    "reference": "H22-0001",
    "kind": "complaint",
    "procedure": "statutory",
    "stage": "1",
    "enquiry_from": "",
    "received_on": "2022-05-03",
    "due_on": "",
    "extended_due_on": "",
    "responded_on": "2022-05-13",
    "outcome": "upheld",
    "service_area": "children_in_care",
    "theme": "Communication",
    "complainant": "young_person",
    "advocate": "NYAS",
}


def row(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


def to_csv(*rows: dict[str, str], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def run_import(app: Flask, text: str) -> tuple[int, int, int]:
    with app.app_context(), db.transaction() as session:
        result = import_csv(session, text, rules(), TODAY)
    return result.stages_added, result.cases_added, result.unchanged


def errors_of(app: Flask, text: str) -> list[str]:
    with app.app_context(), pytest.raises(ImportFailed) as failed, db.transaction() as session:
        import_csv(session, text, rules(), TODAY)
    return failed.value.errors


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        s = db.session
        return (
            s.scalar(select(func.count()).select_from(Case)) or 0,
            s.scalar(select(func.count()).select_from(StageRecord)) or 0,
            s.scalar(select(func.count()).select_from(CaseEvent)) or 0,
        )


# --- every column's bad values ----------------------------------------------------------------

BAD = [
    ({"reference": ""}, "reference is missing"),
    ({"reference": "H22 0001"}, "reference 'H22 0001' must be up to 20 letters"),
    ({"reference": "X" * 21}, "must be up to 20 letters"),
    ({"kind": ""}, "kind is missing"),
    ({"kind": "complaints"}, "kind 'complaints' is not one of: complaint, compliment, enquiry, lgo_enquiry"),
    ({"procedure": ""}, "procedure is missing"),
    ({"procedure": "social_care"}, "procedure 'social_care' is not one of: statutory, corporate"),
    ({"kind": "compliment", "procedure": "statutory", "stage": "", "outcome": ""}, "procedure must be blank"),
    ({"stage": ""}, "stage is missing"),
    ({"stage": "4"}, "stage '4' is not one of: 1, 2, 3"),
    ({"stage": "one"}, "stage 'one' is not one of"),
    (
        {"kind": "lgo_enquiry", "procedure": "", "stage": "2"},
        "stage must be blank or 1 for an Ombudsman enquiry",
    ),
    ({"enquiry_from": "mp"}, "enquiry_from must be blank for a complaint"),
    ({"kind": "enquiry", "procedure": "", "stage": "", "outcome": ""}, "enquiry_from is missing"),
    ({"kind": "enquiry", "procedure": "", "enquiry_from": "mayor", "outcome": ""}, "enquiry_from 'mayor'"),
    ({"received_on": ""}, "received_on is missing"),
    ({"received_on": "03/05/2022"}, "received_on '03/05/2022' is not a date in the form YYYY-MM-DD"),
    ({"received_on": "2022-02-30"}, "received_on '2022-02-30' is not a date"),
    (
        {"received_on": "2024-06-02", "responded_on": "", "outcome": ""},
        "received_on 2024-06-02 is in the future",
    ),
    ({"due_on": "2022-5-20"}, "due_on '2022-5-20' is not a date"),
    ({"due_on": "2022-05-02"}, "due_on 2022-05-02 is before received_on 2022-05-03"),
    ({"extended_due_on": "next week"}, "extended_due_on 'next week' is not a date"),
    (
        {"due_on": "2022-05-17", "extended_due_on": "2022-05-17"},
        "extended_due_on 2022-05-17 is not after due_on",
    ),
    ({"responded_on": "2022-13-01"}, "responded_on '2022-13-01' is not a date"),
    ({"responded_on": "2022-05-01"}, "responded_on 2022-05-01 is before received_on"),
    ({"responded_on": "2024-07-01"}, "responded_on 2024-07-01 is in the future"),
    ({"outcome": ""}, "outcome is missing"),
    ({"responded_on": ""}, "outcome must be blank while the stage is open"),
    ({"outcome": "outside_remit"}, "outcome 'outside_remit' is not one of: upheld, partially_upheld"),
    ({"outcome": "partly"}, "outcome 'partly' is not one of"),
    ({"kind": "compliment", "procedure": "", "stage": ""}, "outcome must be blank for a compliment"),
    ({"service_area": ""}, "service_area is missing"),
    ({"service_area": "s" * 41}, "service_area is longer than 40 characters"),
    ({"theme": "t" * 101}, "theme is longer than 100 characters"),
    ({"complainant": ""}, "complainant is missing (one of: young_person, parent_carer, advocate, other)"),
    ({"complainant": "grandparent"}, "complainant 'grandparent' is not one of"),
    ({"advocate": "Barnardos"}, "advocate 'Barnardos' is not one of: blank, NYAS, VoiceAbility, other"),
]


@pytest.mark.parametrize(
    ("changes", "message"), BAD, ids=[f"{next(iter(c))}-{i}" for i, (c, _) in enumerate(BAD)]
)
def test_every_column_rejects_bad_values_with_line_and_reason(
    app: Flask, changes: dict[str, str], message: str
) -> None:
    text = to_csv(row(reference="H22-0000"), row(**changes))
    errors = errors_of(app, text)
    assert any(e.startswith("line 3: ") and message in e for e in errors), errors
    assert counts(app) == (0, 0, 0)


def test_the_header_must_have_every_column_and_no_others(app: Flask) -> None:
    missing = errors_of(app, to_csv(row(), columns=tuple(c for c in COLUMNS if c != "theme")))
    assert missing == [f"line 1: missing column(s): theme. The header must be: {','.join(COLUMNS)}"]
    extra = to_csv(row()).replace("advocate\n", "advocate,notes\n", 1)
    assert "unknown column(s): notes" in errors_of(app, extra)[0]


def test_the_columns_may_come_in_any_order_and_with_a_byte_order_mark(app: Flask) -> None:
    text = "\ufeff" + to_csv(row(), columns=tuple(reversed(COLUMNS)))
    assert run_import(app, text) == (1, 1, 0)


def test_an_empty_file_and_a_file_that_is_not_utf8_are_refused(app: Flask) -> None:
    assert errors_of(app, to_csv()) == ["line 2: the file has no rows to import"]
    with app.app_context(), pytest.raises(ImportFailed) as failed, db.transaction() as session:
        import_csv(session, "reference\n\xe9".encode("latin-1"), rules(), TODAY)
    assert "not UTF-8" in failed.value.errors[0]


def test_rows_of_one_reference_must_agree_and_reach_each_stage_in_order(app: Flask) -> None:
    text = to_csv(
        row(reference="A-1"),
        row(reference="A-1", stage="2", received_on="2022-05-01"),  # before stage 1
        row(reference="A-1", stage="2"),  # stage 2 twice
        row(reference="C-1"),
        row(
            reference="C-1",
            stage="2",
            procedure="corporate",
            received_on="2022-06-01",
            responded_on="2022-07-01",
        ),
    )
    errors = errors_of(app, text)
    assert "line 3: stage 2 of A-1 is dated before stage 1" in errors
    assert "line 4: A-1 stage 2 is also on line 3" in errors
    assert any(e.startswith("line 6: procedure 'corporate' differs from line 5") for e in errors), errors
    assert [int(e.split(":")[0][5:]) for e in errors] == sorted(int(e.split(":")[0][5:]) for e in errors)
    # Checked against the database once the file itself is right: a stage needs the one before it.
    no_stage_2 = row(reference="B-1", stage="3", received_on="2022-07-01", responded_on="2022-08-01")
    assert errors_of(app, to_csv(row(reference="B-1"), no_stage_2)) == [
        "line 3: B-1 has stage 3 but no stage 2"
    ]


# --- all or nothing, idempotent -----------------------------------------------------------------


def test_one_bad_row_means_nothing_is_imported(app: Flask) -> None:
    text = to_csv(
        row(reference="A-1"),
        row(reference="A-2"),
        row(reference="A-3", outcome="maybe"),
        row(reference="A-4"),
    )
    assert errors_of(app, text) == [
        "line 4: outcome 'maybe' is not one of: upheld, partially_upheld, not_upheld, withdrawn"
    ]
    assert counts(app) == (0, 0, 0)


def test_a_re_import_of_the_same_references_changes_nothing(app: Flask) -> None:
    text = to_csv(
        row(reference="A-1"),
        row(
            reference="A-1",
            stage="2",
            received_on="2022-05-20",
            responded_on="2022-06-10",
            outcome="not_upheld",
        ),
        row(
            reference="A-2", kind="compliment", procedure="", stage="", outcome="", complainant="parent_carer"
        ),
    )
    assert run_import(app, text) == (3, 2, 0)
    before = counts(app)
    assert run_import(app, text) == (0, 0, 3)
    # Same references with other values are left as first imported, too.
    assert run_import(app, text.replace("Communication", "Plans")) == (0, 0, 3)
    assert counts(app) == before
    with app.app_context():
        assert set(db.session.scalars(select(StageRecord.theme))) == {"Communication"}


def test_a_later_file_can_add_the_next_stage_of_an_imported_case(app: Flask) -> None:
    run_import(app, to_csv(row(reference="A-1", responded_on="", outcome="")))
    later = to_csv(
        row(reference="A-1", responded_on="", outcome=""),
        row(reference="A-1", stage="2", received_on="2022-06-01", responded_on="", outcome=""),
    )
    assert run_import(app, later) == (1, 0, 1)
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == "A-1"))
        assert case is not None and (case.stage, case.status) == (2, "in_progress")


def test_a_reference_already_used_by_a_live_case_is_refused(app: Flask) -> None:
    with app.app_context(), db.transaction() as session:
        new = NewCase(
            "complaint",
            ComplainantCategory.PARENT,
            ServiceArea.FOSTERING,
            "Late allowance.",
            date(2024, 5, 1),
            "Fran Foster",
        )
        reference = record_case(session, new, Actor("system", Role.SYSTEM), rules()).reference
    errors = errors_of(app, to_csv(row(reference=reference)))
    assert errors == [f"line 2: {reference} is a case recorded in the portal, not imported"]


# --- what an imported case looks like -----------------------------------------------------------


def test_imported_rows_become_cases_with_stage_records(app: Flask) -> None:
    text = to_csv(
        row(reference="C-1", complainant="parent_carer", advocate="", theme=""),
        row(
            reference="C-1",
            stage="2",
            received_on="2022-05-20",
            responded_on="",
            outcome="",
            extended_due_on="2022-09-30",
            complainant="parent_carer",
            advocate="",
            theme="",
        ),
        row(
            reference="E-1",
            kind="enquiry",
            enquiry_from="mp",
            procedure="",
            stage="",
            outcome="",
            complainant="",
            advocate="",
            service_area="send",
        ),
        row(
            reference="L-1",
            kind="lgo_enquiry",
            procedure="",
            stage="1",
            outcome="outside_remit",
            complainant="other",
            advocate="voiceability",
        ),
    )
    assert run_import(app, text) == (4, 3, 0)
    with app.app_context():
        s = db.session
        cases = {c.reference: c for c in s.scalars(select(Case))}
        c1, e1, l1 = cases["C-1"], cases["E-1"], cases["L-1"]
        assert (c1.kind, c1.procedure, c1.stage, c1.status) == ("complaint", "statutory", 2, "in_progress")
        assert (c1.complainant_category, c1.advocate_org, c1.received_on) == (
            "parent",
            None,
            date(2022, 5, 3),
        )
        assert (e1.kind, e1.procedure, e1.status, e1.service_area) == (
            "enquiry_mp",
            "enquiry_mp",
            "closed",
            "send",
        )
        assert (l1.kind, l1.procedure, l1.advocate_org, l1.complainant_category) == (
            "lgo",
            "lgo",
            "VoiceAbility",
            "other",
        )
        stages = {(r.case_id, r.stage): r for r in s.scalars(select(StageRecord))}
        first, second = stages[c1.id, 1], stages[c1.id, 2]
        assert all(r.imported for r in stages.values())
        # A blank due date is what the procedure engine computes: 10 working days for statutory stage 1.
        assert first.due_on == default_due(rules(), "statutory", 1, date(2022, 5, 3)) == date(2022, 5, 17)
        assert (first.theme, first.outcome, first.responded_on) == (None, "upheld", date(2022, 5, 13))
        # 25 working days, skipping the Platinum Jubilee bank holidays (2 and 3 June 2022).
        assert (second.due_on, second.extended_due_on) == (date(2022, 6, 28), date(2022, 9, 30))
        assert stages[l1.id, 1].due_on is None  # the Ombudsman sets the date
        events = list(s.scalars(select(CaseEvent).where(CaseEvent.case_id == c1.id)))
        assert [e.kind for e in events] == ["imported"] and events[0].data["lines"] == [2, 3]


def test_live_style_references_move_the_counter_on(app: Flask) -> None:
    run_import(app, to_csv(row(reference="CC-2022-000041")))
    with app.app_context(), db.transaction() as session:
        assert session.get(ReferenceCounter, "CC-2022") is not None
        assert next_reference(session, "complaint", 2022) == "CC-2022-000042"


# --- the command --------------------------------------------------------------------------------


def test_the_command_imports_a_file_and_reports_bad_lines(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(to_csv(row(reference="A-1"), row(reference="A-2", kind="complain")))
    result = runner.invoke(args=["import-cases", str(bad)])
    assert result.exit_code == 1
    assert "line 3: kind 'complain' is not one of" in result.output
    assert "Nothing was imported: 1 problem(s) in bad.csv." in result.output
    good = tmp_path / "good.csv"
    good.write_text(to_csv(row(reference="A-1"), row(reference="A-2")))
    first = runner.invoke(args=["import-cases", str(good)])
    assert first.exit_code == 0, first.output
    assert "Imported 2 record(s), 2 new case(s); 0 row(s) were already imported" in first.output
    again = runner.invoke(args=["import-cases", str(good)])
    assert "Imported 0 record(s), 0 new case(s); 2 row(s) were already imported" in again.output
    assert counts(app)[:2] == (2, 2)
