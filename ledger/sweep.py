"""Scheduled housekeeping run by ``pointsbank sweep``: a list of independent jobs.

Each job takes ``(session, now)``, does what has fallen due by ``now`` and returns how many
things it handled. Jobs are written to be safe when several sweeps run at once and when run
again; the caller commits after each job.
"""

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

Job = Callable[[Session, datetime], int]

# (name, job) pairs, run in this order. Capabilities add theirs here.
JOBS: list[tuple[str, Job]] = []

from .redemption import void_expired_holds  # noqa: E402

JOBS.append(("void_expired_holds", void_expired_holds))

from .earning import vest_due_awards  # noqa: E402

JOBS.append(("vest_notice_awards", vest_due_awards))

from .chain import seal_all  # noqa: E402

JOBS.append(("seal_journal", seal_all))
