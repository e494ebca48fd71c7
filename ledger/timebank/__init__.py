"""The time bank (时光银行) and love bank (爱心银行): service requests, gifts, donations, grants."""

from ledger.core.capability import Capability

from . import models
from .demo import add_demo

CAPABILITY = Capability(name="timebank", models=models, demo_part=add_demo)
