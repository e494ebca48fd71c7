"""Transparency and audit: the journal's hash chain, ``verify``, reports and the beancount export."""

from ledger.core.capability import Capability

from . import models
from .chain import seal_all
from .demo import add_demo
from .rollups import roll_up_days

CAPABILITY = Capability(
    name="audit",
    models=models,
    jobs=(("seal_journal", seal_all), ("roll_up_days", roll_up_days)),
    demo_part=add_demo,
)
