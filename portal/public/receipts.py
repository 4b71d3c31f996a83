"""A copy of what the person sent, as an accessible PDF in standard or large print."""

from __future__ import annotations

from typing import Any

from flask import Response, abort
from flask_babel import gettext as _

from portal.documents.pdf import STANDARD, Format, render_pdf
from portal.i18n import current_language
from portal.models import Case

SIZES = ("standard", "large")


def receipt_download(case: Case, rows: list[dict[str, Any]], size: str) -> Response:
    """Large print uses the size the person asked for (24 point if they did not say)."""
    if size not in SIZES:
        abort(404)
    needs = (case.complainant.needs or {}) if case.complainant else {}
    fmt = Format(font_pt=int(needs.get("large_print_size", 24))) if size == "large" else STANDARD
    title = _("Your complaint %(reference)s", reference=case.reference)
    pdf = render_pdf("documents/receipt.html", title, current_language(), fmt, case=case, rows=rows)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{case.reference}-{size}.pdf"'
    return response
