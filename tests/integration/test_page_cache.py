"""Pages rendered once per language (portal.page_cache): every response still has its own nonce."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.helpers import check_page, nonce_of
from tests.integration.test_annual_report import sign_in
from tests.journey import PARENT_COMPLAINT, answer, complete, csrf


def _nonces(client: FlaskClient, path: str) -> tuple[str, set[str], str]:
    reply = client.get(path)
    assert reply.status_code == 200
    header = re.search(r"'nonce-([^']+)'", reply.headers["Content-Security-Policy"])
    assert header is not None
    body = reply.get_data(as_text=True)
    return header.group(1), set(re.findall(r'nonce="([^"]+)"', body)), body


def test_cached_page_gets_a_fresh_nonce_matching_its_header(app: Flask, client: FlaskClient) -> None:
    first_header, first_body_nonces, first = _nonces(client, "/")
    second_header, second_body_nonces, second = _nonces(client, "/")
    assert first_body_nonces == {first_header} and second_body_nonces == {second_header}
    assert first_header != second_header
    assert first.replace(first_header, "N") == second.replace(second_header, "N")
    assert "portal-nonce-" not in second and "csrf_token" not in second
    assert any(key[0] == "public/start.html" for key in app.extensions["portal.page_cache"])


def test_each_language_and_query_string_gets_its_own_page(app: Flask, client: FlaskClient) -> None:
    english = client.get("/").get_data(as_text=True)
    client.get("/language/pl")
    polish = client.get("/").get_data(as_text=True)
    assert 'lang="pl"' in polish and 'lang="en"' in english.split(">", 2)[1]
    with_query = client.get("/?utm=x").get_data(as_text=True)
    assert "utm%3Dx" in with_query or "utm=x" in with_query  # the language links keep the query
    assert not any(key[2] == "/?utm=x" for key in app.extensions["portal.page_cache"])


def _switcher_links(body: str) -> list[str]:
    return re.findall(r'href="(/language/[^"]+)"', body)


def test_layout_parts_are_kept_per_language_and_switcher_per_path(app: Flask, client: FlaskClient) -> None:
    """{% cached %} parts (header, footer, switcher...): the same as an uncached render, in the
    reader's language, and the switcher's links always lead back to the page they are on."""
    question = client.get("/make-a-complaint/what-to-do").get_data(as_text=True)
    again = client.get("/make-a-complaint/what-to-do").get_data(as_text=True)
    assert "Skip to main content" in again and "Accessibility statement" in again
    assert _switcher_links(question) == _switcher_links(again)
    assert all("what-to-do" in link for link in _switcher_links(again))
    other = client.get("/track").get_data(as_text=True)
    assert _switcher_links(other) and all("what-to-do" not in link for link in _switcher_links(other))
    parts = app.jinja_env.portal_parts  # type: ignore[attr-defined]
    assert ("en_GB", "language-switcher", "/make-a-complaint/what-to-do") in parts
    client.get("/language/pl")
    polish = client.get("/make-a-complaint/what-to-do").get_data(as_text=True)
    assert "Accessibility statement" not in polish and "Skip to main content" not in polish
    assert ("pl", "footer") in parts and ("en_GB", "footer") in parts


def test_the_switcher_on_a_page_with_a_token_is_never_kept(app: Flask, client: FlaskClient) -> None:
    body = client.get("/track/link/not-a-real-token-abc").get_data(as_text=True)
    assert any("not-a-real-token-abc" in link for link in _switcher_links(body))
    parts = app.jinja_env.portal_parts  # type: ignore[attr-defined]
    assert not any("not-a-real-token-abc" in str(key) for key in parts)
    assert not any("not-a-real-token-abc" in str(html) for html in parts.values())


QUESTION = "/make-a-complaint/what-to-do"


def _plain(reply: TestResponse) -> str:
    """The page without this response's CSRF token and nonce."""
    body = reply.get_data(as_text=True)
    return body.replace(csrf(body), "TOKEN").replace(nonce_of(reply) or "?", "NONCE")


def _kept_pages(app: Flask) -> dict[tuple[object, ...], str]:
    store = app.extensions["portal.page_cache"]
    return {key: kept.page for key, kept in store.items() if key[0] == "form-page"}


def test_a_question_page_is_kept_each_visitor_with_their_own_token(app: Flask, client: FlaskClient) -> None:
    other = app.test_client()
    first, second, again = client.get(QUESTION), other.get(QUESTION), client.get(QUESTION)
    tokens = [csrf(reply.get_data(as_text=True)) for reply in (first, second, again)]
    assert tokens[0] != tokens[1]  # two people, two sessions, two tokens
    assert _plain(first) == _plain(second) == _plain(again)
    assert nonce_of(first) != nonce_of(again)
    for reply in (first, second, again):
        body = reply.get_data(as_text=True)
        check_page(body, nonce_of(reply))
        assert "portal-csrf-" not in body and "portal-nonce-" not in body
    assert any("what-to-do" in key for key in _kept_pages(app))
    assert client.get(QUESTION + "?utm=x").status_code == 200
    assert not any("/make-a-complaint/what-to-do?utm=x" in key for key in _kept_pages(app))
    # The token on the kept page is the person's own: the answer is accepted.
    reply = other.post(QUESTION, data={"kind": "complaint", "csrf_token": tokens[1]})
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/make-a-complaint/who")


