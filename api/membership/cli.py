"""``pointsbank membership``: close a member, create a district, add a community, move minutes."""

import click
from flask.cli import with_appcontext

from api.clock import now
from api.extensions import db
from ledger.core.communities import get_community
from ledger.core.errors import LedgerError
from ledger.membership import closing, districts


def _run(write):
    """Run one ledger write and commit it, or say the rule it broke and exit 1."""
    try:
        result = write()
        db.session.commit()
    except LedgerError as exc:
        db.session.rollback()
        raise click.ClickException(exc.detail) from exc
    return result


@click.group()
def membership():
    """Members who leave or move: closings, districts, moves."""


@membership.command("close")
@click.argument("member_id")
@click.option("--to", "to", required=True, help='A member id of her community, or "love_bank".')
@click.option("--reason", required=True, help="Why she is closed (kept with the closing).")
@with_appcontext
def close(member_id, to, reason):
    """Close a member: her remainder goes to --to in one entry, then her accounts close."""
    done = _run(
        lambda: closing.close_member(db.session, member_id, to=to, reason=reason, now=now())
    )
    click.echo(f"closed {done.member_id}; entry {done.entry_id or '(nothing to move)'}")


@membership.command("create-district")
@click.argument("slug")
@click.argument("name")
@with_appcontext
def create_district(slug, name):
    """Create a district of communities that honour each other's time credits."""
    made = _run(lambda: districts.create_district(db.session, slug=slug, name=name, now=now()))
    click.echo(f"district {made.slug} ({made.id})")


@membership.command("add-community")
@click.argument("district_slug")
@click.argument("community_slug")
@with_appcontext
def add_community(district_slug, community_slug):
    """Put a community in a district, with clearing accounts towards each other one."""

    def add():
        district = districts.get_district(db.session, district_slug)
        community = get_community(db.session, community_slug)
        return districts.add_community(db.session, district, community, now=now())

    view = _run(add)
    click.echo(f"district {view.slug}: {', '.join(view.communities)}")


@membership.command("move")
@click.argument("district_slug")
@click.argument("member_id")
@click.option("--to-community", required=True, help="The slug of the community she moves to.")
@click.option(
    "--minutes", type=click.IntRange(min=1), required=True, help="How many minutes she takes."
)
@click.option("--to-member-ref", default=None, help="Her reference there (default: her own).")
@with_appcontext
def move(district_slug, member_id, to_community, minutes, to_member_ref):
    """Move a resident's minutes to another community of the district (two entries)."""

    def write():
        return districts.move_minutes(
            db.session,
            district=districts.get_district(db.session, district_slug),
            member_id=member_id,
            to_community_slug=to_community,
            minutes=minutes,
            to_member_ref=to_member_ref,
            now=now(),
        )

    done = _run(write)
    click.echo(f"moved {done.minutes} minutes: {done.from_entry_id} and {done.to_entry_id}")
