"""Every route in the URL map answers with the security headers, whatever the answer is."""

from __future__ import annotations

import copy

import pytest
from flask import Flask, session
from flask.testing import FlaskClient
from itsdangerous import BadSignature

from tests.helpers import nonce_of

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _url(rule) -> str:  # type: ignore[no-untyped-def]
    url = rule.rule
    for argument in rule.arguments:
        url = url.replace(f"<int:{argument}>", "1").replace(f"<{argument}>", "x")
    return url


def test_every_route_sends_the_security_headers(app: Flask) -> None:
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            url = _url(rule) if rule.endpoint != "static" else "/static/css/portal.css"
            response = client.open(url, method=method, headers={"HX-Request": "true"} if checked % 2 else {})
            assert response.status_code < 500, f"{method} {url}: {response.status_code}"
            csp = response.headers.get("Content-Security-Policy", "")
            assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp and "'nonce-" in csp, url
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
            for header, value in REQUIRED.items():
                assert response.headers.get(header) == value, f"{method} {url}: {header}"
            assert "max-age=" in response.headers.get("Strict-Transport-Security", ""), url
            if rule.endpoint != "static":
                assert response.headers.get("Cache-Control") == "no-store", f"{method} {url}"
            checked += 1
    assert checked > 40


def test_no_hx_on_attributes_in_templates() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [str(p) for p in root.rglob("*.html") if "hx-on" in p.read_text()]
    assert offenders == []


def test_the_session_serializer_is_made_once_for_the_keys_in_use(app: Flask) -> None:
    """portal.security.SessionInterface keeps Flask's serializer, but never past a change of key."""
    interface = app.session_interface
    first = interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    assert first is not None and interface.get_signing_serializer(app) is first  # type: ignore[attr-defined]
    cookie = first.dumps({"lang": "pl"})
    old_key, app.secret_key = app.secret_key, "a new secret key, rotated for this test only"
    rotated = interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    with pytest.raises(BadSignature):
        rotated.loads(cookie)
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]  # the old key still read while cookies expire
    assert interface.get_signing_serializer(app).loads(cookie) == {"lang": "pl"}  # type: ignore[attr-defined]


def test_every_post_route_refuses_a_request_without_its_csrf_token(app: Flask) -> None:
    """The CSRF check (portal.security.protect_writes) runs before anything else a write does."""
    client = app.test_client()
    posts = [_url(rule) for rule in app.url_map.iter_rules() if "POST" in (rule.methods or set())]
    assert len(posts) > 20
    for url in posts:
        response = client.post(url, data={"name": "x"})
        assert response.status_code == 400, url
        assert "Nothing has been saved" in response.get_data(as_text=True), url


def test_our_headers_replace_any_a_view_set(app: Flask) -> None:
    @app.get("/_test/cacheable")
    def _cacheable() -> tuple[str, dict[str, str]]:
        return "x", {
            "Cache-Control": "public, max-age=600",
            "X-Frame-Options": "SAMEORIGIN",
            "X-Mine": "kept",
        }

    response = app.test_client().get("/_test/cacheable")
    assert response.headers.getlist("Cache-Control") == ["no-store"]
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]
    assert response.headers["X-Mine"] == "kept"
    assert len(response.headers.getlist("Content-Security-Policy")) == 1


def test_a_page_and_its_csp_carry_the_same_nonce_and_each_response_its_own(client: FlaskClient) -> None:
    nonces = set()
    for _ in range(2):
        response = client.get("/make-a-complaint/what-to-do")
        nonce = nonce_of(response)
        assert nonce and f'nonce="{nonce}"' in response.get_data(as_text=True)
        nonces.add(nonce)
    assert len(nonces) == 2


def _session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return str(cookie.value)


def test_a_verified_session_cookie_is_kept_but_still_ages_and_never_shared(app: Flask) -> None:
    """portal.security.SessionInterface checks a cookie's signature once per key set, then only its
    age; each request gets its own copy of the data."""

    @app.get("/_test/session/set")
    def _set() -> str:
        session["nested"] = {"list": []}
        return "set"

    @app.get("/_test/session")
    def _read() -> dict[str, object]:
        seen = copy.deepcopy(dict(session))
        if "nested" in session:
            session["nested"]["list"].append("changed in place")  # must not reach the kept copy
        return seen

    client = app.test_client()
    client.get("/language/pl")
    client.get("/_test/session/set")
    cookie = _session_cookie(client)
    first = client.get("/_test/session").get_json()
    assert first == {"lang": "pl", "nested": {"list": []}}
    assert client.get("/_test/session").get_json() == first  # the kept data, not the changed copy

    kept = app.extensions["portal.session_serializer"].verified
    assert cookie in kept
    # Tampered: a different cookie, checked in full and refused.
    client.set_cookie("session", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert client.get("/_test/session").get_json() == {}
    # Too old, though kept: refused, as itsdangerous would refuse it.
    client.set_cookie("session", cookie)
    signed_at, data = kept[cookie]
    kept[cookie] = (signed_at - int(app.permanent_session_lifetime.total_seconds()) - 5, data)
    assert client.get("/_test/session").get_json() == {}
    # A new key: what was verified with the old one is not trusted.
    kept[cookie] = (signed_at, data)
    app.secret_key = "a new secret key, rotated for this test only"
    assert client.get("/_test/session").get_json() == {}
