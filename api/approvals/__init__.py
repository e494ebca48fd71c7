"""Two-person approval: held staff adjustments and grants, their approval and rejection."""

from . import requests

BLUEPRINTS = (requests.blp,)
COMMANDS = ()
