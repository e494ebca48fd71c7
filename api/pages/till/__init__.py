"""The shop's till (a tablet at the counter) and the resident's "pay at the shop" page."""

from .views import blp, pay_blp

__all__ = ["blp", "pay_blp"]
