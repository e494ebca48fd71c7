"""桃花社区 through May, written straight into the ledger, and the report and statement reads."""

from datetime import UTC, datetime, timedelta

import pytest

from api.extensions import db
from ledger.capabilities import reverse_entry
from ledger.core.communities import open_account, system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending, void_pending
from ledger.core.models import Community

MAY = datetime(2026, 5, 1, tzinfo=UTC)


FROM, TO = MAY + timedelta(days=1), MAY + timedelta(days=20)


@pytest.fixture
def taohua(app, make_community, make_member):
    """桃花社区 through May: awards, redemptions at two shops, a refund, a settlement, services.

    Some entries fall before the window (1 May) and after it (25 May), some stay pending.
    """
    made = make_community("taohua", "桃花社区", time_floor_minutes=-600)
    people = {
        name: make_member("taohua", display_name=name)
        for name in ("王秀英", "李建国", "张梅", "刘洋", "陈静")
    }
    # Written in an app context of its own, closed before the test's requests run.
    with app.app_context():
        written = _write_may(db.session, made, people)
        db.session.remove()
    return written


def _write_may(session, made, people):
    community = session.get(Community, made["id"])
    shops = {
        name: open_account(
            session,
            community_id=community.id,
            owner_id=f"shop_{name}",
            kind="shop",
            unit="points",
            floor=0,
            now=MAY,
        ).id
        for name in ("01GROCER", "01BARBER")
    }
    issuance = system_account(session, community.id, "issuance", "points").id
    minutes_issuance = system_account(session, community.id, "issuance", "minutes").id
    love_bank_minutes = system_account(session, community.id, "love_bank", "minutes").id
    love_bank_points = system_account(session, community.id, "love_bank", "points").id
    pts = {n: p["points_account"] for n, p in people.items()}
    mins = {n: p["minutes_account"] for n, p in people.items()}

    def post(day, kind, postings, details=None, pending=False):
        return post_entry(
            session,
            EntryDraft(
                community_id=community.id,
                kind=kind,
                memo=f"{kind} on day {day}",
                postings=[PostingDraft(*p) for p in postings],
                details=details or {},
                pending=pending,
            ),
            now=MAY + timedelta(days=day, hours=3),
        )

    award = {"activity": "deliberation.attend"}
    post(0, "award", [(issuance, pts["王秀英"], "points", 30)], award)  # before the window
    post(2, "award", [(issuance, pts["王秀英"], "points", 20)], award)
    post(2, "award", [(issuance, pts["李建国"], "points", 20)], award)
    post(3, "award", [(issuance, pts["张梅"], "points", 45)], {"activity": "cleanup.join"})
    wrong = post(4, "award", [(issuance, pts["刘洋"], "points", 15)], {"activity": "cleanup.join"})
    reverse_entry(session, wrong.id, reason="he was not there", now=MAY + timedelta(days=5))
    post(5, "adjustment", [(issuance, pts["陈静"], "points", 10)], {"reason": "welcome gift"})
    post(6, "redemption", [(pts["王秀英"], shops["01GROCER"], "points", 25)], {"shop": "grocer"})
    post(6, "redemption", [(pts["李建国"], shops["01BARBER"], "points", 12)], {"shop": "barber"})
    post(7, "refund", [(shops["01GROCER"], pts["王秀英"], "points", 5)], {"shop": "grocer"})
    post(8, "settlement", [(shops["01GROCER"], issuance, "points", 20)], {"shop": "grocer"})
    post(9, "donation", [(pts["张梅"], love_bank_points, "points", 8)])
    post(9, "grant", [(minutes_issuance, love_bank_minutes, "minutes", 600)])
    post(10, "service", [(mins["王秀英"], mins["张梅"], "minutes", 90)], {"category": "escort"})
    post(11, "service", [(love_bank_minutes, mins["陈静"], "minutes", 60)], {"category": "visit"})
    post(11, "service", [(mins["李建国"], mins["陈静"], "minutes", 30)], {"category": "visit"})
    hold = post(
        12,
        "service",
        [(mins["刘洋"], mins["张梅"], "minutes", 45)],
        {"category": "escort"},
        pending=True,
    )
    post(13, "award", [(issuance, pts["李建国"], "points", 5)], award, pending=True)  # notice
    held = post(14, "redemption", [(pts["张梅"], shops["01BARBER"], "points", 9)], pending=True)
    post(15, "redemption", [(pts["李建国"], shops["01BARBER"], "points", 3)], pending=True)
    void_pending(session, held.id, now=MAY + timedelta(days=15))
    post(25, "award", [(issuance, pts["刘洋"], "points", 50)], award)  # after the window
    post_pending(session, hold.id, now=MAY + timedelta(days=26))  # posted after the window
    session.commit()
    return {
        "community": made,
        "people": people,
        "shops": shops,
        "issuance": issuance,
        "love_bank": {"points": love_bank_points, "minutes": love_bank_minutes},
    }


def statement(client, admin, account, **window):
    query = "&".join(f"{k}={v.isoformat().replace('+', '%2B')}" for k, v in window.items())
    response = client.get(f"/v1/accounts/{account}/statement?limit=200&{query}", headers=admin)
    assert response.status_code == 200, response.json
    assert response.json["next_cursor"] is None
    return response.json["items"]


def balance_before(client, admin, account, instant) -> int:
    lines = statement(client, admin, account, to=instant)
    return lines[-1]["balance"] if lines else 0


def report(client, headers, slug="taohua", accept="application/json"):
    query = f"from={FROM.isoformat()}&to={TO.isoformat()}".replace("+", "%2B")
    return client.get(
        f"/v1/communities/{slug}/report?{query}", headers={**headers, "Accept": accept}
    )
