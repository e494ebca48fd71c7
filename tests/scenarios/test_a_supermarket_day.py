"""A day at the points supermarket: a sale, a return, and the shop's settlement with the community."""

from tests.support.supermarket import items_by_sku


def test_worked_example_soy_sauce_and_seeds(client, supermarket, resident, redeem, balance):
    """Auntie Wang trades 100 points for two soy sauce and seeds, returns one bottle, the shop settles."""
    wang = resident(100)
    sold = redeem(wang, lines=[("soy-sauce", 2), ("seeds", 1)])
    assert sold.status_code == 201, sold.json
    assert sold.json["points"] == 80
    assert sold.json["status"] == "captured"
    assert sold.json["member_available_points"] == 20
    assert balance(wang["points_account"])["available"] == 20
    assert items_by_sku(client, supermarket)["soy-sauce"]["stock"] == 0

    neighbour = resident(100, display_name="李叔")
    third = redeem(neighbour, lines=[("soy-sauce", 1)])
    assert third.status_code == 422
    assert third.json["type"] == "/problems/out-of-stock"
    assert (third.json["stock"], third.json["requested"]) == (0, 1)
    assert balance(neighbour["points_account"])["available"] == 100

    refund = client.post(
        f"/v1/redemptions/{sold.json['id']}/refund",
        json={"lines": [{"sku": "soy-sauce", "quantity": 1}]},
        headers=supermarket.shop_key,
    )
    assert refund.status_code == 201, refund.json
    assert refund.json["points"] == 30
    assert balance(wang["points_account"])["available"] == 50
    assert items_by_sku(client, supermarket)["soy-sauce"]["stock"] == 1

    issuance = supermarket.community["account"][("issuance", "points")]
    before = balance(issuance)["posted"]
    settled = client.post(
        f"/v1/shops/{supermarket.shop['id']}/settlements", headers=supermarket.staff
    )
    assert settled.status_code == 201, settled.json
    assert (settled.json["redeemed_points"], settled.json["refunded_points"]) == (80, 30)
    assert settled.json["points"] == 50
    assert settled.json["fen_per_point"] == 10
    assert settled.json["money_due_fen"] == 500
    assert settled.json["money_due_yuan"] == "5.00"
    assert [r["id"] for r in settled.json["redemptions"]] == [sold.json["id"]]
    assert [r["id"] for r in settled.json["refunds"]] == [refund.json["id"]]
    assert balance(issuance)["posted"] == before + 50
    assert balance(supermarket.shop["account"]["id"])["posted"] == 0
    entry = client.get(f"/v1/entries/{settled.json['entry']}", headers=supermarket.staff).json
    assert entry["kind"] == "settlement"
