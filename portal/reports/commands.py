"""Flask commands: import historical records from CSV, and print the annual report's figures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from portal.extensions import db
from portal.reports.annual import annual_figures
from portal.reports.figures import to_json
from portal.reports.importer import ImportFailed, import_csv
from portal.reports.received import GLANCE_ROWS, glance_value
from portal.services.rules import rules


@click.command("import-cases")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_cases_command(file: Path) -> None:
    """Import historical cases from a CSV file: all rows or, if any is wrong, none.

    One row per stage a complaint reached; rows already imported (same reference and stage)
    are left as they are, so importing a file again changes nothing. README "Annual report"
    lists the columns.
    """
    try:
        with db.transaction() as session:
            result = import_csv(session, file.read_bytes(), rules(), date.today(), source=file.name)
    except ImportFailed as failed:
        for error in failed.errors:
            click.echo(error, err=True)
        raise click.ClickException(
            f"Nothing was imported: {len(failed.errors)} problem(s) in {file.name}."
        ) from None
    click.echo(
        f"Imported {result.stages_added} record(s), {result.cases_added} new case(s); "
        f"{result.unchanged} row(s) were already imported and left as they were."
    )


@click.command("annual-report")
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    required=True,
    help="The year the financial year starts in: 2022 for April 2022 to March 2023.",
)
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
@with_appcontext
def annual_report_command(year: int, as_json: bool) -> None:
    """Print the annual report's figures for a financial year, with the year before."""
    figures = annual_figures(db.session, year, quotes=False)
    if as_json:
        click.echo(json.dumps(to_json(figures)))
        return
    cur, prev = figures.current, figures.previous
    click.echo(f"At a glance, {cur.period.long_label} ({prev.period.label} in brackets)\n")
    for label, key in GLANCE_ROWS:
        now, before = glance_value(cur.at_a_glance(), key), glance_value(prev.at_a_glance(), key)
        click.echo(f"{label:<32} {now:>6} ({before})")
    done = cur.timeliness
    click.echo(
        f"\nComplaints responded to: {done['responded']}, extended: {done['extended']}, "
        f"late: {done['late']}. By young people: {cur.young_people}, "
        f"with an advocate: {cur.advocate_assisted}. Reopened: {cur.reopened}."
    )
