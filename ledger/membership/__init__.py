"""Members who leave or move: closing a member, districts of communities, moves of minutes."""

from ledger.core.capability import Capability

from . import models
from .demo import add_demo

CAPABILITY = Capability(name="membership", models=models, demo_part=add_demo)
