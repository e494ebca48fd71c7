"""What a member is told ahead of expiry: "N points expire on DATE", 30 days ahead."""

from datetime import date, timedelta

from ledger.core.communities import get_account
from ledger.expiry import notice
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
    standing = notice.standing(session, account, now=soon)
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
