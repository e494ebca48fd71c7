"""The community report (结果公示) agrees, figure by figure, with the members' own statements."""

import csv
import io
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


def test_the_csv_carries_the_same_figures(client, make_key, taohua):
    """With Accept: text/csv the report is section,item,unit,value rows of the same numbers."""
    staff = make_key("staff", community="taohua")
    figures = report(client, staff).json
    response = report(client, staff, accept="text/csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    value = {(r["section"], r["item"], r["unit"]): r["value"] for r in rows}
    assert value[("report", "community", "")] == "taohua"
    points = figures["points"]
    for activity, amount in points["issued_by_activity"].items():
        assert int(value[("issued", activity, "points")]) == amount
    assert int(value[("issued", "total", "points")]) == points["issued"]
    for kind, amount in points["returned_by_kind"].items():
        assert int(value[("returned", kind, "points")]) == amount
    for shop in points["shops"]:
        for column in ("redeemed", "refunded", "settled", "owed"):
            assert int(value[(column, shop["shop"], "points")]) == shop[column]
    assert int(value[("net_redeemed", "total", "points")]) == points["redeemed"]
    assert int(value[("settled", "total", "points")]) == points["settled"]
    assert int(value[("outstanding", "at_start", "points")]) == points["outstanding_at_start"]
    assert int(value[("outstanding", "at_end", "points")]) == points["outstanding_at_end"]
    for pending in figures["pending"]:
        assert int(value[("pending", pending["kind"], pending["unit"])]) == pending["amount"]
    assert (
        int(value[("participants", "members_taking_part", "members")])
        == figures["members_taking_part"]
    )
    for category, minutes in figures["minutes_by_category"].items():
        assert int(value[("minutes_exchanged", category, "minutes")]) == minutes
    for unit, amount in figures["love_bank"].items():
        assert int(value[("love_bank", "balance", unit)]) == amount
    numbers = [r for r in rows if r["section"] != "report"]
    assert len(numbers) == len(value) - 3


def test_a_statement_as_csv_has_the_lines_of_the_json_statement(client, admin, make_key, taohua):
    """A resident downloads their statement as CSV: the same lines and running balances."""
    wang = taohua["people"]["王秀英"]
    member = make_key("member", member=wang["id"])
    response = client.get(f"/v1/accounts/{wang['points_account']}/statement.csv", headers=member)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    lines = statement(client, admin, wang["points_account"])
    assert [(r["entry"], r["kind"], int(r["amount"]), int(r["balance"])) for r in rows] == [
        (line["entry"], line["kind"], line["amount"], line["balance"]) for line in lines
    ]
    assert rows[0]["memo"] == "award on day 0" and rows[0]["unit"] == "points"
    other = taohua["people"]["李建国"]
    assert (
        client.get(
            f"/v1/accounts/{other['points_account']}/statement.csv", headers=member
        ).status_code
        == 404
    )


def test_only_the_communitys_staff_read_its_report(client, make_key, make_community, taohua):
    """A resident gets 403, another community's staff 404, and a reversed window 422."""
    resident = make_key("member", member=taohua["people"]["张梅"]["id"])
    assert report(client, resident).status_code == 403
    make_community("donghu", "东湖社区")
    assert report(client, make_key("staff", community="donghu")).status_code == 404
    staff = make_key("staff", community="taohua")
    backwards = client.get(
        "/v1/communities/taohua/report?from=2026-06-01T00:00:00Z&to=2026-05-01T00:00:00Z",
        headers=staff,
    )
    assert backwards.status_code == 422
    assert backwards.json["type"].endswith("report-window-invalid")
    whole = client.get("/v1/communities/taohua/report", headers=staff)
    assert whole.status_code == 200
    assert whole.json["points"]["outstanding_at_end"] == 30 + 110 - 35 + 50
