"""The gatherings' pages: the staff desk's gatherings, the resident's scan, the public notice."""

from .views import blp

__all__ = ["blp"]
