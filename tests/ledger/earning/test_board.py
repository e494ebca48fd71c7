"""The notice board: awards open to objection, with their deadline in local time."""

from datetime import timedelta

from ledger.earning.board import notice_board
from ledger.earning.notice import object_to_event


def test_a_pending_award_is_on_the_board_with_its_local_deadline(
    session, community, wang, award, now
):
    """An award under three days of notice is listed with its points and local vesting time."""
    recorded = award(wang, "proposal.adopted", points=20, notice_days=3)
    (line,) = notice_board(session, community, now=now)
    assert (line.event_id, line.member_name, line.member_ref) == (
        recorded.event.id,
        "王秀英",
        "R-wang",
    )
    assert (line.activity, line.points) == ("proposal.adopted", 20)
    assert line.vests_at == recorded.event.vests_at
    assert line.vests_at.utcoffset() == timedelta(hours=8)


def test_an_objected_or_vested_award_leaves_the_board(session, community, wang, li, award, now):
    """Objecting takes an award off; one past its deadline is off too; immediate awards never show."""
    first = award(wang, "proposal.adopted", points=20, notice_days=3)
    award(li, "proposal.adopted", points=20, notice_days=3)
    award(li, "cleanup.join", points=10)
    object_to_event(session, first.event.id, reason="重复登记", now=now)
    assert [line.member_name for line in notice_board(session, community, now=now)] == ["李建国"]
    assert notice_board(session, community, now=now + timedelta(days=3)) == []


def test_the_board_lists_the_earliest_deadline_first(session, community, wang, li, award, now):
    """A one-day notice comes before a three-day one."""
    award(wang, "proposal.adopted", points=20, notice_days=3)
    award(li, "garden.adopted", points=8, notice_days=1)
    lines = notice_board(session, community, now=now)
    assert [line.activity for line in lines] == ["garden.adopted", "proposal.adopted"]
