"""What a capability hands over to the rest of pointsbank, through its package ``__init__``.

``ledger.capabilities`` lists the capabilities once and assembles the central lists from these:
the sweep's jobs, the demo's parts, the follow-ups of a reversal, the journal's lot keeper (at
most one capability hands one over) and the models (so that ``Base.metadata`` is complete for
migrations). Nothing central reaches into a capability.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import ModuleType

from sqlalchemy.orm import Session

from .corrections import ReversalFollowup
from .journal import LotKeeper
from .models import Community, Member

# A scheduled job: does what has fallen due by ``now``; returns how many things it handled.
Job = Callable[[Session, datetime], int]
# A part of the demo, run once when the demo community is first made.
DemoPart = Callable[[Session, Community, list[Member], datetime], None]


@dataclass(frozen=True)
class Capability:
    name: str
    models: ModuleType
    jobs: tuple[tuple[str, Job], ...] = ()
    demo_part: DemoPart | None = None
    reversal_followups: Mapping[str, ReversalFollowup] = field(default_factory=dict)
    # Told of every entry touching an account that keeps lots (see ``journal.LotKeeper``).
    lot_keeper: LotKeeper | None = None
