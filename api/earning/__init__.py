"""Earning: rules and earn events."""

from . import cli, events, rules

BLUEPRINTS = (
    rules.blp,
    events.blp,
)
COMMANDS = (cli.import_events,)
