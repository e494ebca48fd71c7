"""Tables of the redemption capability (see its module in ledger/)."""

from .models import Base  # noqa: F401
