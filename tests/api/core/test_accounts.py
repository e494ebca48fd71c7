"""Accounts: balances, statements and the balance as of an instant."""

from datetime import timedelta


def test_adjustment_shows_in_balances_statement_and_as_of(
    client, admin, qianjiang, make_member, grant, balance, clock
):
    """100 points from issuance: member 100, issuance -100, statement 100, before it 0."""
    member = make_member("qianjiang")
    before = clock.now() - timedelta(seconds=1)
    entry = grant(qianjiang, member["points_account"], 100)
    assert entry["kind"] == "adjustment" and entry["status"] == "posted"
    assert balance(member["points_account"])["posted"] == 100
    assert balance(qianjiang["account"][("issuance", "points")])["posted"] == -100

    statement = client.get(f"/v1/accounts/{member['points_account']}/statement", headers=admin).json
    assert [(line["entry"], line["amount"], line["balance"]) for line in statement["items"]] == [
        (entry["id"], 100, 100)
    ]
    as_of = client.get(
        f"/v1/accounts/{member['points_account']}/balance",
        query_string={"as_of": before.isoformat()},
        headers=admin,
    ).json
    assert as_of["posted"] == 0
    now = client.get(
        f"/v1/accounts/{member['points_account']}/balance",
        query_string={"as_of": entry["posted_at"]},
        headers=admin,
    ).json
    assert now["posted"] == 100


def test_statement_pages_carry_the_running_balance_across_cursors(
    client, admin, qianjiang, make_member, grant, clock
):
    """Page two starts from the balance page one ended with."""
    member = make_member("qianjiang")
    for amount in (10, 20, 30, 40, 50):
        clock.advance(minutes=1)
        grant(qianjiang, member["points_account"], amount)
    url = f"/v1/accounts/{member['points_account']}/statement"
    first = client.get(url, query_string={"limit": 2}, headers=admin).json
    second = client.get(
        url, query_string={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
    ).json
    third = client.get(
        url, query_string={"limit": 2, "cursor": second["next_cursor"]}, headers=admin
    ).json
    balances = [line["balance"] for page in (first, second, third) for line in page["items"]]
    assert balances == [10, 30, 60, 100, 150]
    assert third["next_cursor"] is None
