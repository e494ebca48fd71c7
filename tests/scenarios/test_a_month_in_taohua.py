"""A month of 桃花社区 (awards, sales, settlement, services) and the report that adds it up."""

from tests.support.taohua import FROM, TO, balance_before, report, statement


def test_every_report_figure_equals_the_sum_of_the_statements(client, admin, make_key, taohua):
    """Issued, returned, redeemed, settled, outstanding, pending, participants, minutes, love bank."""
    staff = make_key("staff", community="taohua")
    response = report(client, staff)
    assert response.status_code == 200, response.json
    figures = response.json
    window = {"from": FROM, "to": TO}

    def entry(entry_id):
        return client.get(f"/v1/entries/{entry_id}", headers=admin).json

    # Issued and returned: the issuance account's statement, labelled by each entry.
    issued, returned = {}, {}
    for line in statement(client, admin, taohua["issuance"], **window):
        if line["amount"] < 0:
            found = entry(line["entry"])
            label = found["metadata"].get("activity") if found["kind"] == "award" else found["kind"]
            issued[label] = issued.get(label, 0) - line["amount"]
        else:
            returned[line["kind"]] = returned.get(line["kind"], 0) + line["amount"]
    assert (
        figures["points"]["issued_by_activity"]
        == issued
        == {"deliberation.attend": 40, "cleanup.join": 60, "adjustment": 10}
    )
    assert figures["points"]["issued"] == sum(issued.values())
    assert figures["points"]["returned_by_kind"] == returned == {"reversal": 15, "settlement": 20}

    # Shops: their own statements.
    shops = {s["account"]: s for s in figures["points"]["shops"]}
    for account in taohua["shops"].values():
        lines = statement(client, admin, account, **window)
        total = {
            kind: sum(line["amount"] for line in lines if line["kind"] == kind)
            for kind in ("redemption", "refund", "settlement")
        }
        assert shops[account]["redeemed"] == total["redemption"]
        assert shops[account]["refunded"] == -total["refund"]
        assert shops[account]["settled"] == -total["settlement"]
        assert shops[account]["owed"] == balance_before(client, admin, account, TO)
    assert figures["points"]["redeemed"] == (25 - 5) + 12
    assert figures["points"]["settled"] == 20

    # Outstanding: minus the issuance balance at each end of the window.
    start = -balance_before(client, admin, taohua["issuance"], FROM)
    end = -balance_before(client, admin, taohua["issuance"], TO)
    assert (
        (figures["points"]["outstanding_at_start"], figures["points"]["outstanding_at_end"])
        == (start, end)
        == (30, 30 + 110 - 35)
    )
    assert end == start + figures["points"]["issued"] - figures["points"]["returned"]

    # Pending: what the accounts hold right now.
    pending = {(p["kind"], p["unit"]): p["amount"] for p in figures["pending"]}
    issuance_now = client.get(f"/v1/accounts/{taohua['issuance']}", headers=admin).json
    barber_now = client.get(f"/v1/accounts/{taohua['shops']['01BARBER']}", headers=admin).json
    assert (
        pending
        == {
            ("award", "points"): issuance_now["pending_out"],
            ("redemption", "points"): barber_now["pending_in"],
        }
        == {("award", "points"): 5, ("redemption", "points"): 3}
    )

    # Participants and minutes: the residents' statements.
    taking_part, minutes = set(), {}
    for name, person in taohua["people"].items():
        for account in (person["points_account"], person["minutes_account"]):
            lines = statement(client, admin, account, **window)
            if lines:
                taking_part.add(name)
            for line in lines:
                if line["kind"] == "service" and line["amount"] > 0:
                    category = entry(line["entry"])["metadata"]["category"]
                    minutes[category] = minutes.get(category, 0) + line["amount"]
    assert figures["members_taking_part"] == len(taking_part) == 5
    assert figures["members"] == 5
    assert figures["minutes_by_category"] == minutes == {"escort": 90, "visit": 90}
    assert figures["minutes_exchanged"] == 180

    # Love bank: its balances at the end of the window.
    assert (
        figures["love_bank"]
        == {
            unit: balance_before(client, admin, account, TO)
            for unit, account in taohua["love_bank"].items()
        }
        == {"points": 8, "minutes": 540}
    )
