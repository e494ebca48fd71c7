"""Core fixtures: one community to open accounts, members and entries in."""

import pytest


@pytest.fixture
def qianjiang(make_community):
    return make_community("qianjiang", "潜江社区", time_floor_minutes=-600)
