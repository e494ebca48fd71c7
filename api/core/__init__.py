"""Communities, members, accounts, entries and adjustments, API keys, and the probes."""

from . import accounts, cli, communities, entries, health, keys

BLUEPRINTS = (
    health.blp,
    communities.blp,
    accounts.blp,
    entries.blp,
    keys.blp,
)
COMMANDS = (cli.keys,)
