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
