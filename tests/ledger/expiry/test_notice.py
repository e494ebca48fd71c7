"""What a member is told ahead of expiry: "N points expire on DATE", 30 days ahead."""

from datetime import UTC, date, datetime, timedelta

from ledger.core import balances
from ledger.core.communities import get_account
from ledger.expiry import notice
from ledger.expiry.models import PointLot
from ledger.expiry.settings import WARNING_DAYS


def test_points_expiring_within_the_warning_days_are_listed_by_day(
    session, yearly, wang, points_of, grant, now
):
    """Two grants on one day are one line; a year less 30 days on it shows, a day sooner not."""
    grant(yearly, points_of(wang), 10)
    grant(yearly, points_of(wang), 5)
    account = get_account(session, points_of(wang))
    expires_on = date(now.year + 1, now.month, now.day)
    warned = now.replace(year=now.year + 1) - timedelta(days=WARNING_DAYS)
    found = notice.expiring(session, account, now=warned)
    assert [(e.points, e.expires_on) for e in found] == [(15, expires_on)]
    assert notice.expiring(session, account, now=warned - timedelta(days=1)) == []


def test_the_balance_and_statement_reads_carry_the_warning(
    session, yearly, wang, points_of, grant, now
):
    """Both reads keep their own figures and add what expires soon."""
    grant(yearly, points_of(wang), 10)
    account = get_account(session, points_of(wang))
    soon = now.replace(year=now.year + 1) - timedelta(days=1)
    standing = notice.with_expiring(
        session, balances.read_standing(session, account.id, now=soon), now=soon
    )
    assert (standing.posted, [e.points for e in standing.expiring]) == (10, [10])
    statement = notice.statement(session, account, now=soon, limit=5)
    assert [line.amount for line in statement.items] == [10]
    assert [e.points for e in statement.expiring] == [10]


def test_accounts_that_keep_no_lots_are_told_nothing(
    session, community, wang, points_of, grant, now
):
    """Without expiry there is nothing to warn of."""
    grant(community, points_of(wang), 10)
    assert notice.expiring(session, get_account(session, points_of(wang)), now=now) == []


def test_lots_are_told_by_the_day_they_expire_in_the_community_zone(
    session, yearly, wang, li, points_of, now
):
    """Lots a minute either side of midnight in Shanghai are two days; spent or others' lots none."""
    before_midnight = datetime(2031, 5, 1, 15, 59, tzinfo=UTC)  # 23:59 in Asia/Shanghai
    after_midnight = before_midnight + timedelta(minutes=2)
    lots = [
        (points_of(wang), after_midnight, 3, 3),
        (points_of(wang), before_midnight, 4, 2),
        (points_of(wang), before_midnight, 9, 0),
        (points_of(li), before_midnight, 8, 8),
    ]
    for account_id, expires_at, amount, remaining in lots:
        session.add(
            PointLot(
                account_id=account_id,
                earned_at=now,
                expires_at=expires_at,
                amount_points=amount,
                remaining_points=remaining,
            )
        )
    found = notice.expiring(
        session, get_account(session, points_of(wang)), now=before_midnight - timedelta(days=1)
    )
    assert [(e.points, e.expires_on, e.expires_at) for e in found] == [
        (2, date(2031, 5, 1), before_midnight),
        (3, date(2031, 5, 2), after_midnight),
    ]