def test_a_choice_answer_is_shown_to_its_person_only(app: Flask, client: FlaskClient) -> None:
    answer(client, "what-to-do", {"kind": "compliment"})
    mine = client.get(QUESTION).get_data(as_text=True)
    assert re.search(r'value="compliment"[^>]*checked', mine)
    theirs = app.test_client().get(QUESTION).get_data(as_text=True)
    assert "checked" not in theirs


def test_errors_and_typed_answers_are_never_kept(app: Flask, client: FlaskClient) -> None:
    token = csrf(client.get(QUESTION).get_data(as_text=True))
    assert "There is a problem" in client.post(QUESTION, data={"csrf_token": token}).get_data(as_text=True)
    assert "There is a problem" not in app.test_client().get(QUESTION).get_data(as_text=True)
    complete(client, PARENT_COMPLAINT[:3])  # the child's name is typed on the third step
    child = client.get("/make-a-complaint/child").get_data(as_text=True)
    assert "Sam Smith" in child
    kept = _kept_pages(app)
    assert kept and not any("Sam Smith" in page for page in kept.values())
    assert len([key for key in kept if "child" in key]) == 1  # the empty one the person first saw


def _navigation(body: str) -> tuple[list[str], str | None, str]:
    """The back office navigation's links, the one marked as here, and its sign-out token."""
    soup = BeautifulSoup(body, "html.parser")
    nav = soup.select_one("nav[aria-label='Back office']")
    assert nav is not None
    here = nav.select_one("[aria-current='page']")
    token = nav.select_one("form input[name='csrf_token']")
    assert token is not None
    links = [a.get_text(strip=True) for a in nav.select("a")]
    return links, here.get_text(strip=True) if here else None, str(token["value"])


def test_staff_navigation_is_kept_per_page_and_role_with_each_session_s_token(app: Flask) -> None:
    """The back office navigation ({% cached %} around the sign-out form's CSRF token): the page
    marked as here follows the page, an administrator's has no case links, and each session
    signs out with its own token (which works)."""
    officer, admin = app.test_client(), app.test_client()
    sign_in(app, officer, "officer")
    sign_in(app, admin, "admin")
    links, here, officer_token = _navigation(officer.get("/staff/cases").get_data(as_text=True))
    assert links == ["Home", "Cases", "Actions tracker", "Compliments"]
    assert here == "Cases"
    assert _navigation(officer.get("/staff/").get_data(as_text=True))[1] == "Home"
    links, here, admin_token = _navigation(admin.get("/staff/").get_data(as_text=True))
    assert links == ["Home"] and here == "Home"
    assert admin_token != officer_token and "portal-csrf-" not in admin_token
    signed_out = officer.post("/staff/sign-out", data={"csrf_token": officer_token})
    assert signed_out.status_code in (302, 303)
    assert officer.get("/staff/cases").status_code in (302, 303)  # signed out: back to sign in


def _selected(body: str) -> dict[str, str]:
    soup = BeautifulSoup(body, "html.parser")
    form = soup.select_one("form[method='get']")
    assert form is not None
    chosen = {s["name"]: s.select_one("option[selected]") for s in form.select("select")}
    values = {str(name): str(option["value"]) for name, option in chosen.items() if option is not None}
    search = form.select_one("input[name='q']")
    assert search is not None
    return {**values, "q": str(search.get("value", ""))}


def test_queue_filter_is_kept_per_filter_and_never_with_a_search(app: Flask) -> None:
    """The queue's filter form ({% cached %} under its fields' values): each filter shows its own
    choices and messages, and a typed search is shown but not kept."""
    client = app.test_client()
    sign_in(app, client, "officer")
    assert _selected(client.get("/staff/cases?queue=overdue").get_data(as_text=True))["queue"] == "overdue"
    chosen = _selected(client.get("/staff/cases?queue=overdue&sort=reference").get_data(as_text=True))
    assert chosen["queue"] == "overdue" and chosen["sort"] == "reference"
    assert _selected(client.get("/staff/cases").get_data(as_text=True))["queue"] == "open"
    bad = client.get("/staff/cases?queue=nonsense").get_data(as_text=True)
    assert "govuk-error-message" in bad
    assert "govuk-error-message" not in client.get("/staff/cases?queue=closed").get_data(as_text=True)
    typed = client.get("/staff/cases?q=Smith").get_data(as_text=True)
    assert _selected(typed)["q"] == "Smith"
    parts = app.jinja_env.portal_parts  # type: ignore[attr-defined]
    kept = [key for key in parts if key[1] == "queue-filter"]
    assert len(kept) == 5 and not any("Smith" in repr(key) for key in kept)
