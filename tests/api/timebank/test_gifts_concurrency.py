"""Gifts of minutes under concurrent writers (PostgreSQL: real row locks)."""

from collections import Counter

import pytest

from tests.support.concurrently import run_together

pytestmark = pytest.mark.postgres


def test_concurrent_gifts_never_give_more_than_was_earned(
    app, make_community, make_member, make_key, grant, balance
):
    """Ten 60-minute gifts from 300 saved minutes at once: five go through, none into the floor."""
    community = make_community("tianwen", "天问街道", time_floor_minutes=-600)
    giver, receiver = make_member("tianwen"), make_member("tianwen")
    grant(community, giver["minutes_account"], 300, "minutes")
    key = make_key("member", member=giver["id"])
    body = {"to": receiver["id"], "unit": "minutes", "amount": 60}

    results = run_together(
        10, lambda _: app.test_client().post("/v1/transfers", json=body, headers=key).status_code
    )
    assert Counter(results) == {201: 5, 422: 5}
    assert balance(giver["minutes_account"])["posted"] == 0
    assert balance(receiver["minutes_account"])["posted"] == 300
