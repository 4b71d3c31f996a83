"""The annual report as CSV (one block per table) and as a tagged PDF for committee (WeasyPrint, PDF/UA-1)."""

from __future__ import annotations

import base64
import csv
import io
import re

from markupsafe import Markup

from portal.documents.pdf import STANDARD, render_pdf
from portal.reports.tables import Cell, Report, area_name

# Spreadsheet programs run cells that start with these as formulas (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def _safe(text: str) -> str:
    return f"'{text}" if text.startswith(FORMULA_START) else text


def _cell(cell: Cell) -> str:
    """Counts as plain numbers for spreadsheets; suppressed counts and percentages as shown."""
    return str(cell.value) if cell.value is not None else cell.text


def to_csv(report: Report) -> str:
    """Every table of the report, each as a titled block: header row, then one row per line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    period = report.figures.period
    writer.writerow([_safe(report.title)])
    writer.writerow([f"{period.long_label}, with {period.previous.label} beside each figure"])
    writer.writerow([f"{report.version.capitalize()} version"])
    for section in report.sections:
        for table in section.tables:
            writer.writerow([])
            writer.writerow([_safe(f"{section.heading}: {table.caption}")])
            writer.writerow([_safe(table.row_header), *(_safe(c) for c in table.columns)])
            for label, cells in table.rows:
                writer.writerow([_safe(label), *(_safe(_cell(c)) for c in cells)])
    return out.getvalue()


def chart_image(chart: Markup) -> str:
    """An SVG chart as a data: URL, so the PDF can show it as an image with alternative text."""
    return "data:image/svg+xml;base64," + base64.b64encode(str(chart).encode()).decode()


def chart_size(chart: Markup, mm_per_unit: float = 0.25) -> tuple[float, float]:
    """Width and height in millimetres that print the chart's 14-unit text at about 10 points."""
    found = VIEWBOX.search(str(chart))
    width, height = (float(found[1]), float(found[2])) if found else (330.0, 330.0)
    return round(width * mm_per_unit, 1), round(height * mm_per_unit, 1)


def to_pdf(report: Report) -> bytes:
    """A tagged PDF: headings, tables with header cells, each chart as a figure with its summary as text."""
    return render_pdf(
        "reports/annual-pdf.html", report.title, "en", STANDARD, report=report, chart_image=chart_image,
        chart_size=chart_size, area_name=area_name,
    )  # fmt: skip
