"""Webhooks: subscriptions, the events feed and the delivery worker.

Importing this package hands the ledger's delivery the web edge it renders bodies with, so the
sweep's job and ``pointsbank deliver`` send the resource as the API shows it.
"""

from flask import current_app

from ledger.webhooks import delivery

from . import cli, feed, render, subscriptions

BLUEPRINTS = (
    subscriptions.blp,
    feed.blp,
)
COMMANDS = (cli.deliver,)

delivery.use_edge(
    delivery.Edge(
        render=render.body,
        server_key=lambda: current_app.config["SECRET_KEY"],
        allow_private=subscriptions.allow_private,
    )
)
