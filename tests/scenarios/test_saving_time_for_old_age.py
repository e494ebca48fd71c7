"""A life in the time bank: minutes given while young come back as care when old, with the love bank between."""

from datetime import UTC, datetime

from tests.support.timebank import figures


def test_save_while_young_receive_care_when_old(street, clock, balance):
    """Staff grant 20 hours; 小美 serves 李奶奶 10 hours from the love bank; 30 years later
    she is helped 5 hours from her own credits, and every balance is exact at each step."""
    clock.set(datetime(2026, 3, 1, 9, tzinfo=UTC))
    xiaomei, grandma, xiaolei = (street.resident(n) for n in ("小美", "李奶奶", "小雷"))

    grant = street.post(
        f"/v1/communities/{street.slug}/love-bank/grants",
        {"unit": "minutes", "amount": 1200, "reason": "街道拨付 20 小时"},
        street.staff,
    )
    assert grant.status_code == 201, grant.json
    assert grant.json["kind"] == "grant"
    assert figures(balance(street.love_bank)) == (1200, 0, 1200)

    # Staff order help for 李奶奶, paid by the love bank; 小美 takes it: 10 hours are held.
    ordered = street.request(
        street.staff,
        600,
        title="陪李奶奶去医院",
        category="elder_care",
        funded_by="love_bank",
        requester=grandma["id"],
    )
    assert ordered.status_code == 201, ordered.json
    service = ordered.json
    assert (service["state"], service["funder_account"]) == ("open", street.love_bank)
    taken = street.step(service["id"], "accept", xiaomei["key"])
    assert taken.status_code == 200, taken.json
    assert (taken.json["state"], taken.json["volunteer"]) == ("assigned", xiaomei["id"])
    assert figures(balance(street.love_bank)) == (1200, 600, 600)
    assert balance(xiaomei["minutes_account"])["pending_in"] == 600

    clock.advance(hours=10)
    done = street.step(service["id"], "complete", xiaomei["key"], {"minutes": 600})
    assert done.status_code == 200, done.json
    confirmed = street.step(service["id"], "confirm", grandma["key"])
    assert confirmed.status_code == 200, confirmed.json
    assert (confirmed.json["state"], confirmed.json["confirmed_by"]) == ("confirmed", "requester")
    assert figures(balance(street.love_bank)) == (600, 0, 600)
    assert figures(balance(xiaomei["minutes_account"])) == (600, 0, 600)
    assert figures(balance(grandma["minutes_account"])) == (0, 0, 0)
    assert street.statement(xiaomei["minutes_account"]) == [("service", 600, 600)]
    assert street.statement(street.love_bank) == [("grant", 1200, 1200), ("service", -600, 600)]
    rated = street.step(service["id"], "rate", grandma["key"], {"stars": 5, "comment": "好孩子"})
    assert (rated.json["rating"]["stars"], rated.json["rating"]["rated_by"]) == (5, "requester")

    # Thirty years on, 小美 needs help herself and pays with what she saved; 小雷 serves her.
    clock.set(datetime(2056, 3, 1, 9, tzinfo=UTC))
    own = street.request(xiaomei["key"], 300, title="打扫屋子", category="elder_care")
    assert own.status_code == 201, own.json
    assert own.json["funder_account"] == xiaomei["minutes_account"]
    street.step(own.json["id"], "accept", xiaolei["key"])
    assert figures(balance(xiaomei["minutes_account"])) == (600, 300, 300)
    for action, headers, body in (
        ("complete", xiaolei["key"], {"minutes": 300}),
        ("confirm", xiaomei["key"], None),
    ):
        assert street.step(own.json["id"], action, headers, body).status_code == 200
    assert figures(balance(xiaomei["minutes_account"])) == (300, 0, 300)
    assert figures(balance(xiaolei["minutes_account"])) == (300, 0, 300)
    assert figures(balance(street.love_bank)) == (600, 0, 600)
    assert street.statement(xiaomei["minutes_account"]) == [
        ("service", 600, 600),
        ("service", -300, 300),
    ]
    assert street.statement(xiaolei["minutes_account"]) == [("service", 300, 300)]
    assert street.statement(street.love_bank) == [("grant", 1200, 1200), ("service", -600, 600)]
    as_of = street.client.get(
        f"/v1/accounts/{xiaomei['minutes_account']}/balance",
        query_string={"as_of": "2040-01-01T00:00:00+08:00"},
        headers=street.staff,
    )
    assert as_of.json["posted"] == 600
