"""``pointsbank cards``: a printable sheet of sign-in cards, one per resident."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import click
import qrcode
import qrcode.image.svg
from flask import current_app, render_template
from flask.cli import with_appcontext
from markupsafe import Markup

from api.clock import now
from api.extensions import db
from ledger.core import signin
from ledger.core.communities import get_community
from ledger.core.errors import LedgerError
from ledger.core.models import Member

# Where card links point unless --base-url or POINTSBANK_PUBLIC_URL says otherwise.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
# Medium error correction: a card survives a crease or a smudge across part of its code.
QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


@dataclass(frozen=True)
class PrintedCard:
    member: Member
    link: str
    qr_svg: Markup
    expires_on: str


def qr_svg(data: str) -> Markup:
    """``data`` as an inline SVG QR code (no XML declaration, so it can sit inside HTML)."""
    code = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION, border=2)
    code.add_data(data)
    svg = code.make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    return Markup(svg[svg.index("<svg") :])


def _printed(card: signin.Card, base_url: str, zone) -> PrintedCard:
    link = f"{base_url.rstrip('/')}/s/{card.token}"
    expires_on = card.expires_at.astimezone(zone).date().isoformat()
    return PrintedCard(card.member, link, qr_svg(link), expires_on)


def render_cards(community, cards: list[signin.Card], base_url: str) -> str:
    zone = ZoneInfo(community.timezone)
    printed = [_printed(card, base_url, zone) for card in cards]
    return render_template("pages/cards.html", community=community, cards=printed)


@click.command("cards")
@click.option("--community", "slug", required=True, help="The community's slug.")
@click.option("--member", "refs", multiple=True, help="A member's reference; all when omitted.")
@click.option(
    "-o",
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="cards.html",
    show_default=True,
    help="Where to write the sheet (HTML; print it on A4).",
)
@click.option(
    "--base-url",
    envvar="POINTSBANK_PUBLIC_URL",
    default=DEFAULT_BASE_URL,
    show_default=True,
    help="The service's public address, which the card links start with.",
)
@with_appcontext
def cards(slug, refs, output, base_url):
    """Print sign-in cards (HTML, A4): a QR code and a single-use link per resident.

    A member's earlier unused cards stop working: issue a new card to replace a lost one.
    """
    at: datetime = now()
    try:
        community = get_community(db.session, slug)
        issued = signin.issue_cards(db.session, community, refs, now=at)
    except LedgerError as error:
        raise click.ClickException(f"{error.slug}: {error.detail} {error.numbers}") from error
    with current_app.test_request_context(base_url=base_url):
        output.write(render_cards(community, issued, base_url))
    db.session.commit()
    click.echo(f"{len(issued)} card(s) for {community.slug} written to {output.name}", err=True)
