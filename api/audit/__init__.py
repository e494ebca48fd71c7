"""Transparency and audit: the journal's hash chain and the community report."""

from . import cli, journal, reports

BLUEPRINTS = (
    journal.blp,
    reports.blp,
)
COMMANDS = (
    cli.verify,
    cli.seal,
    cli.export,
    cli.check_proof,
)
