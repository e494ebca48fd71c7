"""Point expiry: points earned expire after a community's months, oldest first, into the love
bank (爱心银行). Minutes never expire.

Members' points are kept in dated lots while expiry is on; the journal hands every change of
such an account to ``lots.keep_lots`` (its one extension point), and the sweep's job moves what
has expired to the love bank.
"""

from ledger.core.capability import Capability

from . import models
from .demo import add_demo
from .lots import keep_lots
from .sweep import expire_due

CAPABILITY = Capability(
    name="expiry",
    models=models,
    jobs=(("expire_points", expire_due),),
    demo_part=add_demo,
    lot_keeper=keep_lots,
)
