"""Audit fixtures: a community whose residents hold opening points, and 桃花社区 through May."""

import pytest

from tests.support.taohua import taohua


@pytest.fixture
def community(make_community, make_member, grant):
    """潜江社区 with two residents who received their opening points."""
    made = make_community()
    wang = make_member("qianjiang", display_name="王秀英")
    li = make_member("qianjiang", display_name="李建国")
    grant(made, wang["points_account"], 100)
    grant(made, li["points_account"], 50)
    return {"community": made, "wang": wang, "li": li}


__all__ = ["community", "taohua"]
