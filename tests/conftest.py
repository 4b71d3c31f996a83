"""Fixtures: an app on a fresh migrated database (SQLite, and PostgreSQL when available)."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from portal import create_app
from portal.config import TestConfig
from portal.db import make_engine
from portal.migrate import upgrade
from tests.pg import Cluster, start_cluster

IN_CI = os.environ.get("CI", "").lower() == "true"
_numbers = itertools.count()


def require(reason: str) -> None:
    """Under CI a missing component is a failure, never a skip."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required, not skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("db") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    try:
        cluster = start_cluster()
    except (FileNotFoundError, OSError) as error:
        require(f"PostgreSQL is not available: {error}")
    try:
        cluster.psql("CREATE DATABASE template_portal")
        engine = make_engine(cluster.url("template_portal"))
        upgrade(engine)
        engine.dispose()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database per test, copied from a template migrated once."""
    if request.param == "sqlite":
        path = tmp_path / "portal.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    cluster: Cluster = request.getfixturevalue("pg_cluster")
    name = f"test_{next(_numbers)}"
    cluster.psql(f"CREATE DATABASE {name} TEMPLATE template_portal")
    return cluster.url(name)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(TestConfig(database_url))
    yield app
    app.extensions["portal.db"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()

# Session fixtures that start real services (clamd) live in their own modules.
pytest_plugins = ["tests.clamav"]
