"""Production serving as the README describes it: gunicorn with several sync workers, PORTAL_ENV=production,
behind a proxy (PORTAL_PROXY_HOPS=1), files in configured folders, on SQLite and PostgreSQL.

The app keeps no state in a worker: a complainant's and a staff member's sessions made through
one worker are honoured by the others (the access log shows which worker served each request).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import load, run
from portal import create_app
from portal.config import ROOT, TestConfig

WORKERS = 3


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[int, Path, run.Fixtures]]:
    app = create_app(TestConfig(database_url))
    fx = run.prepare(app)  # a staff officer with MFA set up, and a case whose security code we know
    app.extensions["portal.db"].engine.dispose()
    port, access_log = load.free_port(), tmp_path / "access.log"
    env = {
        **os.environ,
        "PORTAL_ENV": "production",
        "PORTAL_SECRET_KEY": "the-same-key-on-every-worker-and-instance",
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_PROXY_HOPS": "1",
        "PORTAL_UPLOAD_DIR": str(tmp_path / "uploads"),
        "PORTAL_DOCUMENT_DIR": str(tmp_path / "documents"),
    }
    command = [
        sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
        "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s", "wsgi:app",
    ]  # fmt: skip
    log = (tmp_path / "gunicorn.log").open("wb")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "gunicorn did not start"
            try:
                if load.Client(port).get("/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port, access_log, fx
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_several_workers_serve_every_kind_of_page_with_shared_sessions(
    served: tuple[int, Path, run.Fixtures],
) -> None:
    port, access_log, fx = served
    tracking = load.tracking_session(port, fx.track_reference, fx.track_code)
    staff = load.staff_session(port, run.STAFF_EMAIL, run.STAFF_PASSWORD, fx.staff_secret)
    pages = [
        ("/", ""),
        ("/make-a-complaint/what-to-do", ""),
        ("/track/case", tracking),
        ("/staff/cases", staff),
        (run.QUEUE, staff),
        (f"/staff/cases/{fx.track_reference}", staff),
    ] * 6

    def get(page: tuple[str, str]) -> tuple[str, int, str]:
        path, cookie = page
        reply = load.Client(port).get(path, {"Cookie": cookie} if cookie else {})
        return path, reply.status, reply.body

    def pids(prefix: str) -> set[str]:
        lines = access_log.read_text().splitlines()
        return {line.split()[0] for line in lines if f" GET {prefix}" in line and line.endswith(" 200")}

    # Which idle worker takes a connection is the kernel's choice, so a batch can now and then land
    # every tracking request on one worker: send batches until two or more workers have served each
    # kind of session (every reply must be a 200 all the same).
    for _ in range(10):
        with ThreadPoolExecutor(max_workers=8) as pool:
            replies = list(pool.map(get, pages))
        assert [(path, status) for path, status, _ in replies if status != 200] == []
        case_page = next(body for path, _, body in replies if path.endswith(fx.track_reference))
        assert fx.track_reference in case_page and "Tracking Person" in case_page
        assert fx.track_reference in next(body for path, _, body in replies if path == "/track/case")
        time.sleep(0.5)  # gunicorn writes the access log after the response
        staff_pids, tracking_pids = pids("/staff/cases"), pids("/track/case ")
        if len(staff_pids) >= 2 and len(tracking_pids) >= 2:
            break
    # A session signed in through one worker is good on the others: nothing lives in a process.
    assert len(staff_pids) >= 2 and len(tracking_pids) >= 2, (staff_pids, tracking_pids)
