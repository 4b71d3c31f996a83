"""Serve an app with gunicorn on 127.0.0.1, sign in over real HTTP, and drive URLs with wrk."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyotp

from portal.config import ROOT

CONNECTIONS = 16
THREADS = 2
WORKERS = 2
# wrk's done() hook: p95 is not in `--latency`'s table, so the script prints what we need.
LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d socket_errors=%d status_errors=%d "
    .. "p50_us=%d p95_us=%d p99_us=%d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass
class Measurement:
    requests: int
    seconds: float
    socket_errors: int
    status_errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app_spec: str, env: dict[str, str], ready_path: str = "/", workers: int = WORKERS) -> Iterator[int]:
    """gunicorn with `workers` sync workers on a free port; yields the port once it answers."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn.", suffix=".log", delete=False)  # noqa: SIM115
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", app_spec]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(port, ready_path, proc, log.name)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


def _wait_ready(port: int, path: str, proc: subprocess.Popen[bytes], log: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {Path(log).read_text()[-2000:]}")
        try:
            if Client(port).get(path).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port}: {Path(log).read_text()[-2000:]}")


@dataclass
class Reply:
    status: int
    location: str
    body: str


class Client:
    """A tiny HTTP client that keeps cookies by name (enough for the portal's session cookie)."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def _send(
        self, method: str, path: str, body: str | None = None, extra: dict[str, str] | None = None
    ) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Cookie": self.cookie_header()} if self.cookies else {}
        headers.update(extra or {})
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for value in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return Reply(response.status, response.getheader("Location") or "", response.read().decode())
        finally:
            conn.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self._send("GET", path, extra=headers)

    def post_form(self, path: str, fields: dict[str, str]) -> Reply:
        """GET the form for its CSRF token, then POST it."""
        token = csrf_token(self.get(path).body)
        return self._send("POST", path, urlencode({**fields, "csrf_token": token}))

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def tracking_session(port: int, reference: str, code: str) -> str:
    """Open the case with reference + security code, as a complainant would; returns the Cookie header."""
    client = Client(port)
    reply = client.post_form("/track/code", {"reference": reference, "code": code})
    if reply.status not in (302, 303) or not reply.location.endswith("/track/case"):
        raise RuntimeError(f"tracking sign-in failed: {reply.status} {reply.location}")
    return client.cookie_header()


def staff_session(port: int, email: str, password: str, secret: str) -> str:
    """Password, then a TOTP code from the enrolled secret; returns the Cookie header."""
    client = Client(port)
    reply = client.post_form("/staff/sign-in", {"email": email, "password": password})
    if reply.status not in (302, 303) or not reply.location.endswith("/staff/mfa"):
        raise RuntimeError(f"staff sign-in failed: {reply.status} {reply.location}")
    reply = client.post_form("/staff/mfa", {"code": pyotp.TOTP(secret).now()})
    if reply.status not in (302, 303):
        raise RuntimeError(f"staff MFA failed: {reply.status}")
    return client.cookie_header()


def settle(port: int, path: str, timeout: float = 180) -> None:
    """Wait until requests queued by the last run are served: one GET waits behind all of them."""
    with suppress(OSError):
        Client(port, timeout=timeout).get(path)


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def drive(port: int, path: str, seconds: float, headers: dict[str, str] | None = None) -> Measurement:
    """wrk at CONNECTIONS connections for `seconds`; parses the done() line of the Lua script."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    cmd = [
        "wrk",
        "-t",
        str(THREADS),
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        script.name,
    ]
    for name, value in (headers or {}).items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    return parse(out)


def parse(out: str) -> Measurement:
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {out[-1000:]}")
    v = {k: int(x) for k, x in (item.split("=") for item in line.split()[1:])}
    return Measurement(
        v["requests"],
        v["duration_us"] / 1e6,
        v["socket_errors"],
        v["status_errors"],
        v["p50_us"] / 1000,
        v["p95_us"] / 1000,
        v["p99_us"] / 1000,
    )
