"""Drive the make-a-complaint journey with the Flask test client (shared by several test files)."""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from tests.helpers import check_page, nonce_of

BASE = "/make-a-complaint"

PARENT_COMPLAINT: list[tuple[str, dict[str, Any]]] = [
    ("what-to-do", {"kind": "complaint"}),
    ("who", {"who": "parent"}),
    ("child", {"child_name": "Sam Smith", "child_dob": ["3", "4", "2012"]}),
    ("about", {"service_area": "children_in_care"}),
    ("what-happened", {"what_happened": "Nobody visited for 3 months.", "happened_on": ["1", "10", "2026"]}),
    ("outcome", {"outcome": "An apology and a plan.", "proceedings": []}),
    (
        "contact",
        {
            "name": "Jo Smith",
            "contact_method": "email",
            "email": "jo@example.com",
            "phone": "",
            "address": "",
            "safe": ["no_voicemail"],
            "safe_times": "after 3pm",
            "language": "en",
        },
    ),
    (
        "needs",
        {
            "formats": ["large_print", "coloured_paper"],
            "large_print_size": "32",
            "paper_colour": "yellow",
            "adjustments": ["extra_time"],
            "interpreter_language": "",
            "other": "",
        },
    ),
    ("evidence", {}),
]


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def page(client: FlaskClient, url: str, status: int = 200) -> tuple[TestResponse, BeautifulSoup]:
    response = client.get(url)
    assert response.status_code == status, f"GET {url}: {response.status_code}"
    return response, check_page(response.get_data(as_text=True), nonce_of(response))


def post(client: FlaskClient, url: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
    """GET the page for its CSRF token, then POST the data."""
    response = client.get(url)
    token = csrf(response.get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def answer(client: FlaskClient, slug: str, data: dict[str, Any]) -> TestResponse:
    response = post(client, f"{BASE}/{slug}", data)
    errors = re.findall(r"error-message.*?</span>(.*?)</", response.get_data(as_text=True), re.S)
    assert response.status_code == 303, f"{slug}: {response.status_code} {errors}"
    return response


def complete(client: FlaskClient, steps: list[tuple[str, dict[str, Any]]] = PARENT_COMPLAINT) -> None:
    for slug, data in steps:
        answer(client, slug, data)


def send(client: FlaskClient) -> TestResponse:
    return post(client, f"{BASE}/check-your-answers", {})


def latest_reference(app: Flask) -> str:
    """The reference of the case sent last."""
    from portal.extensions import db
    from portal.models import Case

    with app.app_context():
        reference = db.session.scalars(select(Case.reference).order_by(Case.id.desc())).first()
    assert reference, "no case has been sent"
    return reference


def emailed_tracking_link(
    app: Flask, client: FlaskClient, reference: str, email: str = "jo@example.com"
) -> str:
    """Ask for a tracking link as the family would; the path of the link in the email we queued."""
    from portal.extensions import db
    from portal.models import OutboxMessage

    assert post(client, "/track", {"reference": reference, "email": email}).status_code == 303
    with app.app_context():
        links = select(OutboxMessage).where(OutboxMessage.template == "tracking_link")
        message = db.session.scalars(links.order_by(OutboxMessage.id.desc())).first()
        assert message is not None, "no tracking link email"
        return str(message.context["link"]).split("localhost", 1)[-1]
