"""Communities and members: the accounts they open and the lists that page through them."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from tests.support.concurrently import run_together


def test_new_community_has_issuance_and_love_bank_accounts_per_unit(qianjiang):
    """Issuance (no floor) and love bank (floor 0) exist for points and minutes."""
    floors = {(a["kind"], a["unit"]): a["floor"] for a in qianjiang["accounts"]}
    assert floors == {
        ("issuance", "points"): None,
        ("issuance", "minutes"): None,
        ("love_bank", "points"): 0,
        ("love_bank", "minutes"): 0,
    }
    assert qianjiang["timezone"] == "Asia/Shanghai"


def test_new_member_has_points_floor_zero_and_minutes_at_the_time_floor(qianjiang, make_member):
    """A resident's points may not go below 0; their minutes may go down to -600."""
    member = make_member("qianjiang", "R-1", "王秀英")
    floors = {a["unit"]: a["floor"] for a in member["accounts"]}
    assert floors == {"points": 0, "minutes": -600}
    assert all(a["posted"] == 0 and a["available"] == 0 for a in member["accounts"])


def test_communities_list_and_members_list_are_keyset_paginated(
    client, admin, make_community, make_member
):
    """Lists walk through every item once, page by page."""
    for slug in ("a-village", "b-village", "c-village"):
        make_community(slug, slug)
    first = client.get("/v1/communities", query_string={"limit": 2}, headers=admin).json
    second = client.get(
        "/v1/communities", query_string={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
    ).json
    assert [c["slug"] for c in first["items"] + second["items"]] == [
        "a-village",
        "b-village",
        "c-village",
    ]
    ids = {make_member("a-village")["id"] for _ in range(3)}
    page = client.get(
        "/v1/communities/a-village/members", query_string={"limit": 2}, headers=admin
    ).json
    rest = client.get(
        "/v1/communities/a-village/members",
        query_string={"limit": 2, "cursor": page["next_cursor"]},
        headers=admin,
    ).json
    assert {m["id"] for m in page["items"] + rest["items"]} == ids


def test_duplicates_are_conflicts(client, admin, make_community, make_member):
    """A second community with one slug, or a second member with one external ref, is 409."""
    make_community("dup")
    assert (
        client.post(
            "/v1/communities", headers=admin, json={"slug": "dup", "name": "again"}
        ).status_code
        == 409
    )
    make_member("dup", "R-9")
    again = client.post(
        "/v1/communities/dup/members",
        headers=admin,
        json={"external_ref": "R-9", "display_name": "x"},
    )
    assert again.status_code == 409
    assert again.json["type"] == "/problems/member-exists"


def _hold(app, community, member, amount, *, expires_at):
    """A pending hold of ``amount`` points out of the member's account; returns its entry id."""
    from api.extensions import db
    from ledger.core.journal import EntryDraft, PostingDraft, post_entry

    with app.app_context():
        draft = EntryDraft(
            community_id=community["id"],
            kind="adjustment",
            postings=[
                PostingDraft(
                    member["points_account"],
                    community["account"][("issuance", "points")],
                    "points",
                    amount,
                )
            ],
            pending=True,
            expires_at=expires_at,
        )
        entry_id = post_entry(db.session, draft, now=expires_at - timedelta(minutes=1)).id
        db.session.commit()
        db.session.remove()
    return entry_id


def test_a_members_page_is_read_in_one_snapshot(
    app, client, admin, qianjiang, make_member, grant, clock
):
    """A hold voided while the page is being read shows as held or gone, never half of each."""
    from api.extensions import db
    from ledger.core.journal import void_pending

    member = make_member("qianjiang")
    grant(qianjiang, member["points_account"], 100)
    now = datetime(2031, 5, 1, 9, 0, tzinfo=UTC)
    hold = _hold(app, qianjiang, member, 30, expires_at=now)
    clock.set(now + timedelta(minutes=5))  # the hold has expired; the sweep has not run yet
    voided = []

    def sweep_between_statements(conn, cursor, statement, *args):
        # Once the first statement of the page read that reads balances has run, the sweep voids
        # the expired hold and commits before any later statement of the same read runs.
        if voided or "account_balances" not in statement:
            return
        voided.append(hold)
        with app.app_context():
            sweeper = db.engine.connect()
        with sweeper.begin():
            void_pending(Session(bind=sweeper), hold, now=clock.now())
        sweeper.close()

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", sweep_between_statements)
    try:
        page = client.get("/v1/communities/qianjiang/members", headers=admin).json
    finally:
        event.remove(engine, "after_cursor_execute", sweep_between_statements)
    assert voided == [hold]
    (points,) = [a for a in page["items"][0]["accounts"] if a["unit"] == "points"]
    assert (points["posted"], points["pending_out"], points["available"]) == (100, 0, 100)


TRANSFERS_PER_WRITER = 30
PAGE_READS = 30


@pytest.mark.postgres
def test_a_members_page_sums_to_a_real_total_under_concurrent_transfers(
    app, admin, qianjiang, make_member, grant
):
    """Points moving between two members of a page never change the page's total."""
    alice, bob = make_member("qianjiang"), make_member("qianjiang")
    grant(qianjiang, alice["points_account"], 100)
    grant(qianjiang, bob["points_account"], 100)

    def transfer(source, target):
        posting = {"from": source, "to": target, "unit": "points", "amount": 7}
        body = {"postings": [posting], "reason": "gift recorded by staff"}
        return app.test_client().post("/v1/adjustments", json=body, headers=admin).status_code

    def act(index):
        if index == 0:
            client = app.test_client()
            pages = [
                client.get("/v1/communities/qianjiang/members", headers=admin).json
                for _ in range(PAGE_READS)
            ]
            points = [
                [a["posted"] for m in page["items"] for a in m["accounts"] if a["unit"] == "points"]
                for page in pages
            ]
            return "totals", [sum(balances) for balances in points]
        source, target = (alice, bob) if index == 1 else (bob, alice)
        return "writes", [
            transfer(source["points_account"], target["points_account"])
            for _ in range(TRANSFERS_PER_WRITER)
        ]

    results = run_together(3, act)
    totals = [t for role, found in results if role == "totals" for t in found]
    writes = [s for role, found in results if role == "writes" for s in found]
    assert set(totals) == {200}
    # A writer that runs ahead of the other may meet the floor (422); none may fail otherwise.
    assert 201 in writes and set(writes) <= {201, 422, 503}
