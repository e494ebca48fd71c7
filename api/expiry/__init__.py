"""Point expiry: each community's setting (what expires, and when, is read on the balance)."""

from . import settings

BLUEPRINTS = (settings.blp,)
COMMANDS = ()
