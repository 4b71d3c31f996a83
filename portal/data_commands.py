"""Data protection commands: apply-retention (anonymise closed cases after the retention period)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from portal.extensions import db
from portal.services import retention


def _folders() -> retention.Folders:
    config = current_app.config
    return retention.Folders(
        uploads=Path(config["UPLOAD_DIR"]),
        quarantine=Path(config["QUARANTINE_DIR"]),
        documents=Path(config["DOCUMENT_DIR"]),
    )


@click.command("apply-retention")
@click.option("--date", "today", type=click.DateTime(["%Y-%m-%d"]), help="Act as if today were this date.")
@click.option("--dry-run", is_flag=True, help="List the cases that are due; change nothing.")
@with_appcontext
def apply_retention_command(today: object, dry_run: bool) -> None:
    """Anonymise closed cases whose retention period (PORTAL_RETENTION_YEARS, default 6) has ended.

    Each case is anonymised in its own transaction, so a failure leaves that case whole and the
    next run tries it again. Safe to run every night from cron.
    """
    years = current_app.config["COUNCIL"].retention_years
    on = today.date() if today is not None else date.today()  # type: ignore[attr-defined]
    cases = retention.due(db.session, on, years)
    if dry_run:
        for case in cases:
            click.echo(case.reference)
        click.echo(f"{len(cases)} closed cases are past the {years}-year retention period.")
        return
    done = 0
    for case in cases:
        with db.transaction() as session:
            result = retention.anonymise(session, case, _folders(), years)
        done += 1
        click.echo(f"{result.reference}: personal data removed ({result.events_redacted} chronology entries)")
    with db.transaction() as session:
        people = retention.remove_unreferenced_people(session)
    click.echo(f"Anonymised {done} closed cases past the {years}-year retention period.")
    if people:
        click.echo(f"Removed {people} people no case refers to.")
