"""The report's daily rollups: final days summed once, windows read from sums and scanned edges."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ledger.audit import rollups
from ledger.audit.flows import posted_between
from ledger.audit.models import JournalDay, JournalDaySum
from ledger.audit.reports import community_report
from ledger.audit.rollups import ROLLUP_DELAY, roll_up_day, roll_up_days, window_flows
from ledger.audit.verify import verify
from ledger.core.clock import local_day
from ledger.core.communities import system_account
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending
from ledger.core.models import Entry

SHANGHAI = "Asia/Shanghai"
# 2026-11-02 00:00 in Shanghai; the tests' clock stands at 09:00 that day.
DAY_ONE = datetime(2026, 11, 1, 16, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def journal(session, community, wang, li, points_of):
    """Awards of two activities and transfers both ways on each of five local days."""
    issuance = system_account(session, community.id, "issuance", "points").id
    wangs, lis = points_of(wang), points_of(li)
    for day in range(5):
        at = DAY_ONE + day * DAY + (day + 2) * HOUR
        post(session, community, "award", issuance, wangs, 10, at, activity="cleanup.join")
        post(session, community, "award", issuance, lis, 3 + day, at, activity="meeting.attend")
        post(session, community, "transfer", wangs, lis, 2, at + HOUR)
        post(session, community, "transfer", lis, wangs, 1, at + 20 * HOUR)
    return community


def post(session, community, kind, source, target, amount, at, unit="points", **details):
    draft = EntryDraft(
        community.id, kind, [PostingDraft(source, target, unit, amount)], details=details
    )
    return post_entry(session, draft, now=at)


def scanned(session, community, from_, to):
    """The window's flows by one scan of its postings, as before rollups."""
    condition = sa.and_(Entry.community_id == community.id, posted_between(from_, to))
    return sorted(rollups._scanned(session, condition))


def rolled_up(session, community, days):
    """Every final day of the first ``days`` rolled up, as the sweep would an hour after."""
    return roll_up_days(session, local_day(DAY_ONE + (days - 1) * DAY, SHANGHAI)[1] + ROLLUP_DELAY)


def test_a_rolled_up_window_reads_the_same_flows_as_a_scan(session, journal):
    """Whole days from their sums and ragged ends scanned: the same groups as one scan."""
    windows = [
        (DAY_ONE, DAY_ONE + 5 * DAY),
        (DAY_ONE + 5 * HOUR, DAY_ONE + 3 * DAY + 3 * HOUR),
        (None, DAY_ONE + 2 * DAY + timedelta(microseconds=1)),
        (DAY_ONE + DAY, None),
        (None, None),
    ]
    before = [scanned(session, journal, *window) for window in windows]
    assert rolled_up(session, journal, 5) >= 5
    assert [sorted(window_flows(session, journal.id, *w)) for w in windows] == before


def test_the_report_of_rolled_days_is_read_from_their_sums(session, journal, now):
    """A sum changed behind the ledger's back shows in the report: its days are not rescanned."""
    month = (DAY_ONE, DAY_ONE + 5 * DAY)
    rolled_up(session, journal, 5)
    report = community_report(session, journal, now=now, from_=month[0], to=month[1])
    assert report.issued_by_activity["cleanup.join"] == 50
    session.execute(
        sa.update(JournalDaySum)
        .where(JournalDaySum.activity == "cleanup.join", JournalDaySum.starts_at == DAY_ONE)
        .values(amount=JournalDaySum.amount + 1)
    )
    report = community_report(session, journal, now=now, from_=month[0], to=month[1])
    assert report.issued_by_activity["cleanup.join"] == 51


def test_verify_names_a_day_whose_sums_differ_from_its_postings(session, journal):
    """A rolled day's sum edited: verify reports that day and no other."""
    rolled_up(session, journal, 5)
    assert [b for b in verify(session) if b.check == "rollup"] == []
    second = DAY_ONE + DAY
    session.execute(
        sa.update(JournalDaySum)
        .where(JournalDaySum.starts_at == second, JournalDaySum.kind == "transfer")
        .values(amount=JournalDaySum.amount + 1)
    )
    breaches = [b for b in verify(session) if b.check == "rollup"]
    assert [b.subject for b in breaches] == [f"{journal.id} {second.isoformat()}"]


