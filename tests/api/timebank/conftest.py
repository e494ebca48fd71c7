"""The time bank's tests share one street of residents."""

from tests.support.timebank import street

__all__ = ["street"]
