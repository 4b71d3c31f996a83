"""Drive the make-a-complaint journey with the Flask test client (shared by several test files)."""

from __future__ import annotations

import re
from typing import Any

from bs4 import BeautifulSoup
from flask.testing import FlaskClient
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
