"""Every public page in a given language, and a finder for English left on a translated page.

`walk` drives the test client through every public page a family can reach: the pages in the
URL map, every question of each route through the journey with its error state, check your
answers, save for later, the confirmation, and the tracking pages before and after our
response. The browser test walks the same routes with axe (tests/browser/test_languages.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.domain.lifecycle import Action, Role
from portal.extensions import db
from portal.models import Case
from portal.services.cases import Actor, transition
from portal.services.rules import rules
from tests.journey import BASE, csrf, emailed_tracking_link, latest_reference
from tests.pages import page_urls

ROOT = Path(__file__).resolve().parents[1]
TRANSLATED = ("pl", "lt", "ro", "ar")

# Answers in no particular language (names are proper names): English typed by the family
# would otherwise look like English left on the page.
_CONTACT = {
    "name": "Jo Smith",
    "contact_method": "email",
    "email": "jo@example.com",
    "phone": "",
    "address": "",
    "safe": ["no_voicemail"],
    "safe_times": "15:00-18:00",
    "language": "",  # the journey offers the language the family is reading in
}
_NEEDS = {
    "formats": ["large_print", "easy_read"],
    "large_print_size": "24",
    "paper_colour": "",
    "adjustments": ["extra_time"],
    "interpreter_language": "",
    "other": "",
}
_ABOUT_CHILD = [
    ("child", {"child_name": "Sam Smith", "child_dob": ["3", "4", "2012"]}),
    ("about", {"service_area": "children_in_care"}),
    ("what-happened", {"what_happened": "Sam, 2026-10-01: ...", "happened_on": ["1", "10", "2026"]}),
    ("outcome", {"outcome": "...", "proceedings": []}),
]
ROUTES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "parent": [
        ("what-to-do", {"kind": "complaint"}),
        ("who", {"who": "parent"}),
        *_ABOUT_CHILD,
        ("contact", _CONTACT),
        ("needs", _NEEDS),
        ("evidence", {}),
    ],
    "young person": [
        ("what-to-do", {"kind": "complaint"}),
        ("who", {"who": "young_person"}),
        ("advocacy", {"wants_advocate": "yes"}),
        *_ABOUT_CHILD[1:],
        ("contact", _CONTACT),
        ("needs", _NEEDS),
        ("evidence", {}),
    ],
    "advocate": [
        ("what-to-do", {"kind": "complaint"}),
        ("who", {"who": "advocate"}),
        (
            "advocate",
            {"advocate_org": "NYAS", "advocate_org_other": "", "consent": "yes", "contact_directly": "no"},
        ),
        *_ABOUT_CHILD,
        ("contact", {**_CONTACT, "advocate_name": "Ali Khan", "advocate_email": "ali@example.com"}),
        ("needs", _NEEDS),
        ("evidence", {}),
    ],
    "compliment": [
        ("what-to-do", {"kind": "compliment"}),
        (
            "compliment",
            {"about_type": "worker", "about_name": "Kim Lee", "message": "...", "share_permission": "yes"},
        ),
        ("contact", _CONTACT),
        ("needs", _NEEDS),
    ],
}
TRACKING_ACTIONS = ("add-information", "contact-details", "formats", "withdraw")
OFFICER = Actor("staff", Role.OFFICER, name="Officer")


def _get(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, f"GET {url}: {response.status_code}"
    return response.get_data(as_text=True)


def _post(client: FlaskClient, url: str, data: dict[str, Any]) -> tuple[int, str]:
    token = csrf(_get(client, url))
    response = client.post(url, data={**data, "csrf_token": token})
    return response.status_code, response.get_data(as_text=True)


def _fresh(app: Flask, lang: str) -> FlaskClient:
    client = app.test_client()
    assert client.get(f"/language/{lang}").status_code == 303
    return client


def _answers(data: dict[str, Any], lang: str) -> dict[str, Any]:
    return {**data, "language": lang} if "language" in data else data


def route_in(name: str, lang: str) -> list[tuple[str, dict[str, Any]]]:
    """A route's answers with the letters asked for in `lang`."""
    return [(slug, _answers(data, lang)) for slug, data in ROUTES[name]]


