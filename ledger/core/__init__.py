"""The core: communities, members, accounts, the journal and its one write path, API keys.

Every balance change goes through :func:`ledger.core.journal.post_entry` (or ``post_entries``).
The core knows no capability: capabilities build on it and hand over their parts through
:mod:`ledger.capabilities`.
"""

from . import models, submissions
from .capability import Capability

CAPABILITY = Capability(
    name="core",
    models=models,
    jobs=(("forget_old_form_submissions", submissions.forget_old),),
)
