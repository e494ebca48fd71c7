"""The staff desk (/desk): notice board, printed notice, paper sheets, rules, shops, report, dispatch."""

from .views import blp

__all__ = ["blp"]
