"""Communities, members, accounts, entries and adjustments, and the probes."""

from . import accounts, cli, communities, entries, health

BLUEPRINTS = (
    health.blp,
    communities.blp,
    accounts.blp,
    entries.blp,
)
COMMANDS = (cli.keys,)
