"""The fast path of POST /v1/events (PostgreSQL): few round trips, and the general path's answers."""

from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from ledger.earning import fastpath
from tests.support.concurrently import run_together

pytestmark = pytest.mark.postgres

# BEGIN and COMMIT included: the brief of the fast path.
MAX_ROUND_TRIPS_PER_EVENT = 4
SATURDAY = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
RESIDENTS = 4
TABLETS = 6  # events per resident, posted at once


@contextmanager
def round_trips(engine):
    """Count what the engine sends: statements, BEGIN, COMMIT and ROLLBACK."""
    sent = Counter()

    def statement(*_args):
        sent["statements"] += 1

    def transaction(kind):
        return lambda *_args: sent.update([kind])

    hooks = [
        ("before_cursor_execute", statement),
        ("begin", transaction("begin")),
        ("commit", transaction("commit")),
        ("rollback", transaction("rollback")),
    ]
    for name, hook in hooks:
        event.listen(engine, name, hook)
    try:
        yield sent
    finally:
        for name, hook in hooks:
            event.remove(engine, name, hook)


@pytest.fixture
def meeting(client, clock, make_community, make_member, make_key):
    """Meetings earn 5 points, at most twice a day and 8 points a week, in two communities."""
    clock.set(SATURDAY + timedelta(hours=8))
    towns = {}
    for slug in ("qianjiang", "taohua"):
        make_community(slug)
        staff = make_key("staff", community=slug)
        response = client.put(
            f"/v1/communities/{slug}/rules/deliberation.attend",
            headers=staff,
            json={
                "points": 5,
                "caps": [{"period": "day", "max_count": 2}, {"period": "week", "max_points": 8}],
            },
        )
        assert response.status_code == 201
        towns[slug] = {
            "residents": [make_member(slug, f"R-{n:03d}") for n in range(RESIDENTS)],
            "app": make_key("integrator", community=slug),
        }
    return towns


def attend(slug, resident, source_id, minute=0):
    return {
        "community": slug,
        "activity": "deliberation.attend",
        "member": resident["id"],
        "occurred_at": (SATURDAY + timedelta(minutes=minute)).isoformat(),
        "source_id": source_id,
        "recorded_by": "楼长",
    }


def test_an_earn_event_costs_at_most_four_round_trips(app, client, meeting):
    """Once the key and the rule are known, an award is BEGIN, two statements and COMMIT."""
    from api.extensions import db

    town = meeting["qianjiang"]
    resident = town["residents"][0]
    warm = client.post("/v1/events", headers=town["app"], json=attend("qianjiang", resident, "a"))
    assert warm.status_code == 201
    with app.app_context():
        engine = db.engine
    with round_trips(engine) as sent:
        response = client.post(
            "/v1/events", headers=town["app"], json=attend("qianjiang", resident, "b", 1)
        )
    assert response.status_code == 201 and response.json["points_awarded"] == 3  # the week cap
    assert sent.total() <= MAX_ROUND_TRIPS_PER_EVENT, sent


def test_a_refused_event_costs_at_most_four_round_trips(app, client, meeting):
    """An event over its cap is recorded as refused in the same two statements."""
    from api.extensions import db

    town = meeting["qianjiang"]
    resident = town["residents"][0]
    for n in range(2):
        body = attend("qianjiang", resident, f"day-{n}", n)
        assert client.post("/v1/events", headers=town["app"], json=body).status_code == 201
    with app.app_context():
        engine = db.engine
    with round_trips(engine) as sent:
        response = client.post(
            "/v1/events", headers=town["app"], json=attend("qianjiang", resident, "day-2", 2)
        )
    assert response.json["status"] == "refused"
    assert sent.total() <= MAX_ROUND_TRIPS_PER_EVENT, sent


