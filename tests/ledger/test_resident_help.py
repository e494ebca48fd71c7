"""The resident's help board and gift check: the time bank's steps per service, her neighbours."""

import pytest

from ledger import resident_help
from ledger.timebank import errors as tb
from ledger.timebank import services
from ledger.timebank.gifts import LOVE_BANK


@pytest.fixture
def asked(session, community, li, now):
    """李建国 asks for an hour of help, paid from his minutes (within the time floor)."""
    return services.request_service(
        session,
        community_id=community.id,
        requester_id=li.id,
        title="修水龙头",
        category="repair",
        minutes_estimate=60,
        funded_by="requester",
        now=now,
    )


def test_the_board_lists_requests_she_can_take_and_her_own_steps(
    session, community, wang, li, asked, make_member, now
):
    """Wang sees Li's request to take; Li sees it among his own, to cancel, not to take."""
    board = resident_help.help_board(session, wang, now=now)
    assert [(c.service.id, c.requester_name, c.steps) for c in board.open_requests] == [
        (asked.id, "李建国", ("accept",))
    ]
    assert board.open_requests[0].asked_at.utcoffset().total_seconds() == 8 * 3600
    own = resident_help.help_board(session, li, now=now)
    assert own.open_requests == [] and [c.steps for c in own.asked] == [("cancel",)]


def test_each_state_offers_the_next_step_to_whom_the_time_bank_lets_take_it(
    session, wang, li, asked, now
):
    """Taken: the volunteer completes; completed: only the requester confirms; then rates."""
    services.accept(session, asked.id, volunteer_id=wang.id, now=now)
    assert resident_help.steps_for(asked, wang) == ("complete",)
    assert resident_help.steps_for(asked, li) == ("cancel",)
    services.complete(session, asked.id, minutes=50, now=now)
    assert resident_help.steps_for(asked, wang) == ()
    assert resident_help.steps_for(asked, li) == ("confirm",)
    services.confirm(session, asked.id, actor=services.Actor(member_id=li.id), now=now)
    assert resident_help.steps_for(asked, li) == ("rate",)
    taken = resident_help.help_board(session, wang, now=now).taken
    assert [(c.service.id, c.volunteer_name) for c in taken] == [(asked.id, "王秀英")]


def test_a_gift_names_a_neighbour_by_resident_number_in_her_community_only(
    session, make_community, make_member, wang, li
):
    """Li by his number; a member of another community, her own number: refused."""
    preview = resident_help.preview_gift(
        session, wang, target="family", resident_number=" R-li ", unit="minutes", amount=5, memo=""
    )
    assert (preview.to, preview.recipient.display_name) == (li.id, "李建国")
    elsewhere = make_member(make_community("taohua", name="桃花社区"), external_ref="R-far")
    with pytest.raises(tb.RecipientNotFound):
        resident_help.neighbour(session, wang, elsewhere.external_ref)
    with pytest.raises(tb.CannotGiveToSelf):
        resident_help.preview_gift(
            session,
            wang,
            target="family",
            resident_number="R-wang",
            unit="points",
            amount=1,
            memo="",
        )
    bank = resident_help.preview_gift(
        session, wang, target=LOVE_BANK, resident_number="", unit="points", amount=3, memo="捐"
    )
    assert (bank.to, bank.recipient, bank.amount) == (LOVE_BANK, None, 3)
