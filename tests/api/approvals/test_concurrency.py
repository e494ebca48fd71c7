"""Approvals under concurrent writers (PostgreSQL: real row locks)."""

from collections import Counter

import pytest

from tests.support.concurrently import run_together

pytestmark = pytest.mark.postgres


def test_two_approvals_at_once_post_one_entry(
    app, client, admin, make_community, make_member, make_key, grant, balance
):
    """Two second persons approving one request together: one 201, one 409, one entry."""
    community = make_community("qianjiang", "潜江社区")
    wang = make_member("qianjiang")
    client.put("/v1/communities/qianjiang/approval-thresholds", json={"points": 10}, headers=admin)
    asker, first, second = (make_key("staff", community="qianjiang") for _ in range(3))
    held = client.post(
        "/v1/adjustments",
        json={
            "postings": [
                {
                    "from": community["account"][("issuance", "points")],
                    "to": wang["points_account"],
                    "unit": "points",
                    "amount": 50,
                }
            ],
            "reason": "补录",
        },
        headers=asker,
    )
    assert held.status_code == 202, held.json
    path = f"/v1/approvals/{held.json['id']}/approval"
    answers = run_together(
        2, lambda i: app.test_client().post(path, headers=(first, second)[i]).status_code
    )
    assert Counter(answers) == {201: 1, 409: 1}
    assert balance(wang["points_account"])["posted"] == 50
