"""The children's complaints portal: create_app() assembles it in a few named steps."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from portal.config import ROOT, Config
from portal.templating import Environment


class Portal(Flask):
    """Flask, with ensure_sync's answer kept per function: Flask asks inspect whether every hook
    and view is a coroutine function on every request (a twentieth of a kept page, issue #10)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        sync = self._sync.get(func)
        if sync is None:
            sync = self._sync[func] = super().ensure_sync(func)
        return sync


def create_app(config: Config | None = None) -> Flask:
    app = Portal(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.jinja_environment = Environment
    _load_config(app, config or Config())
    _init_database(app)
    _init_extensions(app)
    _init_templates(app)
    _register_blueprints(app)
    _register_commands(app)
    return app


def _load_config(app: Flask, config: Config) -> None:
    app.config.from_mapping(config.as_flask())


def _init_database(app: Flask) -> None:
    from portal.db import check_durability
    from portal.extensions import db

    if app.config["SQLALCHEMY_URL"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)
    db.init_app(app)
    check_durability(app.extensions["portal.db"].engine)


def _init_extensions(app: Flask) -> None:
    from portal import htmx, i18n, limits, security
    from portal.extensions import csrf
    from portal.services import rules

    csrf.init_app(app)
    app.before_request(security.protect_writes)
    limits.init_app(app)  # after CSRF: a forged request is refused before it counts
    i18n.init_app(app)
    htmx.init_app(app)
    security.init_app(app)
    rules.init_app(app)
    WTFormsHelpers(app)


def _init_templates(app: Flask) -> None:
    from portal.context import template_context

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.add_extension("portal.page_cache.PartCache")
    app.context_processor(template_context)
    from portal import jinja_i18n

    jinja_i18n.init_app(app)  # after Babel: its template gettext, looked up once per request


def _register_blueprints(app: Flask) -> None:
    from portal import errors
    from portal.health import bp as health_bp
    from portal.public import complaint, documents, tracking  # noqa: F401 - attach their routes to the blueprint
    from portal.public.views import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(health_bp)
    from portal import staff  # the back office: blueprint, its 403 page and commands
    from portal.reports import views as _reports  # noqa: F401 - the annual report's routes join the staff blueprint

    staff.init_app(app)
    errors.init_app(app)


def _register_commands(app: Flask) -> None:
    from portal.cli import register

    register(app)
