"""The service's clock: the real one, unless the app was given another (tests move it)."""

from flask import current_app

from ledger.core.clock import Clock


def clock() -> Clock:
    return current_app.extensions["pointsbank.clock"]


def now():
    return clock().now()
