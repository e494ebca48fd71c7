"""``pointsbank keys``: create, list, revoke and rotate API keys.

The same ledger functions as ``/v1/keys``; a token is printed once, alone on the last line.
"""

import re
from datetime import timedelta

import click
from flask.cli import with_appcontext

from api.clock import now
from api.extensions import db
from ledger.core import apikeys
from ledger.core.errors import LedgerError
from ledger.core.models import ROLES
from ledger.core.paging import MAX_PAGE_LIMIT

DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
# Further than this is "never" in all but name; it also keeps the arithmetic off datetime's edge.
EXPIRES_IN_MAX = timedelta(days=3660)
# A role that acts for one party must be told which, by this option.
REACH_OPTION = {
    "shop": ("shop_id", "--shop SHOP_ID"),
    "member": ("member_id", "--member MEMBER_ID"),
}
LIST_COLUMNS = ("ID", "LABEL", "ROLE", "REACH", "CREATED", "LAST USED", "EXPIRES", "STATE")


class Duration(click.ParamType):
    """``90d``, ``12h``, ``30m`` or ``2w``: a time from now."""

    name = "duration"

    def convert(self, value, param, ctx):
        if isinstance(value, timedelta):
            return value
        match = re.fullmatch(r"(\d{1,6})([mhdw])", value.strip())
        if match is None:
            self.fail(f"{value!r} is not a duration such as 90d, 12h, 30m or 2w", param, ctx)
        span = timedelta(**{DURATION_UNITS[match[2]]: int(match[1])})
        if not timedelta(0) < span <= EXPIRES_IN_MAX:
            self.fail(
                f"{value!r} must be more than 0 and at most {EXPIRES_IN_MAX.days}d", param, ctx
            )
        return span


def _ledger_call(call):
    """Run a ledger write and commit it; a refusal becomes a one-line error and exit status 1."""
    try:
        answer = call()
        db.session.commit()
    except LedgerError as exc:
        raise click.ClickException(f"{exc.detail} {exc.numbers or ''}".strip()) from exc
    return answer


def _require_reach(role: str, **named) -> None:
    if role in REACH_OPTION:
        field, option = REACH_OPTION[role]
        if not named[field]:
            raise click.UsageError(f"a {role} key acts for one {role}: give {option}")


@click.group()
def keys():
    """API keys: create, list, revoke, rotate."""


@keys.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the key may do.")
@click.option("--community", "communities", multiple=True, help="Community slug (repeatable).")
@click.option("--shop", "shop_id", default=None, help="The shop a shop key acts for.")
@click.option(
    "--member",
    "member_id",
    default=None,
    help="The member a member key is, or a staff key's holder is.",
)
@click.option("--label", default="", help="Which till, which app: shown by `keys list`.")
@click.option("--expires-in", type=Duration(), default=None, help="e.g. 90d; no expiry if absent.")
@with_appcontext
def keys_create(role, communities, shop_id, member_id, label, expires_in):
    """Create an API key; prints it, alone, on the last line. It is shown only this once."""
    _require_reach(role, shop_id=shop_id, member_id=member_id)
    at = now()
    issued = _ledger_call(
        lambda: apikeys.issue_key(
            db.session,
            role=role,
            community_slugs=communities,
            shop_id=shop_id,
            member_id=member_id,
            label=label,
            expires_at=at + expires_in if expires_in else None,
            now=at,
        )
    )
    click.echo(f"created {role} key {issued.key.id}; store it now, it is not shown again:")
    click.echo(issued.token)


def _when(at) -> str:
    return at.strftime("%Y-%m-%d %H:%MZ") if at else "-"


def _reach_text(key: apikeys.KeySummary) -> str:
    if key.shop_id:
        return f"shop {key.shop_id}"
    if key.member_id:
        return f"member {key.member_id}"
    return ",".join(key.community_slugs) or "all"


def _row(key: apikeys.KeySummary) -> tuple[str, ...]:
    state = f"revoked {_when(key.revoked_at)}" if key.state == "revoked" else key.state
    return (
        key.id,
        key.label or "-",
        key.role,
        _reach_text(key),
        _when(key.created_at),
        _when(key.last_used_at),
        _when(key.expires_at),
        state,
    )


@keys.command("list")
@with_appcontext
def keys_list():
    """List every key, newest first; never a secret.

    Columns: label, role, reach (communities, member or shop), created, last used (to about a
    minute), expiry and state (active, expired, or revoked with its time).
    """
    rows: list[tuple[str, ...]] = [LIST_COLUMNS]
    cursor: str | None = None
    at = now()
    while True:
        page = apikeys.list_keys(db.session, now=at, limit=MAX_PAGE_LIMIT, cursor=cursor)
        rows += [_row(key) for key in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    widths = [max(len(row[i]) for row in rows) for i in range(len(LIST_COLUMNS))]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@keys.command("revoke")
@click.argument("key_id")
@with_appcontext
def keys_revoke(key_id):
    """Revoke a key: its next request is refused (401)."""
    key = _ledger_call(lambda: apikeys.revoke_key(db.session, key_id, now()))
    click.echo(f"revoked {key.role} key {key.id} at {_when(key.revoked_at)}")


@keys.command("rotate")
@click.argument("key_id")
@click.option("--expires-in", type=Duration(), default=None, help="A new expiry; else kept.")
@with_appcontext
def keys_rotate(key_id, expires_in):
    """Give a key a new secret, printed alone on the last line; the old one fails at once.

    The key keeps its id, role, reach, label and (unless --expires-in) its expiry.
    """
    at = now()
    expires_at = at + expires_in if expires_in else None
    issued = _ledger_call(lambda: apikeys.rotate_key(db.session, key_id, at, expires_at=expires_at))
    click.echo(f"rotated {issued.key.role} key {issued.key.id}; the old token no longer works:")
    click.echo(issued.token)
