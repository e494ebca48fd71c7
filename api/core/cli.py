"""``pointsbank keys``: API keys."""

import click
from flask.cli import with_appcontext

from api.clock import now
from api.extensions import db
from ledger.core import apikeys
from ledger.core.errors import LedgerError
from ledger.core.models import ROLES


@click.group()
def keys():
    """API keys."""


@keys.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--community", "communities", multiple=True, help="Community slug (repeatable).")
@click.option("--shop", "shop_id", default=None)
@click.option("--member", "member_id", default=None)
@click.option("--label", default="")
@with_appcontext
def keys_create(role, communities, shop_id, member_id, label):
    """Create an API key; prints it, alone, on the last line. It is shown only this once."""
    try:
        key, token = apikeys.create_key(
            db.session,
            role=role,
            community_slugs=communities,
            shop_id=shop_id,
            member_id=member_id,
            label=label,
            now=now(),
        )
        db.session.commit()
    except LedgerError as exc:
        raise click.ClickException(f"{exc.detail} {exc.numbers or ''}".strip()) from exc
    click.echo(f"created {role} key {key.id}; store it now, it is not shown again:")
    click.echo(token)
