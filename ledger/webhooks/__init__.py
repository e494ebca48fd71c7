"""Webhooks: an outbox of what happened, subscriptions to it, signed delivery and a feed."""

from ledger.core.capability import Capability

from . import models
from .delivery import deliver_job

CAPABILITY = Capability(
    name="webhooks",
    models=models,
    jobs=(("deliver_webhooks", deliver_job),),
)
