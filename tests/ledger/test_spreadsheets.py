"""CSVs for people: local times, names instead of ids, Chinese headings."""

from datetime import timedelta

from ledger import spreadsheets
from ledger.audit.reports import community_report
from ledger.supermarket.consent import issue_code
from ledger.supermarket.redemptions import redeem


def test_a_statement_names_the_activity_and_the_items_in_local_time(
    session, community, wang, shop, award, points_of, grant, now
):
    """An award reads as its activity, a purchase as its items, at Shanghai's wall-clock time."""
    grant(community, points_of(wang), 100)
    award(wang, activity="stargazing.talk", points=5)
    _, code = issue_code(session, wang, now=now)
    redeem(
        session,
        shop,
        member_id=wang.id,
        consent={"code": code},
        lines=[{"sku": "rice", "quantity": 2}],
        now=now + timedelta(minutes=1),
    )
    account = session.get(type(wang.accounts[0]), points_of(wang))
    rows = spreadsheets.statement_rows(session, account)
    local = (now + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert rows[1] == (local, "参加stargazing.talk", 5, 105, "积分")
    assert rows[2][1:] == ("兑换大米 ×2", -60, 45, "积分")
    assert rows[0][1] == "调整"


def test_a_report_names_shops_and_sections_instead_of_ids(
    session, community, wang, shop, award, now
):
    """The report's shop rows carry the shop's name, its window the local time."""
    award(wang, activity="cleanup.join", points=10)
    report = community_report(session, community, now=now, from_=now - timedelta(days=1), to=now)
    rows = spreadsheets.report_rows(report, community)
    assert ("报告", "社区", "", "潜江社区") in rows
    assert ("报告", "结束", "", (now + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")) in rows
    assert ("待结算积分", "星光积分超市", "积分", 0) in rows
    assert not any(shop.id in str(cell) for row in rows for cell in row)
    assert len(rows) == len(report.rows()) + 4 - len(report.shops)
