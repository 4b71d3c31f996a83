"""NFR SEC-10: rate limits hold across gunicorn workers, because the counters are in the database.

Three sync workers serve the portal on a real socket; concurrent POSTs of one reference to the
security-code page are spread over the workers (the access log records each worker's pid), and
exactly the configured number get through: the rest are 429 with what was typed and the phone.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from portal.config import ROOT

WORKERS = 3
LIMIT = 5
REQUESTS = 15
REFERENCE = "CC-2026-000777"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(
    port: int, method: str, path: str, body: str | None = None, cookie: str = ""
) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    result = response.status, dict(response.getheaders()), response.read().decode()
    conn.close()
    return result


@pytest.fixture
def gunicorn(database_url: str, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port, access_log = _free_port(), tmp_path / "access.log"
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_SECRET_KEY": "sec-10-test-key-shared-by-every-worker",
        "PORTAL_RATE_LIMITS": json.dumps({"track_per_reference": f"{LIMIT} per hour"}),
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
                if _request(port, "GET", "/track/code")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port, access_log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_limit_is_shared_by_three_workers(gunicorn: tuple[int, Path]) -> None:
    port, access_log = gunicorn
    status, headers, html = _request(port, "GET", "/track/code")
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert status == 200 and token
    body = urlencode({"csrf_token": token.group(1), "reference": REFERENCE, "code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})

    def attempt(_: int) -> tuple[int, str]:
        status, _headers, page = _request(port, "POST", "/track/code", body, cookie)
        return status, page

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        replies = list(pool.map(attempt, range(REQUESTS)))
    statuses = sorted(status for status, _ in replies)
    assert statuses == [200] * LIMIT + [429] * (REQUESTS - LIMIT), statuses
    refused = next(page for status, page in replies if status == 429)
    assert REFERENCE in refused and "01632 960 000" in refused and "You have tried too many times" in refused

    time.sleep(0.5)  # gunicorn writes the access log after the response
    pids = {line.split()[0] for line in access_log.read_text().splitlines() if " POST /track/code " in line}
    assert len(pids) >= 2, f"all POSTs went to one worker ({pids}): the test proved nothing"
