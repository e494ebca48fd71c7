"""Entries through the API: adjustments, reversals and the floors they keep."""


def test_reversal_is_a_new_entry_that_restores_balances_once(
    client, admin, qianjiang, make_member, grant, balance
):
    """The original stays as it was; the reversal undoes it; a second reversal is refused."""
    member = make_member("qianjiang")
    original = grant(qianjiang, member["points_account"], 100)
    response = client.post(
        f"/v1/entries/{original['id']}/reversal",
        json={"reason": "recorded for the wrong resident"},
        headers=admin,
    )
    assert response.status_code == 201, response.json
    reversal = response.json
    assert reversal["id"] != original["id"]
    assert reversal["kind"] == "reversal" and reversal["reverses"] == original["id"]
    assert reversal["postings"] == [
        {
            "from": member["points_account"],
            "to": qianjiang["account"][("issuance", "points")],
            "unit": "points",
            "amount": 100,
        }
    ]
    assert client.get(f"/v1/entries/{original['id']}", headers=admin).json == original
    assert balance(member["points_account"])["posted"] == 0
    assert balance(qianjiang["account"][("issuance", "points")])["posted"] == 0

    again = client.post(
        f"/v1/entries/{original['id']}/reversal", json={"reason": "again"}, headers=admin
    )
    assert again.status_code == 409
    assert again.json["type"] == "/problems/already-reversed"
    of_reversal = client.post(
        f"/v1/entries/{reversal['id']}/reversal", json={"reason": "undo"}, headers=admin
    )
    assert of_reversal.status_code == 409


def test_reversal_that_would_cross_the_floor_is_refused(
    client, admin, qianjiang, make_member, grant, balance
):
    """Points already given on cannot be clawed back below zero by a reversal."""
    alice, bob = make_member("qianjiang"), make_member("qianjiang")
    award = grant(qianjiang, alice["points_account"], 50)
    spend = client.post(
        "/v1/adjustments",
        headers=admin,
        json={
            "postings": [
                {
                    "from": alice["points_account"],
                    "to": bob["points_account"],
                    "unit": "points",
                    "amount": 40,
                }
            ],
            "reason": "gift recorded by staff",
        },
    )
    assert spend.status_code == 201
    response = client.post(
        f"/v1/entries/{award['id']}/reversal", json={"reason": "mistake"}, headers=admin
    )
    assert response.status_code == 422
    assert response.json["balance"] == 10 and response.json["requested"] == 50
    assert balance(alice["points_account"])["posted"] == 10


def test_adjustment_may_carry_several_units_and_postings(
    client, admin, qianjiang, make_member, balance
):
    """One entry can move points and minutes at once; each unit sums to zero."""
    member = make_member("qianjiang")
    response = client.post(
        "/v1/adjustments",
        headers=admin,
        json={
            "postings": [
                {
                    "from": qianjiang["account"][("issuance", "points")],
                    "to": member["points_account"],
                    "unit": "points",
                    "amount": 7,
                },
                {
                    "from": qianjiang["account"][("issuance", "minutes")],
                    "to": member["minutes_account"],
                    "unit": "minutes",
                    "amount": 90,
                },
            ],
            "reason": "paper records from the spring clean-up",
        },
    )
    assert response.status_code == 201, response.json
    assert balance(member["points_account"])["posted"] == 7
    assert balance(member["minutes_account"])["posted"] == 90


def test_member_minutes_may_go_down_to_the_time_floor_and_no_further(
    client, admin, qianjiang, make_member, balance
):
    """A newcomer may owe 600 minutes, not 601."""
    newcomer, helper = make_member("qianjiang"), make_member("qianjiang")

    def pay(amount):
        return client.post(
            "/v1/adjustments",
            headers=admin,
            json={
                "postings": [
                    {
                        "from": newcomer["minutes_account"],
                        "to": helper["minutes_account"],
                        "unit": "minutes",
                        "amount": amount,
                    }
                ],
                "reason": "help received",
            },
        )

    assert pay(600).status_code == 201
    refused = pay(1)
    assert refused.status_code == 422
    assert refused.json["balance"] == -600 and refused.json["floor"] == -600
    assert balance(newcomer["minutes_account"])["posted"] == -600


def test_another_communitys_account_answers_as_a_missing_one(
    client, admin, qianjiang, make_community, make_member, grant
):
    """An adjustment naming another community's account gets the very 404 an unknown id gets."""
    other = make_community("xiantao", "仙桃社区")
    alice, stranger = make_member("qianjiang"), make_member("xiantao")
    grant(qianjiang, alice["points_account"], 50)

    def adjust_to(account_id):
        posting = {"from": alice["points_account"], "to": account_id, "unit": "points"}
        return client.post(
            "/v1/adjustments",
            headers=admin,
            json={"postings": [{**posting, "amount": 5}], "reason": "probe"},
        )

    foreign = adjust_to(stranger["points_account"])
    missing = adjust_to("acc_" + "0" * 26)
    assert other["slug"] == "xiantao"
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json["type"] == missing.json["type"] == "/problems/account-not-found"
    assert set(foreign.json) == set(missing.json)
    assert foreign.json["detail"].replace(stranger["points_account"], "X") == missing.json[
        "detail"
    ].replace("acc_" + "0" * 26, "X")
