"""Members who leave or move: closing a member, districts of communities, moves of minutes."""

from ledger.core.capability import Capability

from . import models

CAPABILITY = Capability(name="membership", models=models)
