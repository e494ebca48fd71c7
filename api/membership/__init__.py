"""Members who leave or move: closings, districts, moves between communities."""

from . import cli, closings, districts

BLUEPRINTS = (closings.blp, districts.blp)
COMMANDS = (cli.membership,)
