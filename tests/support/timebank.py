"""The time bank's street: a community with a time floor, its staff, residents with keys."""

import pytest

TIME_FLOOR = -600  # a newcomer may receive 10 hours before giving


class Street:
    """The community, its staff key, and a way to add residents with their own keys."""

    def __init__(self, client, make_community, make_member, make_key, slug="tianwen"):
        self.client = client
        self.slug = slug
        self.community = make_community(slug, "天问街道", time_floor_minutes=TIME_FLOOR)
        self.love_bank = self.community["account"][("love_bank", "minutes")]
        self.staff = make_key("staff", community=slug)
        self._make_member, self._make_key = make_member, make_key

    def resident(self, name):
        member = self._make_member(self.slug, display_name=name)
        member["key"] = self._make_key("member", member=member["id"])
        return member

    def post(self, path, body, headers):
        return self.client.post(path, json=body, headers=headers)

    def request(self, headers, minutes, title="帮忙", category="errand", **fields):
        return self.post(
            "/v1/services",
            {
                "community": self.slug,
                "title": title,
                "category": category,
                "minutes_estimate": minutes,
                **fields,
            },
            headers,
        )

    def step(self, service_id, action, headers, body=None):
        return self.post(f"/v1/services/{service_id}/{action}", body or {}, headers)

    def statement(self, account_id):
        response = self.client.get(f"/v1/accounts/{account_id}/statement", headers=self.staff)
        assert response.status_code == 200, response.json
        return [(line["kind"], line["amount"], line["balance"]) for line in response.json["items"]]


@pytest.fixture
def street(client, make_community, make_member, make_key):
    return Street(client, make_community, make_member, make_key)


def figures(account):
    return account["posted"], account["pending_out"], account["available"]


def serve(street, service_id, volunteer, minutes, confirmer):
    """Accept, complete and confirm one service; asserts each step answers 200."""
    for action, headers, body in (
        ("accept", volunteer["key"], None),
        ("complete", volunteer["key"], {"minutes": minutes}),
        ("confirm", confirmer, None),
    ):
        response = street.step(service_id, action, headers, body)
        assert response.status_code == 200, response.json
    return response.json
