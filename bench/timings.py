"""Timed operations that are not web requests: the annual report, letter PDFs and braille."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask

from portal.domain.lifecycle import Role
from portal.domain.routing import ComplainantCategory, ServiceArea
from portal.extensions import db
from portal.services.cases import Actor, NewCase, record_case
from portal.services.rules import rules

# About two A4 pages at 12 point with the letter's frame (the same body as tests/integration/test_documents).
BODY = "\n\n".join(
    [
        "We looked at what happened with the visits to Sam. Sam's social worker left in July and "
        "the visits were not arranged again until October. That should not have happened, and we are sorry.",
        "We have spoken to the team manager. Every child in care now has a named second worker who "
        "arranges visits when the social worker is away.",
        "You asked for an apology and a plan. This letter is our apology. The plan for Sam was agreed "
        "at the review on 12 November and a copy is enclosed.",
        "We also found that your phone calls in August were not returned. The duty team now keeps a "
        "log of every call, and a manager checks it each week.",
    ]
    * 2
)
LARGE_PRINT_PT = 24
STAFF = Actor("staff", Role.OFFICER, id=None, name="Benchmark officer")


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds over `runs` calls (after one warm-up call), and the last result."""
    result = fn()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def pdf_pages(content: bytes) -> int | None:
    if shutil.which("pdfinfo") is None:
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def document_timings(app: Flask, runs: int = 5) -> dict[str, Any]:
    """Two-page letter PDF, large-print PDF and braille (BRF) of a stage 1 response; nothing is stored."""
    from portal.documents import braille, formats
    from portal.services import documents

    out: dict[str, Any] = {}
    with app.app_context():
        new = NewCase(
            "complaint",
            ComplainantCategory.PARENT,
            ServiceArea.CHILDREN_IN_CARE,
            "Nobody visited for 3 months.",
            date(2026, 10, 5),
            "Jo Smith",
            "jo@example.com",
        )
        case = record_case(db.session, new, STAFF, rules())
        assert case.complainant is not None
        case.complainant.address = "1 High Street\nNorthtown\nNT1 2BB"
        db.session.flush()
        try:
            html = documents.preview_html(case, "stage1_response", staff_body=BODY)
            seconds, pdf = timed(lambda: formats.pdf(html), runs)
            out["letter_pdf"] = {"seconds": seconds, "pages": pdf_pages(pdf)}
            look = formats.look(LARGE_PRINT_PT, "cream")
            seconds, big = timed(
                lambda: formats.pdf(
                    documents.preview_html(case, "stage1_response", staff_body=BODY, fmt=look)
                ),
                max(1, runs // 2),
            )
            out["large_print_pdf"] = {"seconds": seconds, "pages": pdf_pages(big)}
            try:
                seconds, _ = timed(lambda: braille.document(formats.blocks(html)), runs)
                out["braille"] = {"seconds": seconds}
            except braille.BrailleUnavailable as error:
                out["braille"] = {"error": f"not available: {error}"}
        finally:
            db.session.rollback()
    return out


def annual_timings(app: Flask, runs: int = 3) -> dict[str, Any]:
    """The annual report's aggregation for one financial year and for every year with data."""
    try:
        from portal.reports.annual import annual_figures, annual_figures_by_year, years_with_data
    except ImportError as error:
        return {"error": f"not available: {error}"}
    with app.app_context():
        session = db.session
        years = years_with_data(session)
        if not years:
            return {"error": "no data"}
        # The newest complete financial year (the current one is still running).
        year = years[1] if len(years) > 1 else years[0]

        def one() -> Any:
            result = annual_figures(session, year)
            session.rollback()
            return result

        def every() -> Any:
            """Every year's figures in one pass (the function for trends across years)."""
            result = annual_figures_by_year(session)
            session.rollback()
            return result

        def each() -> Any:
            """One annual_figures call per year, as the report page would for each year in turn."""
            result = [annual_figures(session, y) for y in years]
            session.rollback()
            return result

        one_s, _ = timed(one, runs)
        all_s, _ = timed(every, runs)
        each_s, _ = timed(each, 1)
    return {
        "year": year,
        "years": len(years),
        "one_year": {"seconds": one_s},
        "all_years": {"seconds": all_s},
        "each_year": {"seconds": each_s},
    }
