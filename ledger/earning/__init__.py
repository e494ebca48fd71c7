"""Earning: rules and their versions, caps, earn events, public notice (公示) and paper sheets."""

from ledger.core.capability import Capability

from . import models
from .demo import add_demo
from .events import void_reversed_award
from .notice import vest_due_awards

CAPABILITY = Capability(
    name="earning",
    models=models,
    jobs=(("vest_notice_awards", vest_due_awards),),
    demo_part=add_demo,
    reversal_followups={"award": void_reversed_award},
)
