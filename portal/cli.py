"""Flask commands: migrations, demo data, staff accounts, due dates, deadline recomputation."""

from __future__ import annotations

import json
from datetime import date

import click
from flask import Flask
from flask.cli import with_appcontext

from portal.data_commands import apply_retention_command
from portal.domain.working_days import explain, long_date
from portal.extensions import db
from portal.notify.commands import send_outbox_command, send_reminders_command
from portal.reports.commands import annual_report_command, import_cases_command
from portal.services.rules import rules


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every Alembic migration to the configured database."""
    from portal.migrate import upgrade

    upgrade(db.engine)
    click.echo("Database is up to date.")


@click.command("db-revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Autogenerate a migration from the models (developers)."""
    from portal.migrate import revision

    revision(db.engine, message)


@click.command("create-staff")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="officer, manager, responding_manager, reporting or admin")
@click.password_option()
@with_appcontext
def create_staff_command(email: str, name: str, role: str, password: str) -> None:
    """Create a staff account."""
    from portal.services.staff import StaffError, create_staff

    try:
        with db.transaction() as session:
            user = create_staff(session, email, name, role, password)
    except StaffError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} account for {user.email}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load demo staff accounts and cases at every stage (safe to run twice)."""
    from portal.demo import seed_demo

    created = seed_demo(date.today())
    click.echo(created)


@click.command("due-dates")
@click.option("--procedure", "procedure_code", required=True)
@click.option("--from", "start", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@with_appcontext
def due_dates_command(procedure_code: str, start: object, as_json: bool) -> None:
    """Print every deadline of a procedure as if each event started on --from."""
    from portal.domain.procedures import due_dates

    start_on = start.date()  # type: ignore[attr-defined]
    try:
        procedure = rules().procedure(procedure_code)
    except ValueError as error:
        raise click.BadParameter(f"{error}; choose from {', '.join(rules().procedures)}") from None
    calendar = rules().calendar_for(procedure_code)
    dates = due_dates(procedure, start_on, calendar)
    if as_json:
        events = {
            event: {"due": _iso(due), "extended_due": _iso(extended)}
            for event, (due, extended) in dates.items()
        }
        out = {"procedure": procedure_code, "from": start_on.isoformat(), "events": events}
        click.echo(json.dumps(out))
        return
    click.echo(f"{procedure.name}: deadlines if each event happened on {long_date(start_on)}\n")
    for clock in procedure.clocks:
        due, extended = dates[clock.event]
        line = f"{clock.label:<40} {long_date(due) if due else 'set by the Ombudsman'}"
        if extended:
            line += f"  (extended: {long_date(extended)})"
        click.echo(line)
        if due and clock.unit.value == "working_days" and clock.limit:
            text = explain(calendar, start_on, clock.limit, due, start_label=clock.starts_from).for_staff()
            click.echo(f"    {text}")
        click.echo(f"    Source: {clock.source}")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@click.command("recompute-deadlines")
@with_appcontext
def recompute_deadlines_command() -> None:
    """Recompute open deadlines after bank holiday data changed; every change is recorded."""
    from portal.services.deadlines import recompute_open

    with db.transaction() as session:
        changes = recompute_open(session, rules())
    for change in changes:
        click.echo(f"{change['reference']}: {change['event']} {change['from']} -> {change['to']}")
    click.echo(f"{len(changes)} deadline(s) changed.")


@click.command("produce-letters")
@click.option("--limit", default=200, show_default=True, help="Most cases to look at in one run.")
@with_appcontext
def produce_letters_command(limit: int) -> None:
    """Make letters still missing in a format someone needs (run by cron; safe to run twice)."""
    from portal.services.letters_due import produce_missing

    made, failed = produce_missing(limit)
    click.echo(f"Produced {made} letter(s); {failed} failed and will be retried.")


@click.command("scan-uploads")
@click.option("--limit", default=500, show_default=True)
@with_appcontext
def scan_uploads_command(limit: int) -> None:
    """Scan uploads still waiting for ClamAV (run by cron; safe to run twice)."""
    from pathlib import Path

    from flask import current_app

    from portal.models import Upload
    from portal.services import scanning

    config = current_app.config
    counts = {"clean": 0, "infected": 0, "waiting": 0}
    for upload_id in scanning.pending_ids(db.session, limit):
        try:
            with db.transaction() as session:
                upload = session.get(Upload, upload_id)
                if upload is None:
                    continue
                verdict = scanning.scan_upload(
                    session,
                    upload,
                    Path(config["UPLOAD_DIR"]),
                    Path(config["QUARANTINE_DIR"]),
                    config["CLAMD_SOCKET"],
                )
            counts[verdict.status] += 1
        except scanning.ScannerUnavailable as error:
            counts["waiting"] += 1
            click.echo(f"ClamAV is not available ({error}); uploads stay pending.", err=True)
            break
    click.echo(f"Clean {counts['clean']}, infected {counts['infected']}, still waiting {counts['waiting']}.")


def register(app: Flask) -> None:
    for command in (
        db_upgrade,
        db_revision,
        create_staff_command,
        seed_demo_command,
        due_dates_command,
        recompute_deadlines_command,
        produce_letters_command,
        scan_uploads_command,
        send_outbox_command,
        send_reminders_command,
        import_cases_command,
        annual_report_command,
        apply_retention_command,
    ):
        app.cli.add_command(command)
