"""portal.htmx: fragment detection, redirect after post, Vary."""

from __future__ import annotations

from flask import Flask

from portal import htmx


def _app_with_routes(app: Flask) -> Flask:
    @app.get("/_test/fragment")
    def _fragment() -> str:
        return "fragment" if htmx.is_fragment_request() else "page"

    @app.post("/_test/done")
    def _done():  # type: ignore[no-untyped-def]
        return htmx.redirect_after_post("/contact")

    app.config["WTF_CSRF_ENABLED"] = False
    return app


def test_fragment_only_for_htmx_requests(app: Flask) -> None:
    client = _app_with_routes(app).test_client()
    assert client.get("/_test/fragment").get_data(as_text=True) == "page"
    assert (
        client.get("/_test/fragment", headers={"HX-Request": "true"}).get_data(as_text=True)
        == "fragment"
    )
    restore = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert client.get("/_test/fragment", headers=restore).get_data(as_text=True) == "page"
    boosted = {"HX-Request": "true", "HX-Boosted": "true"}
    assert client.get("/_test/fragment", headers=boosted).get_data(as_text=True) == "page"


def test_redirect_after_post(app: Flask) -> None:
    client = _app_with_routes(app).test_client()
    plain = client.post("/_test/done")
    assert plain.status_code == 303 and plain.headers["Location"] == "/contact"
    hx = client.post("/_test/done", headers={"HX-Request": "true"})
    assert hx.status_code == 204 and hx.headers["HX-Redirect"] == "/contact"


def test_vary_on_every_response(app: Flask) -> None:
    client = _app_with_routes(app).test_client()
    assert "HX-Request" in client.get("/").headers["Vary"]
    assert "HX-Request" in client.get("/_test/fragment").headers["Vary"]


def test_only_portal_htmx_reads_hx_headers() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "portal"
    offenders = [
        str(p)
        for p in root.rglob("*.py")
        if p.name != "htmx.py" and ("HX-" in p.read_text() or "htmx_flask" in p.read_text())
    ]
    assert offenders == []
