"""Two neighbours of 潜江社区 with time and points, each to sign in with her own card."""

import pytest


@pytest.fixture
def wang(make_community, make_member, grant):
    """王秀英: a volunteer with 300 points and 120 minutes."""
    community = make_community()
    member = make_member("qianjiang", external_ref="R-wang", display_name="王秀英")
    grant(community, member["points_account"], 300)
    grant(community, member["minutes_account"], 120, unit="minutes")
    member["community"] = community
    return member


@pytest.fixture
def li(wang, make_member, grant):
    """李奶奶 of the same community, with 200 minutes to pay for help."""
    member = make_member("qianjiang", external_ref="R-li", display_name="李奶奶")
    grant(wang["community"], member["minutes_account"], 200, unit="minutes")
    return member
