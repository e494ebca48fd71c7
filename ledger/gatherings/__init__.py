"""Gatherings: meetings and actions, sign-in by rotating QR code or roll call, their outcome
published under public notice, and monthly figures."""

from ledger.core.capability import Capability

from . import models
from .demo import add_demo

CAPABILITY = Capability(name="gatherings", models=models, demo_part=add_demo)
