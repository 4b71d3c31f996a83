"""The staff back office: sign-in with MFA, server-side sessions, the role guard, the home page."""

from __future__ import annotations

import click
from flask import Flask, render_template
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.extensions import db
from portal.models import StaffUser


def init_app(app: Flask) -> None:
    from portal.staff import (
        auth,  # noqa: F401 - attaches the sign-in routes to the blueprint
        data_protection,  # noqa: F401 - subject access requests
    )
    from portal.staff.guard import AccessRefused
    from portal.staff.views import bp

    app.register_blueprint(bp)
    app.register_error_handler(AccessRefused, _refused_page)
    app.cli.add_command(disable_staff_command)
    app.cli.add_command(reset_staff_mfa_command)


def _refused_page(_error: Exception) -> tuple[str, int]:
    return render_template("staff/forbidden.html"), 403


def _user(email: str) -> StaffUser:
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No staff account for {email}.")
    return user


@click.command("disable-staff")
@click.option("--email", required=True)
@with_appcontext
def disable_staff_command(email: str) -> None:
    """Disable a staff account (a leaver) and end all its sessions at once."""
    from portal.services.staff_auth import disable_user

    with db.transaction() as session:
        ended = disable_user(session, _user(email), path="cli:disable-staff")
    click.echo(f"Disabled {email}; {ended} session(s) ended.")


@click.command("reset-staff-mfa")
@click.option("--email", required=True)
@with_appcontext
def reset_staff_mfa_command(email: str) -> None:
    """Someone lost their authenticator app and recovery codes: they set MFA up again at next sign-in."""
    from portal.services.staff_auth import reset_mfa

    with db.transaction() as session:
        ended = reset_mfa(session, _user(email), path="cli:reset-staff-mfa")
    click.echo(f"MFA reset for {email}; {ended} session(s) ended. They set it up at their next sign-in.")