def walk(app: Flask, lang: str) -> Iterator[tuple[str, str]]:
    """(what, html) for every public page and error state, in `lang`."""
    client = _fresh(app, lang)
    urls, _ = page_urls(app)
    for url in urls:
        if not url.startswith("/staff"):
            yield url, _get(client, url)
    yield "page not found", _get(client, "/this-page-does-not-exist", 404)
    clients = {}
    for name, route in ROUTES.items():
        client = clients[name] = _fresh(app, lang)
        for slug, data in route:
            url = f"{BASE}/{slug}"
            yield f"{name}: {slug}", _get(client, url)
            status, html = _post(client, url, {})
            if status == 200:
                yield f"{name}: {slug} (errors)", html
            status, html = _post(client, url, _answers(data, lang))
            assert status == 303, f"{lang} {name} {slug}: {status}"
        yield f"{name}: check your answers", _get(client, f"{BASE}/check-your-answers")
    saving = clients["compliment"]
    yield "save and come back later", _get(saving, f"{BASE}/save")
    yield "save and come back later (errors)", _post(saving, f"{BASE}/save", {"email": "not an email"})[1]
    assert _post(saving, f"{BASE}/save", {"email": "jo@example.com"})[0] == 303
    yield "saved", _get(saving, f"{BASE}/saved")
    assert _post(clients["parent"], f"{BASE}/check-your-answers", {})[0] == 303
    yield "confirmation", _get(clients["parent"], f"{BASE}/confirmation")
    yield from _tracking(app, lang)


def _tracking(app: Flask, lang: str) -> Iterator[tuple[str, str]]:
    client = _fresh(app, lang)
    for url in ("/track", "/track/code", "/track/check-your-email"):
        yield url, _get(client, url)
    yield "tracking link expired", _get(client, "/track/link/not-a-token", 404)
    yield "/track (errors)", _post(client, "/track", {})[1]
    yield "/track/code (errors)", _post(client, "/track/code", {"reference": "CC-0", "code": "x"})[1]
    reference = latest_reference(app)
    link = emailed_tracking_link(app, client, reference)
    yield "tracking link", _get(client, link)
    assert _post(client, link, {})[0] == 303
    yield "/track/case", _get(client, "/track/case")
    yield "/track/case young person", _get(client, "/track/case?view=young-person")
    for action in TRACKING_ACTIONS:
        url = f"/track/case/{action}"
        yield url, _get(client, url)
    yield "add information (errors)", _post(client, "/track/case/add-information", {})[1]
    _respond(app, reference)
    yield "/track/case after our response", _get(client, "/track/case")
    for url in ("/track/case/next-stage", "/track/case/response"):
        yield url, _get(client, url)
        yield f"{url} (errors)", _post(client, url, {})[1]


def _respond(app: Flask, reference: str | None) -> None:
    with app.app_context():
        case = db.session.scalar(select(Case).where(Case.reference == reference))
        assert case is not None
        with db.transaction() as s:
            case = s.merge(case)
            transition(s, case, Action.ACKNOWLEDGE, OFFICER, case.received_on, rules())
            transition(s, case, Action.RESPOND, OFFICER, date.today(), rules())


# --- English left on a translated page ------------------------------------------------------

_PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr]")
# Words of English that Polish, Lithuanian, Romanian and Arabic text does not use on its own.
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "you",
        "your",
        "we",
        "our",
        "of",
        "for",
        "with",
        "will",
        "what",
        "how",
        "can",
        "this",
        "have",
        "has",
        "from",
        "when",
        "that",
        "us",
    ]
)
_TEXT_TAGS = ("h1", "h2", "h3", "h4", "p", "li", "label", "legend", "button", "a", "span", "td", "th",
              "dt", "dd", "summary", "caption", "title", "option")  # fmt: skip


@cache
def _english_pattern(lang: str) -> re.Pattern[str]:
    """One pattern matching the whole text of any English message the catalogue translates
    differently (placeholders match anything)."""
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po, locale=lang)
    alternatives = []
    for message in catalogue:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            literal = _PLACEHOLDER.sub("", english).strip()
            if len(literal) < 4 or english in strings:  # too short to tell, or the same in both
                continue
            parts = [re.escape(" ".join(p.split())) for p in _PLACEHOLDER.split(english)]
            alternatives.append(".+?".join(parts).replace("%%", "%"))
    alternatives.sort(key=len, reverse=True)
    return re.compile("(?:" + "|".join(alternatives) + ")")


def english_left(html: str, lang: str) -> list[str]:
    """Texts on the page that are still English: a whole English message from the catalogue, or
    a phrase with two or more English function words (catches strings never marked for
    translation). Anything inside an element marked lang="en" (a proper name) is allowed."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "svg"]):
        tag.decompose()
    for tag in soup.select("body [lang]"):  # proper names in English, the language switcher
        if tag["lang"] != lang:
            tag.decompose()
    pattern = _english_pattern(lang)
    found = []
    texts = [" ".join(tag.get_text(" ", strip=True).split()) for tag in soup.find_all(_TEXT_TAGS)]
    texts += [
        str(tag[a]) for a in ("aria-label", "alt", "placeholder") for tag in soup.find_all(attrs={a: True})
    ]
    for text in dict.fromkeys(texts):
        if not text:
            continue
        words = {w.lower() for w in re.findall(r"[A-Za-z']+", text)}
        if pattern.fullmatch(text) or len(words & _ENGLISH_WORDS) >= 2:
            found.append(text)
    return found
