"""Closings under concurrent writers (PostgreSQL: real row locks)."""

from collections import Counter

import pytest

from api.extensions import db
from ledger.audit.verify import verify
from tests.support.concurrently import run_together

pytestmark = pytest.mark.postgres


def test_adjustments_racing_a_closing_either_move_with_her_or_are_refused(
    app, make_community, make_member, make_key, grant, balance
):
    """Each 5-point adjustment lands before the closing (and moves on) or is refused 422: no 500."""
    community = make_community("qianjiang", "潜江社区")
    grandma, daughter = make_member("qianjiang"), make_member("qianjiang")
    grant(community, grandma["points_account"], 35)
    staff = make_key("staff", community="qianjiang")
    adjustment = {
        "postings": [
            {
                "from": community["account"][("issuance", "points")],
                "to": grandma["points_account"],
                "unit": "points",
                "amount": 5,
            }
        ],
        "reason": "补录",
    }

    def act(index):
        client = app.test_client()
        if index == 0:
            body = {"to": daughter["id"], "reason": "迁出"}
            return client.post(f"/v1/members/{grandma['id']}/closing", json=body, headers=staff)
        return client.post("/v1/adjustments", json=adjustment, headers=staff)

    answers = run_together(6, act)
    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {201, 422} and statuses[201] >= 1
    landed = statuses[201] - 1  # the closing is one of the 201s
    assert balance(grandma["points_account"])["posted"] == 0
    assert balance(daughter["points_account"])["posted"] == 35 + 5 * landed
    with app.app_context():
        assert verify(db.session) == []
        db.session.remove()
