"""The time bank and love bank: service requests, gifts, donations, grants, exchange."""

from . import exchange, gifts, services

BLUEPRINTS = (
    services.blp,
    gifts.blp,
    exchange.blp,
)
COMMANDS = ()
