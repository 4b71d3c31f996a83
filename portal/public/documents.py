"""Follow my complaint: the family's letters in every format, listed on the case page and downloaded."""

from __future__ import annotations

from typing import Any

from flask import abort, g, send_file, url_for
from flask_babel import format_decimal
from werkzeug.wrappers import Response

from portal.documents.formats import FORMAT_NAMES
from portal.extensions import db
from portal.i18n import LANGUAGE_NAMES
from portal.models import Case, Document
from portal.public.tracking import document_of_case
from portal.public.views import bp
from portal.services import documents


def _size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{format_decimal(max(1, round(size / 1024)))} KB"
    return f"{format_decimal(round(size / (1024 * 1024), 1))} MB"


def _file(document: Document) -> dict[str, Any]:
    kind = document.stored_name.rsplit(".", 1)[-1].upper()
    return {
        "url": url_for("public.track_document", document_id=document.id),
        "name": str(FORMAT_NAMES.get(document.format, document.format)),
        "kind": kind,
        "size": _size(document.size),
        "language": LANGUAGE_NAMES.get(document.language, document.language),
        "lang": document.language,
    }


@bp.app_template_global("family_letters")
def family_letters(case: Case) -> list[dict[str, Any]]:
    """The case's letters for the case page: newest first, each with its files in every format."""
    return [
        {"title": item.title, "date": item.created_at.date(), "files": [_file(d) for d in item.documents]}
        for item in documents.letters_of(db.session, case)
    ]


@bp.get("/track/case/documents/<int:document_id>")
@document_of_case
def track_document(document_id: int) -> Response:
    document = documents.document_for_family(db.session, g.case, document_id)
    if document is None:
        abort(404)
    name = f"{g.case.reference}-{document.letter}-{document.format}-{document.language}"
    return send_file(
        documents.path_of(document),
        mimetype=document.content_type,
        as_attachment=True,
        download_name=name.replace("_", "-") + "." + document.stored_name.rsplit(".", 1)[-1],
        max_age=0,
        etag=document.sha256,
    )