def test_a_day_is_rolled_up_only_an_hour_after_it_ends(session, journal):
    """Just before the delay nothing is rolled; at it, the first day is."""
    first_end = DAY_ONE + DAY
    assert roll_up_days(session, first_end + ROLLUP_DELAY - timedelta(seconds=1)) == 0
    assert roll_up_days(session, first_end + ROLLUP_DELAY) == 1
    days = session.execute(sa.select(JournalDay.starts_at, JournalDay.ends_at)).all()
    assert days == [(DAY_ONE, first_end)]


def test_rolling_up_again_adds_nothing(session, journal):
    """A second run finds every final day done and leaves the sums as they were."""
    assert rolled_up(session, journal, 5) == 5
    sums = sorted(session.execute(sa.select(JournalDaySum.__table__)).all())
    assert rolled_up(session, journal, 5) == 0
    assert sorted(session.execute(sa.select(JournalDaySum.__table__)).all()) == sums


def test_quiet_days_are_marked_so_the_rolled_days_run_unbroken(
    session, community, wang, li, points_of, grant
):
    """Postings on the first and fourth days only: four days marked, sums for two."""
    grant(community, points_of(wang), 5)  # at the clock's 09:00 on the first day
    post(session, community, "transfer", points_of(wang), points_of(li), 1, DAY_ONE + 3 * DAY)
    assert rolled_up(session, community, 4) == 4
    days = session.scalars(sa.select(JournalDay.starts_at).order_by(JournalDay.starts_at)).all()
    assert days == [DAY_ONE + n * DAY for n in range(4)]
    summed = session.scalars(sa.select(JournalDaySum.starts_at).distinct()).all()
    assert sorted(summed) == [DAY_ONE, DAY_ONE + 3 * DAY]


def test_a_long_backlog_is_rolled_up_over_several_runs(session, journal, monkeypatch):
    """With two days a run, five final days take three runs."""
    monkeypatch.setattr(rollups, "MAX_DAYS_PER_RUN", 2)
    assert [rolled_up(session, journal, 5) for _ in range(4)] == [2, 2, 1, 0]


def test_a_day_another_sweep_marked_is_left_to_it(session, journal, now):
    """Marking a day twice fails quietly, and the first marking's sums stand alone."""
    assert roll_up_day(session, journal.id, DAY_ONE, DAY_ONE + DAY, now=now)
    count = session.scalar(sa.select(sa.func.count()).select_from(JournalDaySum))
    assert not roll_up_day(session, journal.id, DAY_ONE, DAY_ONE + DAY, now=now)
    assert session.scalar(sa.select(sa.func.count()).select_from(JournalDaySum)) == count > 0


def test_pending_entries_count_on_the_day_they_are_posted(
    session, community, wang, li, points_of, grant
):
    """A hold made on day one and captured on day three is in day three's sums, not day one's."""
    grant(community, points_of(wang), 30)
    draft = EntryDraft(
        community.id,
        "transfer",
        [PostingDraft(points_of(wang), points_of(li), "points", 30)],
        pending=True,
    )
    hold = post_entry(session, draft, now=DAY_ONE + HOUR)
    rollups_before = rolled_up(session, community, 2)
    post_pending(session, hold.id, now=DAY_ONE + 2 * DAY + HOUR)
    assert rollups_before == 2 and rolled_up(session, community, 3) == 1
    transfers = sa.select(JournalDaySum.starts_at, JournalDaySum.amount).where(
        JournalDaySum.kind == "transfer"
    )
    assert session.execute(transfers).all() == [(DAY_ONE + 2 * DAY, 30)]


def test_verify_names_a_community_whose_rolled_days_leave_a_gap(session, journal):
    """A rolled day with postings taken out of the run: verify names the community."""
    rolled_up(session, journal, 5)
    third = DAY_ONE + 2 * DAY
    session.execute(sa.delete(JournalDaySum).where(JournalDaySum.starts_at == third))
    session.execute(sa.delete(JournalDay).where(JournalDay.starts_at == third))
    breaches = [(b.subject, b.detail) for b in verify(session) if b.check == "rollup"]
    assert breaches == [(journal.id, "its rolled-up days are not one unbroken run")]
