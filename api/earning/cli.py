"""``pointsbank import-events``: paper sign-in sheets become earn events."""

import csv
import sys

import click
from flask.cli import with_appcontext

from api.clock import now
from api.extensions import db
from ledger.core.communities import get_community
from ledger.core.errors import LedgerError
from ledger.earning import events as earning
from ledger.earning.sheets import DEFAULT_RECORDED_BY, read_sheet


def _explain(error: LedgerError) -> str:
    numbers = ", ".join(f"{k}={v}" for k, v in error.numbers.items() if v is not None)
    return f"{error.slug}: {error.detail}" + (f" ({numbers})" if numbers else "")


@click.command("import-events")
@click.argument("sheet", type=click.File("r", encoding="utf-8-sig"))
@click.option("--community", "slug", required=True, help="The community's slug.")
@click.option(
    "--recorded-by",
    default=DEFAULT_RECORDED_BY,
    show_default=True,
    help="Who signed residents in, for rows without a recorded_by column.",
)
@with_appcontext
def import_events(sheet, slug, recorded_by):
    """Import a paper sign-in sheet (CSV); re-running it awards nothing twice.

    Columns: member_ref, activity, occurred_at, quantity, row_id [, recorded_by, evidence].
    Bad rows are reported by line number and the good ones still import; the exit status is 1
    when any row was bad.
    """
    try:
        community = get_community(db.session, slug)
        rows = read_sheet(
            sheet, community=community.slug, timezone=community.timezone, recorded_by=recorded_by
        )
    except LedgerError as error:
        raise click.ClickException(_explain(error)) from error
    except (UnicodeDecodeError, csv.Error) as error:
        raise click.ClickException(f"{sheet.name} is not a UTF-8 CSV sheet: {error}") from error
    source = earning.paper_source(community.id)
    tally = dict.fromkeys(("awarded", "pending", "refused", "replayed", "bad"), 0)
    points = 0
    bad_lines = []
    for row in rows:
        if row.error is not None:
            bad_lines.append((row.line, _explain(row.error)))
    readable = [row for row in rows if row.error is None]
    for start in range(0, len(readable), earning.MAX_BATCH_EVENTS):
        chunk = readable[start : start + earning.MAX_BATCH_EVENTS]
        answers = earning.record_events(db.session, source, [row.draft for row in chunk], now=now())
        db.session.commit()
        for row, answer in zip(chunk, answers, strict=True):
            if isinstance(answer, LedgerError):
                bad_lines.append((row.line, _explain(answer)))
            elif answer.replayed:
                tally["replayed"] += 1
            else:
                tally[answer.event.status] += 1
                points += answer.event.points_awarded
    for line, explanation in sorted(bad_lines):
        click.echo(f"line {line}: {explanation}", err=True)
    tally["bad"] = len(bad_lines)
    click.echo(
        f"{len(rows)} rows: {tally['awarded']} awarded, {tally['pending']} pending "
        f"public notice, {tally['refused']} refused by caps, {tally['replayed']} already "
        f"imported, {tally['bad']} bad; {points} points awarded"
    )
    if bad_lines:
        sys.exit(1)
