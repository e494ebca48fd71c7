"""The resident's phone pages: the help board (ask, take, mark done, confirm, rate) and gifts."""

from .views import blp

__all__ = ["blp"]
