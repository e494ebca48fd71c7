"""Two-person approval: staff adjustments and love-bank grants above a community's threshold,
and any adjustment to the requesting staff member's own account, wait for a second person."""

from ledger.core.capability import Capability

from . import models
from .demo import add_demo

CAPABILITY = Capability(name="approvals", models=models, demo_part=add_demo)
