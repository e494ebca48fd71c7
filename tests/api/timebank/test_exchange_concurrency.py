"""Exchanges under concurrent writers (PostgreSQL: real row locks)."""

from collections import Counter

import pytest

from tests.support.concurrently import run_together

pytestmark = pytest.mark.postgres


def test_concurrent_exchanges_never_pass_the_monthly_cap(
    app, client, make_community, make_member, make_key, grant, balance
):
    """Ten exchanges of 180 minutes against a 600-minute cap at once: three go through."""
    community = make_community("tianwen", "天问街道")
    member = make_member("tianwen")
    grant(community, member["points_account"], 1000)
    staff = make_key("staff", community="tianwen")
    client.put(
        "/v1/communities/tianwen/exchange",
        json={"enabled": True, "rate_points": 10, "rate_minutes": 60, "monthly_cap_minutes": 600},
        headers=staff,
    )
    key = make_key("member", member=member["id"])

    results = run_together(
        10,
        lambda _: (
            app.test_client().post("/v1/exchanges", json={"points": 30}, headers=key).status_code
        ),
    )
    assert Counter(results) == {201: 3, 422: 7}
    assert balance(member["minutes_account"])["posted"] == 540
    assert balance(member["points_account"])["posted"] == 910
