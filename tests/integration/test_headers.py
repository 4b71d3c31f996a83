"""Every route in the URL map answers with the security headers, whatever the answer is."""

from __future__ import annotations

import pytest
from flask import Flask
from itsdangerous import BadSignature

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
