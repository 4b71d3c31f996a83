"""The baseline the portal's pages are measured against: Flask's "fortunes" (NFR section 3.1,
TechEmpower's test), served by gunicorn exactly like the portal.

Each request connects to a small SQLite table with the standard library, reads its 12 rows, adds
one in memory, sorts them by message and renders them as an autoescaped table with a Jinja
template that Flask loads and compiles once, as it does any template file. Nothing else: no
ORM, session, CSRF or security headers, so every ratio is the cost of the portal's own work.

Until December 2026 this page called render_template_string, which compiles its template on
every request: about 0.9 ms of its 1.15 ms in the test client, which halved the baseline's
requests per second and doubled every ratio the benchmark reported (issue #10).
"""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import NamedTuple

from flask import Flask, render_template
from jinja2 import DictLoader

MESSAGES = (
    "fortune: No such file or directory",
    "A computer scientist is someone who fixes things that aren't broken.",
    "After enough decimal places, nobody gives a damn.",
    "A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
    "A computer program does what you tell it to do, not what you want it to do.",
    "Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen",
    "Any program that runs right is obsolete.",
    "A list is only as strong as its weakest link. — Donald Knuth",
    "Feature: A bug with seniority.",
    "Computers make very fast, very accurate mistakes.",
    '<script>alert("This should not be displayed in a browser alert box.");</script>',
    "フレームワークのベンチマーク",
)
ADDED = "Additional fortune added at request time."
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Fortunes</title></head>
<body><table><tr><th>id</th><th>message</th></tr>
{% for fortune in fortunes %}<tr><td>{{ fortune.id }}</td><td>{{ fortune.message }}</td></tr>
{% endfor %}</table></body></html>"""


class Fortune(NamedTuple):
    id: int
    message: str


def _database() -> Path:
    """The fortune table, in a file of this process's own (each gunicorn worker imports this)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-fortunes-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "fortunes.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE fortune (id INTEGER PRIMARY KEY, message TEXT NOT NULL)")
        conn.executemany("INSERT INTO fortune (id, message) VALUES (?, ?)", enumerate(MESSAGES, start=1))
    conn.close()
    return path


DATABASE = _database()
app = Flask(__name__)
app.jinja_loader = DictLoader({"fortunes.html": PAGE})  # type: ignore[assignment]


@app.get("/")
def fortunes() -> str:
    conn = sqlite3.connect(DATABASE)
    try:
        rows = [Fortune(*row) for row in conn.execute("SELECT id, message FROM fortune")]
    finally:
        conn.close()
    rows.append(Fortune(0, ADDED))
    rows.sort(key=lambda fortune: fortune.message)
    return render_template("fortunes.html", fortunes=rows)
