"""A throwaway PostgreSQL cluster for the test run (postgres refuses to run as root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Cluster:
    root: Path
    bin: Path
    run_as: list[str]

    @property
    def socket_dir(self) -> str:
        return str(self.root)

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://app@/{dbname}?host={self.root}"

    def psql(self, sql: str, dbname: str = "postgres") -> None:
        cmd = [
            *self.run_as,
            str(self.bin / "psql"),
            "-h",
            str(self.root),
            "-U",
            "app",
            "-d",
            dbname,
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            sql,
        ]
        subprocess.run(cmd, check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run(
            [
                *self.run_as,
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _make_user(name: str) -> str:
    if not _user_exists(name):
        subprocess.run(["useradd", "--system", "--no-create-home", name], check=True, capture_output=True)
    return name


def start_cluster() -> Cluster:
    pg_bin = _pg_bin()
    if pg_bin is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    root = Path(tempfile.mkdtemp(prefix="pgtest.", dir="/tmp"))
    run_as: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: use its own system user (created if missing).
        user = "postgres" if _user_exists("postgres") else _make_user("pgtest")
        shutil.chown(root, user)
        run_as = ["runuser", "-u", user, "--"]
    subprocess.run(
        [
            *run_as,
            str(pg_bin / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "app",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        capture_output=True,
    )
    # fsync off makes the throwaway cluster fast; synchronous_commit stays on because the
    # portal asserts it at start-up.
    options = f"-k {root} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [
            *run_as,
            str(pg_bin / "pg_ctl"),
            "-D",
            str(root / "data"),
            "-l",
            str(root / "server.log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return Cluster(root, pg_bin, run_as)
