"""Gatherings: schedule meetings and actions, sign residents in, publish their outcome."""

from . import gatherings, outcome

BLUEPRINTS = (
    gatherings.blp,
    outcome.blp,
)
COMMANDS = ()
