"""The portal's Jinja environment: Flask's, with each template's globals as one plain dict."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from flask.templating import Environment as FlaskEnvironment


class Environment(FlaskEnvironment):
    """Jinja keeps a template's globals as a ChainMap over the environment's, and every
    `{% from ... import %}` compares the importing context's globals with the imported
    template's key by key through it: 600 ChainMap look-ups on a question page, a tenth of its
    time (issue #10). A flat copy answers the same; the globals are all set while the app is
    created (portal/__init__.py), before any template is loaded, so a copy cannot go stale."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}
