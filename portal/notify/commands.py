"""Flask commands for email: send-outbox and send-reminders (run by cron or a systemd timer)."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import with_appcontext

from portal.extensions import db
from portal.models.base import utcnow
from portal.notify.outbox import LONDON
from portal.notify.reminders import queue_reminders
from portal.notify.sender import SendReport, send_due
from portal.services.rules import rules


def _summary(report: SendReport) -> str:
    return f"Sent {report.sent}, will retry {report.retried}, failed {report.failed}"


@click.command("send-outbox")
@click.option("--limit", default=100, show_default=True, help="Most messages to send in this run.")
@with_appcontext
def send_outbox_command(limit: int) -> None:
    """Send the queued emails that are due now (failures are kept and retried later)."""
    click.echo(_summary(send_due(utcnow(), limit=limit)))


@click.command("send-reminders")
@click.option(
    "--date",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Queue the reminders for this day instead of today (UK time).",
)
@click.option("--limit", default=100, show_default=True, help="Most messages to send in this run.")
@with_appcontext
def send_reminders_command(on: datetime | None, limit: int) -> None:
    """Queue today's deadline reminders and weekly digest, then send what is due (safe to run twice)."""
    today: date = on.date() if on is not None else datetime.now(LONDON).date()
    with db.transaction() as session:
        queued = queue_reminders(session, today, rules())
    click.echo(f"Queued {queued} reminder(s) for {today.isoformat()}.")
    click.echo(_summary(send_due(utcnow(), limit=limit)))
