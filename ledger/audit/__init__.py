"""Transparency and audit: the journal's hash chain, ``verify``, reports and the beancount export."""

from ledger.core.capability import Capability

from . import models
from .chain import seal_all
from .demo import add_demo

CAPABILITY = Capability(
    name="audit",
    models=models,
    jobs=(("seal_journal", seal_all),),
    demo_part=add_demo,
)
