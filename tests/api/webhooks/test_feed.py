"""The events feed: every event of the caller's communities, in order, resumable by cursor."""

from tests.api.earning.test_events_notice import propose, sweep


def read_all(client, headers, after=None, limit=2):
    """Walk the feed page by page from ``after``; returns the events and the last cursor."""
    seen = []
    while True:
        query = {"limit": limit, **({"after": after} if after else {})}
        page = client.get("/v1/events-feed", query_string=query, headers=headers).json
        seen += page["items"]
        if not page["items"]:
            return seen, after
        after = page["last"]


def test_the_feed_returns_every_event_in_order_and_resumes_from_a_cursor(
    app, client, clock, notice, make_community, make_key
):
    """Three events read two at a time, in order; after a restart the cursor gives only the new one;
    another community's key sees none of them."""
    events = [propose(client, notice, f"p-{n}") for n in range(3)]
    for event in events[:2]:
        client.post(
            f"/v1/events/{event['id']}/objection", json={"reason": "重复"}, headers=notice["staff"]
        )
    seen, cursor = read_all(client, notice["app"])
    assert [e["type"] for e in seen] == ["award.refused", "award.refused", "award.voided"]
    assert [e["resource"]["id"] for e in seen] == [
        events[1]["id"],
        events[2]["id"],
        events[0]["id"],
    ]
    assert (
        seen[0]["data"] == client.get(f"/v1/events/{events[1]['id']}", headers=notice["app"]).json
    )

    later = propose(client, notice, "p-9")  # the voided award gave the cap's room back
    clock.advance(days=3)
    assert sweep(app, clock) == 1
    resumed, _ = read_all(client, notice["app"], after=cursor)  # a reader back from a restart
    assert [(e["type"], e["resource"]["id"]) for e in resumed] == [("award.vested", later["id"])]
    make_community("tianwen", "天问街道")
    stranger = make_key("integrator", community="tianwen")
    assert read_all(client, stranger)[0] == []
    assert client.get(f"/v1/events-feed/{seen[0]['id']}", headers=stranger).status_code == 404
