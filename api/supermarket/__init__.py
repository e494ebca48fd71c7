"""The points supermarket: shops, catalogue, redemptions, consent."""

from . import consent, redemptions, shops

BLUEPRINTS = (
    shops.blp,
    redemptions.blp,
    consent.blp,
)
COMMANDS = ()
