"""The supermarket's tests share one shop, its residents and their consent codes."""

from tests.support.supermarket import fresh_code, redeem, resident, supermarket

__all__ = ["fresh_code", "redeem", "resident", "supermarket"]
