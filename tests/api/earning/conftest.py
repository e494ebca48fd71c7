"""Earning's tests share the town of a sign-in app and the proposal under public notice."""

from tests.support.earning import notice, town

__all__ = ["notice", "town"]
