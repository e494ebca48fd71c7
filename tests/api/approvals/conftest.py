"""Approvals' tests share a community with two staff members and a threshold."""

from datetime import UTC, datetime

import pytest

from api.extensions import db
from ledger.core import apikeys

THRESHOLD_POINTS = 100


class Desk:
    """潜江社区's staff desk: staff keys by person, a resident, the threshold set by admin."""

    def __init__(self, app, client, admin, make_community, make_member, grant):
        self.app, self.client, self.admin = app, client, admin
        self.community = make_community("qianjiang", "潜江社区")
        self.issuance = self.community["account"][("issuance", "points")]
        self.love_bank = self.community["account"][("love_bank", "points")]
        self.wang = make_member("qianjiang", external_ref="R-wang", display_name="王秀英")
        grant(self.community, self.wang["points_account"], 60)
        response = client.put(
            "/v1/communities/qianjiang/approval-thresholds",
            json={"points": THRESHOLD_POINTS},
            headers=admin,
        )
        assert response.status_code == 200, response.json
        self.li = self.key("李敏")
        self.zhao = self.key("赵刚")

    def key(self, person, member=None):
        """A staff key of the community labelled with its holder's name (and member, if any)."""
        with self.app.app_context():
            _, token = apikeys.create_key(
                db.session,
                role="staff",
                community_slugs=["qianjiang"],
                member_id=member,
                label=person,
                now=datetime.now(UTC),
            )
            db.session.commit()
            db.session.remove()
        return {"Authorization": f"Bearer {token}"}

    def adjust(self, headers, amount, to=None, source=None, **extra):
        posting = {
            "from": source or self.issuance,
            "to": to or self.wang["points_account"],
            "unit": "points",
            "amount": amount,
        }
        return self.client.post(
            "/v1/adjustments",
            json={"postings": [posting], "reason": "纸质签到补录"},
            headers={**headers, **extra},
        )

    def posted(self, account_id):
        return self.client.get(f"/v1/accounts/{account_id}", headers=self.admin).json["posted"]

    def decide(self, request_id, step, headers, body=None, **extra):
        return self.client.post(
            f"/v1/approvals/{request_id}/{step}", json=body, headers={**headers, **extra}
        )


@pytest.fixture
def desk(app, client, admin, make_community, make_member, grant):
    return Desk(app, client, admin, make_community, make_member, grant)