def _post_all(app, town, slug):
    """Every resident's TABLETS meetings at once, each event twice (a retry with the same
    source id) and every other one with an Idempotency-Key; returns the answers."""
    jobs = [
        (resident, n, copy)
        for resident in town["residents"]
        for n in range(TABLETS)
        for copy in range(2)
    ]

    def post(index):
        resident, n, copy = jobs[index]
        headers = dict(town["app"])
        if n % 2:
            headers["Idempotency-Key"] = f"{resident['external_ref']}-{n}-{copy}"
        source_id = f"{resident['external_ref']}-tablet-{n}"
        response = app.test_client().post(
            "/v1/events", headers=headers, json=attend(slug, resident, source_id, n)
        )
        return resident["external_ref"], n, response.status_code, response.json

    return run_together(len(jobs), post)


def _answers(results):
    """What each resident was answered, without ids: (status code, status, points) counted."""
    found = Counter()
    for ref, _n, code, body in results:
        found[(ref, code, body["status"], body["points_awarded"], body["outcome"])] += 1
    return found


def _journal(app, slug):
    """The community's events, entries, balances and outbox, by resident, without ids."""
    from api.extensions import db

    query = sa.text(
        """
        SELECT m.external_ref, e.status, e.points_awarded, e.decision::text::jsonb ->> 'outcome',
               count(DISTINCT p.id), coalesce(sum(p.amount), 0),
               (SELECT count(*) FROM webhook_events w WHERE w.resource_id = e.id)
        FROM earning_events e
        JOIN members m ON m.id = e.member_id
        JOIN communities c ON c.id = e.community_id
        LEFT JOIN entries n ON n.cause_id = e.id
        LEFT JOIN postings p ON p.entry_id = n.id
        WHERE c.slug = :slug
        GROUP BY m.external_ref, e.id
        """
    )
    balances = sa.text(
        """
        SELECT m.external_ref, sum(b.posted)
        FROM account_balances b JOIN accounts a ON a.id = b.account_id
        JOIN members m ON m.id = a.owner_id JOIN communities c ON c.id = m.community_id
        WHERE c.slug = :slug GROUP BY m.external_ref
        """
    )
    with app.app_context():
        events = Counter(tuple(row) for row in db.session.execute(query, {"slug": slug}))
        held = dict(db.session.execute(balances, {"slug": slug}).all())
        db.session.remove()
    return events, held


def test_concurrent_events_answer_and_write_as_the_general_path_does(app, meeting, monkeypatch):
    """The same storm of events, retries and Idempotency-Keys through the general path in one
    community and the fast path in another: the same answers, events, entries and balances."""
    with monkeypatch.context() as general:
        general.setattr(fastpath, "eligible", lambda *args: False)
        slow = _post_all(app, meeting["taohua"], "taohua")
    fast = _post_all(app, meeting["qianjiang"], "qianjiang")
    assert _answers(fast) == _answers(slow)
    assert _journal(app, "qianjiang") == _journal(app, "taohua")
    statuses = Counter(body["status"] for *_, body in fast)
    # Two awards per resident (5 points, then the 3 left of the week's 8), each answered twice.
    assert statuses["awarded"] == 2 * 2 * RESIDENTS
    assert Counter(code for *_, code, _ in fast) == Counter(
        {201: RESIDENTS * TABLETS, 200: RESIDENTS * TABLETS}
    )


def _batch(slug, residents, prefix, size):
    events = [
        attend(slug, residents[n % len(residents)], f"{prefix}-{n}", n % 60) for n in range(size)
    ]
    return {"events": events}


def test_a_batch_costs_the_same_round_trips_for_ten_events_as_for_fifty(app, client, meeting):
    """The batch path writes its events, balances, entries and postings in one statement each:
    its round trips do not grow with the number of events (each town's residents start afresh)."""
    from api.extensions import db

    with app.app_context():
        engine = db.engine
    counted = []
    for slug, size in (("qianjiang", 10), ("taohua", 50)):
        town = meeting[slug]
        warm = _batch(slug, town["residents"][:1], f"w{size}", 1)
        assert client.post("/v1/events/batch", headers=town["app"], json=warm).status_code == 200
        with round_trips(engine) as sent:
            body = _batch(slug, town["residents"], f"b{size}", size)
            response = client.post("/v1/events/batch", headers=town["app"], json=body)
        assert response.status_code == 200 and response.json["summary"]["awarded"] >= RESIDENTS
        counted.append(sent.total())
    assert counted[0] == counted[1], counted
