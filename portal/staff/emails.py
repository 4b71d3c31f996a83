"""The emails of a case for staff: each one as it went out and, when it went out in another
language, an English copy (the family's language is kept; staff read English)."""

from __future__ import annotations

from flask import abort, render_template

from portal.extensions import db
from portal.i18n import LANGUAGE_NAMES, text_direction
from portal.models import OutboxMessage
from portal.notify import outbox
from portal.staff.cases import READERS, load_case
from portal.staff.guard import require_role
from portal.staff.views import bp


@bp.get("/cases/<reference>/emails/<int:message_id>")
@require_role(*READERS)
def case_email(reference: str, message_id: int) -> str:
    found = load_case(reference)
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.case_id != found.id:
        abort(404)
    copies = [("en", *outbox.staff_copy(message, "en"))]
    if message.language != "en":
        copies.append((message.language, *outbox.staff_copy(message, message.language)))
    return render_template(
        "staff/cases/email.html",
        case=found,
        message=message,
        copies=copies,
        language_names=LANGUAGE_NAMES,
        direction=text_direction,
    )
