"""The annual report in the back office: GET /staff/reports/annual (HTML), .csv and .pdf; ?version=public.

Routes on the staff blueprint (sign-in and MFA enforced by its guard); complaints managers,
reporting staff and administrators only. ?year=2022 is April 2022 to March 2023; without
it, the last financial year that has ended.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, abort, render_template, request

from portal.extensions import db
from portal.reports.annual import annual_figures, years_with_data
from portal.reports.export import to_csv, to_pdf
from portal.reports.figures import Period, financial_year
from portal.reports.sections import build_report
from portal.reports.tables import Report, area_name
from portal.staff.guard import require_role
from portal.staff.views import bp

REPORT_ROLES = ("manager", "reporting", "admin")
LONDON = ZoneInfo("Europe/London")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _last_complete_year() -> int:
    return financial_year(datetime.now(LONDON).date()) - 1


def _report() -> Report:
    """The report the query string asks for; 404 for a year or version that cannot be."""
    raw = request.args.get("year", "").strip()
    if raw and not (raw.isdigit() and FIRST_YEAR <= int(raw) <= LAST_YEAR):
        abort(404)
    version = request.args.get("version", "staff")
    if version not in ("staff", "public"):
        abort(404)
    year = int(raw) if raw else _last_complete_year()
    public = version == "public"
    return build_report(annual_figures(db.session, year, quotes=not public), public)


def _filename(report: Report, extension: str) -> str:
    return f"annual-report-{report.figures.period.label}-{report.version}.{extension}"


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/reports/annual")
@require_role(*REPORT_ROLES)
def annual_report() -> str:
    report = _report()
    shown = report.figures.period.year
    years = sorted({*years_with_data(db.session), _last_complete_year(), shown}, reverse=True)
    return render_template(
        "reports/annual.html",
        report=report,
        years=[(y, Period(y).label) for y in years],
        area_name=area_name,
    )


@bp.get("/reports/annual.<any(csv, pdf):extension>")
@require_role(*REPORT_ROLES)
def annual_report_file(extension: str) -> Response:
    """/staff/reports/annual.csv or .pdf: the same report as a spreadsheet or for committee."""
    report = _report()
    if extension == "csv":
        return _download(to_csv(report), "text/csv", _filename(report, "csv"))
    return _download(to_pdf(report), "application/pdf", _filename(report, "pdf"))
