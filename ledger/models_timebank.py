"""Tables of the timebank capability (see its module in ledger/)."""

from .models import Base  # noqa: F401
