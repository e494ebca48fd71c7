"""``pointsbank deliver``: the webhook delivery worker."""

import time

import click
from flask.cli import with_appcontext

from api.clock import now
from api.extensions import db
from ledger.webhooks import delivery

IDLE_SECONDS = 5  # how long the worker waits when nothing was due


@click.command("deliver")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@with_appcontext
def deliver(once):
    """Deliver due webhook events (several workers may run side by side)."""
    edge = delivery.registered_edge()
    while True:
        attempts = delivery.deliver_due(db.session, now(), edge)
        click.echo(f"deliver_webhooks: {attempts}")
        if once:
            return
        if not attempts:
            time.sleep(IDLE_SECONDS)
