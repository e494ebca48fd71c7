"""The gatherings API's tests share the Friday evening of tests.support.gatherings."""

from tests.support.gatherings import evening

__all__ = ["evening"]
