"""``pointsbank verify``, ``seal``, ``export`` and ``check-proof``."""

import json
import sys
from collections.abc import Sequence

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from api.clock import now
from api.extensions import db
from ledger.audit import chain
from ledger.audit.export import export_beancount
from ledger.audit.verify import DEFAULT_VERIFY_WORKERS, MAX_VERIFY_WORKERS, verify_snapshot
from ledger.core.communities import get_community
from ledger.core.errors import LedgerError
from ledger.core.models import Community


@click.command()
@click.option(
    "--workers",
    type=click.IntRange(1, MAX_VERIFY_WORKERS),
    default=DEFAULT_VERIFY_WORKERS,
    show_default=True,
    help="Processes that walk a long journal chain side by side (PostgreSQL); 1 walks it alone.",
)
@with_appcontext
def verify(workers):
    """Check every ledger invariant; exit 1 with a report on any breach."""
    breaches = verify_snapshot(db.session, workers=workers)
    if not breaches:
        click.echo("ok: every invariant holds")
        return
    for breach in breaches:
        click.echo(f"BREACH {breach.check} {breach.subject}: {breach.detail}")
    click.echo(f"{len(breaches)} breach(es) found", err=True)
    sys.exit(1)


@click.command("seal")
@click.option("--community", "slug", default=None, help="Only this community (slug).")
@with_appcontext
def seal(slug):
    """Append every entry not yet sealed to its community's hash chain (also run by sweep)."""
    at = now()
    communities: Sequence[Sequence[str]]  # (id, slug) pairs
    if slug:
        try:
            communities = [(get_community(db.session, slug).id, slug)]
        except LedgerError as exc:
            raise click.ClickException(exc.detail) from exc
    else:
        communities = db.session.execute(
            sa.select(Community.id, Community.slug).order_by(Community.slug)
        ).all()
    total = 0
    for community_id, community_slug in communities:
        sealed = chain.seal_community(db.session, community_id, now=at)
        db.session.commit()  # one community per transaction: its head lock is held briefly
        total += sealed
        if sealed:
            head = chain.head(db.session, community_id)
            click.echo(f"{community_slug}: sealed {sealed}, head seq {head.seq} {head.hash}")
    click.echo(f"sealed {total} record(s)")


@click.command("export")
@click.option("--community", "slug", required=True, help="Community slug.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["beancount"]),
    default="beancount",
    show_default=True,
    help="Ledger format to write (beancount: `bean-check` accepts it).",
)
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: standard output).",
)
@with_appcontext
def export(slug, fmt, output):
    """Write the community's ledger as plain text that bean-check accepts."""
    if db.engine.dialect.name == "postgresql":
        # One snapshot for the transactions and the closing balances alike.
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    try:
        community = get_community(db.session, slug)
        for line in export_beancount(db.session, community, now=now()):
            output.write(line + "\n")
    except LedgerError as exc:
        raise click.ClickException(exc.detail) from exc
    finally:
        db.session.rollback()


def _saved_head(saved_seq, saved_hash, head_file) -> tuple[int, str]:
    """The saved head, from --seq and --hash or from the body of GET .../journal/head."""
    if head_file is not None:
        if saved_seq is not None or saved_hash is not None:
            raise click.UsageError("give --head, or --seq and --hash, not both")
        try:
            saved = json.load(head_file)
            return int(saved["seq"]), str(saved["hash"])
        except (ValueError, KeyError, TypeError) as exc:
            raise click.UsageError(f"{head_file.name} is not a saved journal head: {exc}") from exc
    if saved_seq is None or saved_hash is None:
        raise click.UsageError("give --seq and --hash of the saved head, or --head FILE")
    return saved_seq, saved_hash


@click.command("check-proof")
@click.option("--seq", "saved_seq", type=int, help="The seq of the saved head.")
@click.option("--hash", "saved_hash", help="The hash of the saved head.")
@click.option(
    "--head",
    "head_file",
    type=click.File("r", encoding="utf-8"),
    help="The saved head itself: the body of GET /v1/communities/SLUG/journal/head.",
)
@click.argument("proofs", nargs=-1, required=True, type=click.File("r", encoding="utf-8"))
def check_proof(saved_seq, saved_hash, head_file, proofs):
    """Check that a journal only grew since a saved head, from proof pages (JSON, in order).

    Each page is the body of GET /v1/communities/SLUG/journal/proof?from_seq=N, where N is the
    saved head's seq; give the next page from the previous page's `to.seq`. Exits 0 when every
    page extends the one before.
    """
    saved_seq, saved_hash = _saved_head(saved_seq, saved_hash, head_file)
    seq, hashed = saved_seq, saved_hash
    for handle in proofs:
        try:
            page = json.load(handle)
            ok, why = chain.check_extension(seq, hashed, page)
        except (ValueError, KeyError, TypeError) as exc:
            ok, why = False, f"{handle.name} is not a proof page: {exc}"
        if not ok:
            click.echo(f"FAILED: {why}")
            sys.exit(1)
        seq, hashed = int(page["to"]["seq"]), page["to"]["hash"]
    click.echo(f"ok: the journal at seq {seq} ({hashed}) extends the saved seq {saved_seq}")
