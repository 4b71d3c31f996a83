"""Blueprint "staff" (/staff): the guard on every request, and the back office home page."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, render_template

from portal.domain.lifecycle import Phase
from portal.extensions import db
from portal.services import staff_auth
from portal.services.staff_cases import ASSIGNED_ONLY_ROLES, overview
from portal.staff.guard import ROLE_NAMES, check_request, current_staff

LONDON = ZoneInfo("Europe/London")  # the council's day, for what is due and overdue
bp = Blueprint("staff", __name__, url_prefix="/staff")
bp.before_request(check_request)

# What each phase means, for the counts on the home page (portal.domain.lifecycle.phase).
PHASES = (
    (Phase.OVERDUE, "Overdue", "The council's clock is running and the acknowledgement or response is late."),
    (Phase.AWAITING_US, "Waiting for the council",
     "The council needs to acknowledge, decide, investigate or respond, and is not late yet."),
    (Phase.AWAITING_COMPLAINANT, "Waiting for the complainant",
     "We have responded or asked them something; they may reply or ask for the next stage."),
    (Phase.OPEN, "Paused", "The clock is stopped for a recorded reason, so nothing is due."),
)  # fmt: skip

PROCEDURES = {
    "statutory": "Statutory (children's social care)",
    "corporate": "Corporate",
    "compliment": "Compliment",
    "enquiry_general": "General enquiry",
    "enquiry_councillor": "Councillor enquiry",
    "enquiry_mp": "MP enquiry",
    "lgo": "Ombudsman enquiry",
}


@bp.get("/")
def home() -> str:
    user = current_staff()
    today = staff_auth.clock().astimezone(LONDON).date()
    return render_template(
        "staff/home.html",
        user=user,
        role_name=ROLE_NAMES.get(user.role, user.role),
        assigned_only=user.role in ASSIGNED_ONLY_ROLES,
        summary=overview(db.session, user, today),
        phases=PHASES,
        procedures=PROCEDURES,
        codes_left=staff_auth.recovery_codes_left(db.session, user),
        today=today,
    )


# The case pages attach their routes to `bp` (they import it from here, so this comes last).
from portal.staff import actions, case_details, cases, compliments, emails, ombudsman, tracker  # noqa: E402, F401
