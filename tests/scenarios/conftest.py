"""The stories reuse each capability's factories: the supermarket, the street, the town, 桃花社区;
and, as every HTTP test, have each answer checked against /openapi.json."""

from tests.support.contract import answers_match_the_document
from tests.support.earning import town
from tests.support.supermarket import fresh_code, redeem, resident, supermarket
from tests.support.taohua import taohua
from tests.support.timebank import street

__all__ = [
    "answers_match_the_document",
    "fresh_code",
    "redeem",
    "resident",
    "street",
    "supermarket",
    "taohua",
    "town",
]
