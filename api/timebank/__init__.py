"""The time bank and love bank: service requests, gifts, donations, grants."""

from . import gifts, services

BLUEPRINTS = (
    services.blp,
    gifts.blp,
)
COMMANDS = ()
