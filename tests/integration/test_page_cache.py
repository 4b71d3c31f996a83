"""Pages rendered once per language (portal.page_cache): every response still has its own nonce."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient


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
