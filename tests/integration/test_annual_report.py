"""The annual report: counting at year boundaries, late versus extended, the live workflow's stage records,
the seed report's "At a Glance" reproduced from the demo data, and the page, CSV and tagged PDF."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
import shutil
import subprocess
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import pyotp
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import delete, event, func, select

from portal.config import ROOT
from portal.domain.lifecycle import Action, Role
from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.extensions import db
from portal.models import Case, Deadline, StageRecord
from portal.reports.annual import annual_figures
from portal.reports.figures import financial_year
from portal.reports.importer import import_csv
from portal.reports.stages import OutcomeError, record_outcome
from portal.services.cases import Actor, NewCase, extend_deadline, record_case, transition
from portal.services.rules import rules
from portal.services.staff import create_staff
from tests.conftest import require
from tests.helpers import check_page, nonce_of
from tests.integration.test_import import row, to_csv
from tests.journey import csrf, post

PASSWORD = "correct horse battery staple"  # noqa: S105 - test credential
SEED_2022 = {
    "compliments": 206,
    "enquiries": {"general": 16, "councillor": 15, "mp": 112},
    "statutory": {"stage1": 52, "stage2": 7, "stage3": 3},
    "corporate": {"stage1": 339, "stage2": 38, "stage3": 17},
    "lgo_enquiries": 29,
}
SEED_2021 = {
    "compliments": 204,
    "enquiries": {"general": 30, "councillor": 7, "mp": 68},
    "statutory": {"stage1": 74, "stage2": 15, "stage3": 5},
    "corporate": {"stage1": 319, "stage2": 25, "stage3": 7},
    "lgo_enquiries": 20,
}
OFFICER = Actor("staff", Role.OFFICER, name="Officer")
MANAGER = Actor("staff", Role.MANAGER, name="Manager")
COMPLAINANT = Actor("complainant", Role.COMPLAINANT, name="Complainant")


def report_json(runner: FlaskCliRunner, year: int) -> dict[str, Any]:
    result = runner.invoke(args=["annual-report", "--year", str(year), "--json"])
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.output)
    return out


def load(app: Flask, *rows: dict[str, str]) -> None:
    with app.app_context(), db.transaction() as session:
        import_csv(session, to_csv(*rows), rules(), date(2024, 6, 1))


def sign_in(app: Flask, client: FlaskClient, role: str) -> None:
    """A staff account with this role, signed in with TOTP set up from the key on the page."""
    email = f"{role}@example.gov.uk"
    with app.app_context(), db.transaction() as session:
        create_staff(session, email, role.replace("_", " ").title(), role, PASSWORD)
    assert (
        post(client, "/staff/sign-in", {"email": email, "password": PASSWORD}).location == "/staff/mfa/set-up"
    )
    soup = BeautifulSoup(client.get("/staff/mfa/set-up").get_data(as_text=True), "html.parser")
    secret = soup.select_one("#totp-secret").get_text().replace(" ", "")
    response = post(client, "/staff/mfa/set-up", {"code": pyotp.TOTP(secret).now()})
    assert response.location == "/staff/mfa/recovery-codes"
    token = csrf(client.get("/staff/mfa/recovery-codes").get_data(as_text=True))
    assert client.post("/staff/mfa/recovery-codes", data={"csrf_token": token}).location.startswith("/staff/")


def page(client: FlaskClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code} {response.location}"
    return check_page(response.get_data(as_text=True), nonce_of(response))


def table_rows(soup: BeautifulSoup, table_id: str) -> dict[str, list[str]]:
    table = soup.select_one(f"#{table_id}")
    assert table is not None, table_id
    return {
        tr.select_one("th").get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in table.select("tbody tr")
    }


# --- the seed report, from the generated demo data -------------------------------------------------


def test_seed_demo_then_the_command_reproduces_the_seed_reports_at_a_glance(
    app: Flask, runner: FlaskCliRunner
) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    out = report_json(runner, 2022)
    assert out["year"] == "2022-23"
    assert out["at_a_glance"] == SEED_2022
    assert out["previous_year"] == SEED_2021
    # The other 2022-23 figures the seed report gives.
    assert out["timeliness"] == {"responded": 459, "extended": 176, "late": 166}
    assert out["outcomes"] == {"upheld": 115, "partially_upheld": 193, "not_upheld": 141, "withdrawn": 10}
    assert (out["young_people"], out["advocate_assisted"], out["reopened"]) == (42, 37, 39)
    decisions = {k: v for k, v in out["lgo_decisions"].items() if v}
    assert decisions == {"upheld": 5, "partially_upheld": 3, "not_upheld": 1, "outside_remit": 14}
    assert out["compliments_by_service_area"]["send"] == 98
    assert report_json(runner, 2021)["at_a_glance"] == SEED_2021
    # Running the seed again imports nothing twice.
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(StageRecord))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StageRecord)) == before
    assert report_json(runner, 2022) == out
    text = runner.invoke(args=["annual-report", "--year", "2022"]).output
    assert re.search(r"Compliments\s+206 \(204\)", text) and re.search(r"MP enquiries\s+112 \(68\)", text)


# --- counting rules -----------------------------------------------------------------------------


def test_records_count_in_the_year_they_were_received_31_march_and_1_april(
    app: Flask, runner: FlaskCliRunner
) -> None:
    load(
        app,
        row(reference="A", received_on="2022-03-31", responded_on="2022-04-01"),
        row(reference="B", received_on="2022-04-01", responded_on="2023-03-31", procedure="corporate"),
        row(reference="C", received_on="2023-03-31", responded_on="2023-04-03", advocate=""),
        row(reference="D", received_on="2023-04-01", responded_on="", outcome=""),
        row(
            reference="E",
            kind="compliment",
            procedure="",
            stage="",
            outcome="",
            received_on="2023-03-31",
            responded_on="",
        ),
        row(
            reference="F",
            kind="lgo_enquiry",
            procedure="",
            stage="",
            received_on="2022-04-01",
            responded_on="2023-04-01",
            outcome="upheld",
        ),
    )
    y2022, y2021 = report_json(runner, 2022), report_json(runner, 2021)
    assert y2022["at_a_glance"]["statutory"]["stage1"] == 1  # C (31 March 2023); D is 2023-24
    assert y2022["at_a_glance"]["corporate"]["stage1"] == 1  # B (1 April 2022)
    assert y2022["previous_year"]["statutory"]["stage1"] == 1  # A (31 March 2022)
    assert y2021["at_a_glance"]["statutory"]["stage1"] == 1
    assert (y2022["at_a_glance"]["compliments"], y2022["at_a_glance"]["lgo_enquiries"]) == (1, 1)
    # Responded on 1 April 2022 (A) and 31 March 2023 (B) count in 2022-23; C on 3 April 2023 does not.
    assert y2022["timeliness"]["responded"] == 2 and y2021["timeliness"]["responded"] == 0
    assert sum(y2022["lgo_decisions"].values()) == 0  # F was decided on 1 April 2023
    assert sum(report_json(runner, 2023)["lgo_decisions"].values()) == 1
    # Young people: received in the year; A was received in 2021-22.
    assert (y2022["young_people"], y2022["advocate_assisted"]) == (2, 1)  # B with NYAS; C with no advocate
    assert (y2021["young_people"], y2021["advocate_assisted"]) == (1, 1)  # A, with NYAS


def test_late_means_after_the_due_date_or_after_the_extended_date_where_extended(
    app: Flask, runner: FlaskCliRunner
) -> None:
    due = {"received_on": "2022-05-03", "due_on": "2022-05-17"}
    load(
        app,
        row(reference="on-the-day", responded_on="2022-05-17", **due),
        row(reference="a-day-late", responded_on="2022-05-18", outcome="not_upheld", **due),
        row(reference="extended-in-time", extended_due_on="2022-06-01", responded_on="2022-05-30", **due),
        row(reference="extended-on-day", extended_due_on="2022-06-01", responded_on="2022-06-01", **due),
        row(
            reference="extended-late",
            extended_due_on="2022-06-01",
            responded_on="2022-06-02",
            outcome="partially_upheld",
            **due,
        ),
        row(reference="still-open", extended_due_on="2022-06-01", responded_on="", outcome="", **due),
    )
    out = report_json(runner, 2022)
    assert out["timeliness"] == {"responded": 5, "extended": 3, "late": 2}
    assert out["outcomes"] == {"upheld": 3, "partially_upheld": 1, "not_upheld": 1, "withdrawn": 0}


def test_the_report_is_a_handful_of_grouped_queries_whatever_the_number_of_cases(app: Flask) -> None:
    def statements(rows: int) -> list[str]:
        load(app, *(row(reference=f"Q{rows}-{i}") for i in range(rows)))
        seen: list[str] = []
        with app.app_context():
            engine = db.engine

            def note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
                seen.append(statement)

            event.listen(engine, "before_cursor_execute", note)
            try:
                annual_figures(db.session, 2022)
            finally:
                event.remove(engine, "before_cursor_execute", note)
        return [s for s in seen if s.lstrip().upper().startswith("SELECT")]

    few, many = statements(3), statements(60)
    assert len(few) == len(many) <= 6
    assert all("GROUP BY" in s.upper() or "LIMIT" in s.upper() for s in many)


# --- the live workflow feeds the same table -------------------------------------------------------


def _complaint(session: Any, area: ServiceArea, received: date, name: str = "Jo Parent") -> Case:
    new = NewCase("complaint", ComplainantCategory.PARENT, area, "Nobody visited.", received, name)
    return record_case(session, new, OFFICER, rules())


def _records(session: Any, case: Case) -> dict[int, StageRecord]:
    session.flush()
    return {r.stage: r for r in session.scalars(select(StageRecord).where(StageRecord.case_id == case.id))}


def _due(case: Case, event_name: str) -> Deadline:
    return next(d for d in case.deadlines if d.event == event_name)


def test_the_live_workflow_keeps_the_stage_records(app: Flask) -> None:
    received = date(2026, 10, 5)
    with app.app_context(), db.transaction() as session:
        case = _complaint(session, ServiceArea.CHILDREN_IN_CARE, received)
        first = _records(session, case)[1]
        assert (first.received_on, first.due_on, first.imported) == (
            received,
            _due(case, "stage1_response").due_on,
            False,
        )
        transition(session, case, Action.ACKNOWLEDGE, OFFICER, date(2026, 10, 6), rules())
        extend_deadline(
            session, case, "stage1_response", 20, "Records to check.", OFFICER, date(2026, 10, 8), rules()
        )
        assert first.extended_due_on == _due(case, "stage1_response").extended_due_on is not None
        transition(session, case, Action.RESPOND, OFFICER, date(2026, 10, 20), rules())
        record_outcome(session, case, 1, "partially_upheld")
        assert (first.responded_on, first.outcome) == (date(2026, 10, 20), "partially_upheld")
        transition(session, case, Action.REQUEST_ESCALATION, COMPLAINANT, date(2026, 10, 26), rules())
        transition(session, case, Action.ACCEPT_ESCALATION, MANAGER, date(2026, 10, 27), rules())
        second = _records(session, case)[2]
        assert (second.received_on, second.due_on) == (
            date(2026, 10, 27),
            _due(case, "stage2_response").due_on,
        )
        transition(session, case, Action.WITHDRAW, COMPLAINANT, date(2026, 11, 2), rules())
        assert (second.responded_on, second.outcome) == (date(2026, 11, 2), "withdrawn")
        assert first.outcome == "partially_upheld"  # the stage already answered keeps its outcome
        with pytest.raises(OutcomeError, match="must be one of"):
            record_outcome(session, case, 1, "outside_remit")


def test_a_corporate_stage_is_due_once_acknowledged_and_a_reopen_is_counted(app: Flask) -> None:
    with app.app_context(), db.transaction() as session:
        case = _complaint(session, ServiceArea.EDUCATION, date(2026, 10, 5))
        record = _records(session, case)[1]
        assert case.procedure == "corporate" and record.due_on is None  # Code 6.3: runs from acknowledgement
        transition(session, case, Action.ACKNOWLEDGE, OFFICER, date(2026, 10, 7), rules())
        assert record.due_on == _due(case, "stage1_response").due_on is not None
        transition(session, case, Action.RESPOND, OFFICER, date(2026, 10, 14), rules())
        transition(session, case, Action.CLOSE, OFFICER, date(2026, 10, 15), rules())
        transition(session, case, Action.REOPEN, MANAGER, date(2026, 10, 16), rules())
    with app.app_context():
        from portal.services import staff_auth
        from portal.staff.views import LONDON

        year = financial_year(staff_auth.clock().astimezone(LONDON).date())
        assert annual_figures(db.session, year).current.reopened == 1


def test_stage_records_follow_a_corrected_case(app: Flask) -> None:
    """The case fields the report groups by are copied onto its stage records and kept in step."""
    with app.app_context(), db.transaction() as session:
        case = _complaint(session, ServiceArea.EDUCATION, date(2026, 10, 5))
        record = _records(session, case)[1]
        assert (record.kind, record.procedure, record.service_area) == ("complaint", "corporate", "education")
        assert (record.young_person, record.with_advocate) == (False, False)
    with app.app_context(), db.transaction() as session:
        case = session.get(Case, case.id)
        assert case is not None
        case.procedure, case.service_area = "statutory", "children_in_care"
        case.complainant_category, case.advocate_org = "young_person", "NYAS"
    with app.app_context():
        row_ = db.session.execute(
            select(
                StageRecord.procedure,
                StageRecord.service_area,
                StageRecord.young_person,
                StageRecord.with_advocate,
            )
        ).one()
        assert tuple(row_) == ("statutory", "children_in_care", True, True)


def test_the_migration_backfills_what_the_live_hooks_record(app: Flask) -> None:
    """Cases made before stage records existed get the same records from their stored clocks."""
    with app.app_context(), db.transaction() as session:
        case = _complaint(session, ServiceArea.FOSTERING, date(2026, 9, 1))
        transition(session, case, Action.ACKNOWLEDGE, OFFICER, date(2026, 9, 2), rules())
        extend_deadline(session, case, "stage1_response", 15, "Leave.", OFFICER, date(2026, 9, 3), rules())
        transition(session, case, Action.RESPOND, OFFICER, date(2026, 9, 10), rules())
        transition(session, case, Action.REQUEST_ESCALATION, COMPLAINANT, date(2026, 9, 14), rules())
        transition(session, case, Action.ACCEPT_ESCALATION, MANAGER, date(2026, 9, 14), rules())
        corporate = _complaint(session, ServiceArea.SEND, date(2026, 9, 7), "Sam Parent")
        transition(session, corporate, Action.ACKNOWLEDGE, OFFICER, date(2026, 9, 8), rules())
    columns = (
        "case_id",
        "stage",
        "received_on",
        "due_on",
        "extended_due_on",
        "responded_on",
        "outcome",
        "kind",
        "procedure",
        "service_area",
        "young_person",
        "with_advocate",
    )

    def snapshot() -> list[tuple[Any, ...]]:
        with app.app_context():
            rows = db.session.scalars(select(StageRecord).order_by(StageRecord.case_id, StageRecord.stage))
            return [tuple(getattr(r, c) for c in columns) for r in rows]

    hooked = snapshot()
    assert len(hooked) == 3
    spec = importlib.util.spec_from_file_location(
        "migration_0007", ROOT / "portal" / "migrations" / "versions" / "0007_stage_records.py"
    )
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    with app.app_context(), db.engine.begin() as connection:
        connection.execute(delete(StageRecord))
        with Operations.context(MigrationContext.configure(connection)):
            migration._backfill()
    assert snapshot() == hooked


# --- the page, the CSV and the PDF -----------------------------------------------------------------


@pytest.fixture
def demo(app: Flask, runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0


def test_the_report_page_shows_every_section_with_chart_summary_and_table(
    app: Flask, client: FlaskClient, demo: None
) -> None:
    sign_in(app, client, "manager")
    soup = page(client, "/staff/reports/annual?year=2022")
    assert soup.h1.get_text(strip=True) == "Children's complaints and compliments: annual report 2022-23"
    glance = table_rows(soup, "at-a-glance-table")
    assert glance["Compliments"] == ["206", "204"]
    assert glance["MP enquiries"] == ["112", "68"]
    assert glance["Statutory complaints, stage 3"] == ["3", "5"]
    assert glance["Corporate complaints, stage 1"] == ["339", "319"]
    assert glance["Ombudsman enquiries"] == ["29", "20"]
    charts = soup.select("svg[role=img]")
    assert len(charts) >= 10
    for chart in charts:
        title = soup.find(id=chart["aria-labelledby"])
        summary = soup.find(id=chart["aria-describedby"])
        assert title is not None and title.name == "title" and title.get_text(strip=True)
        assert summary is not None and summary.name == "p" and summary.get_text(strip=True)
        assert summary.find_next("table") is not None  # its data table follows
    text = soup.get_text(" ", strip=True)
    assert "176 were extended and 166 (36%) were responded to outside the timescale" in text
    assert "Statutory complaints, stage 3" in text and "fewer than 5" not in text
    headings = [h.get_text(strip=True) for h in soup.select("h2")]
    for heading in (
        "At a glance",
        "Feedback by quarter",
        "Complaints by service area",
        "Outcomes",
        "Timeliness",
        "SEND and EHCP complaints",
        "Local Government and Social Care Ombudsman",
        "Recommendations and actions",
        "Compliments",
    ):
        assert heading in headings
    links = {a.get_text(strip=True): a["href"] for a in soup.select("main a[href*='/reports/annual.']")}
    assert links["PDF for committee (staff version)"] == "/staff/reports/annual.pdf?year=2022&version=staff"
    assert links["CSV spreadsheet (staff version)"] == "/staff/reports/annual.csv?year=2022&version=staff"


def test_the_public_version_suppresses_small_numbers_and_free_text(app: Flask, client: FlaskClient) -> None:
    with app.app_context(), db.transaction() as session:
        for i, share in enumerate((True, False)):
            new = NewCase(
                "compliment",
                ComplainantCategory.PARENT,
                ServiceArea.FOSTERING,
                f"Thank you to Sam's foster team {i}",
                date(2022, 5, 10 + i),
                "Kim Parent",
            )
            record_case(session, new, OFFICER, rules()).share_permission = share
        for i in range(3):
            _complaint(session, ServiceArea.FOSTERING, date(2022, 6, 1 + i))
    sign_in(app, client, "reporting")
    staff = page(client, "/staff/reports/annual?year=2022")
    assert [q.get_text(strip=True) for q in staff.select("blockquote")] == [
        "Thank you to Sam's foster team 0"
    ]
    assert table_rows(staff, "at-a-glance-table")["Statutory complaints, stage 1"] == ["3", "0"]
    public = page(client, "/staff/reports/annual?year=2022&version=public")
    assert not public.select("blockquote") and "foster team" not in public.get_text()
    assert table_rows(public, "at-a-glance-table")["Statutory complaints, stage 1"] == ["fewer than 5", "0"]
    assert table_rows(public, "at-a-glance-table")["Compliments"] == ["fewer than 5", "0"]
    assert "2022-23: fewer than 5" in str(public.select_one("#chart-at-a-glance-title").parent)


def test_only_managers_reporting_staff_and_administrators_see_the_report(
    app: Flask, client: FlaskClient
) -> None:
    assert client.get("/staff/reports/annual").location.startswith("/staff/sign-in")
    for role, status in (("officer", 403), ("admin", 200)):
        other = app.test_client()
        sign_in(app, other, role)
        for url in (
            "/staff/reports/annual?year=2022",
            "/staff/reports/annual.csv",
            "/staff/reports/annual.pdf",
        ):
            assert other.get(url).status_code == status, (role, url)
    admin = app.test_client()
    sign_in(app, admin, "responding_manager")
    assert admin.get("/staff/reports/annual").status_code == 403


@pytest.mark.parametrize("query", ["year=abc", "year=1999", "year=20222", "version=secret"])
def test_a_year_or_version_that_cannot_be_is_not_found(app: Flask, client: FlaskClient, query: str) -> None:
    sign_in(app, client, "manager")
    assert client.get(f"/staff/reports/annual?{query}").status_code == 404


def test_the_csv_has_the_same_figures(app: Flask, client: FlaskClient, demo: None) -> None:
    sign_in(app, client, "manager")
    response = client.get("/staff/reports/annual.csv?year=2022")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert 'filename="annual-report-2022-23-staff.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert ["Compliments", "206", "204"] in rows
    assert ["Statutory complaints, stage 3", "3", "5"] in rows
    assert ["Complaints responded to", "459", "100%", "406"] in rows or any(
        r[:2] == ["Complaints responded to", "459"] for r in rows
    )
    public = client.get("/staff/reports/annual.csv?year=2022&version=public").get_data(as_text=True)
    public_rows = list(csv.reader(io.StringIO(public)))
    assert ["Statutory complaints, stage 3", "fewer than 5", "5"] in public_rows
    assert ["Public version"] in public_rows


def _run(*argv: str | Path) -> str:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=True).stdout


def _inflated(data: bytes) -> bytes:
    """The PDF with its compressed streams expanded (WeasyPrint keeps the structure tree in them)."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_the_pdf_is_tagged_with_headings_tables_and_described_charts(
    app: Flask, client: FlaskClient, demo: None, tmp_path: Path
) -> None:
    if not (shutil.which("pdftotext") and shutil.which("pdfinfo")):
        require("poppler-utils (pdftotext, pdfinfo) not installed: make install")
    sign_in(app, client, "manager")
    response = client.get("/staff/reports/annual.pdf?year=2022")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.data)
    text = " ".join(_run("pdftotext", path, "-").split())
    assert "annual report 2022-23" in text and "At a glance" in text
    assert "Compliments 206 204" in text and "MP enquiries 112 68" in text
    assert "Corporate complaints, stage 3 17 7" in text
    info = _run("pdfinfo", path)
    assert re.search(r"Tagged:\s+yes", info)
    structure = _run("pdfinfo", "-struct", path)
    for tag in ("H1", "H2", "Table", "Caption", "THead", "TH", "TD", "Figure"):
        assert re.search(rf"^\s*{tag}\b", structure, re.M), tag
    raw = _inflated(response.data)
    assert b"/Alt (Chart: Representations received in 2022-23 and 2021-22." in raw
    assert re.search(rb"/Lang ?\(en\)", raw)
    public = client.get("/staff/reports/annual.pdf?year=2022&version=public")
    path.write_bytes(public.data)
    assert "fewer than 5" in " ".join(_run("pdftotext", path, "-").split())


def test_a_year_with_no_records_says_so(app: Flask, client: FlaskClient) -> None:
    sign_in(app, client, "admin")
    soup = page(client, "/staff/reports/annual?year=2030")
    text = soup.get_text(" ", strip=True)
    assert "Nothing was received in 2030-31." in text
    assert "No complaints were concluded in 2030-31." in text
    assert "No complaints were responded to in 2030-31." in text
    assert table_rows(soup, "at-a-glance-table")["Compliments"] == ["0", "0"]
    assert soup.select_one("#year option[selected]")["value"] == "2030"
