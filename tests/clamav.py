"""A real clamd on a unix socket with a local-only EICAR signature (no signature download)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require

# The EICAR test file: harmless, and every scanner reports it (the '$' matters: 68 bytes).
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(scope="session")
def clamd() -> Iterator[str]:
    binary = shutil.which("clamd") or ("/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None)
    if binary is None:
        require("ClamAV (clamd) is not installed")
    root = Path(tempfile.mkdtemp(prefix="clamd."))
    db = root / "db"
    db.mkdir()
    (db / "local.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Local.Test.EICAR-HDB\n")  # noqa: S324
    (db / "local.ndb").write_text(f"Local.Test.EICAR-NDB:0:*:{b'EICAR-STANDARD-ANTIVIRUS-TEST-FILE'.hex()}\n")
    socket = root / "clamd.sock"
    (root / "clamd.conf").write_text(
        f"DatabaseDirectory {db}\nLocalSocket {socket}\nForeground yes\nLogFile {root / 'clamd.log'}\n"
        "StreamMaxLength 30M\n"
    )
    process = subprocess.Popen(
        [binary, f"--config-file={root / 'clamd.conf'}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(200):
        if socket.exists():
            break
        time.sleep(0.05)
    else:
        process.kill()
        require("clamd did not start")
    yield str(socket)
    process.terminate()
    process.wait(10)
    shutil.rmtree(root, ignore_errors=True)
