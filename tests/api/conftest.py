"""Every HTTP test's answers are checked against /openapi.json (tests.support.contract)."""

from tests.support.contract import answers_match_the_document

__all__ = ["answers_match_the_document"]
