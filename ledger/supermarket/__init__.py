"""The points supermarket (积分超市): shops, catalogue, consent, redemptions, settlement."""

from ledger.core.capability import Capability

from . import models
from .demo import add_demo
from .redemptions import void_expired_holds

CAPABILITY = Capability(
    name="supermarket",
    models=models,
    jobs=(("void_expired_holds", void_expired_holds),),
    demo_part=add_demo,
)
