"""The bare Flask baseline: one Jinja template over a small table, nothing else (no database,
no sessions, no CSRF, no security headers). Served by gunicorn exactly like the portal, so the
portal's pages can be reported as a ratio of what Flask itself does on this machine."""

from __future__ import annotations

from flask import Flask, render_template_string

ROWS = [
    {
        "reference": f"CC-2026-{n:06d}",
        "area": "Children in care",
        "status": "In progress",
        "due": f"{n % 28 + 1} March",
    }
    for n in range(1, 21)
]
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head>
<body><main><h1>Cases</h1>
<table><thead><tr><th>Reference</th><th>Area</th><th>Status</th><th>Due</th></tr></thead>
<tbody>{% for row in rows %}<tr><td>{{ row.reference }}</td><td>{{ row.area }}</td>
<td>{{ row.status }}</td><td>{{ row.due }}</td></tr>{% endfor %}</tbody></table>
</main></body></html>"""

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return render_template_string(PAGE, rows=ROWS)
