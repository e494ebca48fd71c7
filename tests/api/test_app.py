"""api/app.py's Flask: what it remembers between requests."""

import flask.app

from api.app import PointsbankFlask


def test_a_hook_is_inspected_once_and_handed_back_as_it_is(monkeypatch):
    """ensure_sync asks whether a function is a coroutine function once, not at every call."""
    asked = []

    def inspect(func):
        asked.append(func)
        return False

    monkeypatch.setattr(flask.app, "iscoroutinefunction", inspect)
    app = PointsbankFlask(__name__)

    def hook():
        return None

    assert app.ensure_sync(hook) is hook
    assert app.ensure_sync(hook) is hook
    assert asked == [hook]
