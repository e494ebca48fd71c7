"""Expiry's part of the demo: a year's expiry, and each resident's balance as her first lot."""

from ledger.core.demo import DemoStory
from ledger.expiry.demo import DEMO_EXPIRY_MONTHS, add_demo, tell_demo
from ledger.expiry.lots import lots_out_of_step


def test_the_demo_switches_expiry_on_and_says_so(
    session, community, wang, points_of, grant, now, lots_of
):
    """After the part, 王's 40 points are one lot and the story names the months."""
    grant(community, points_of(wang), 40)
    add_demo(session, community, [wang], now)
    assert [remaining for remaining, _ in lots_of(points_of(wang))] == [40]
    assert lots_out_of_step(session) == []
    story = DemoStory()
    tell_demo(session, community, now, story)
    assert story.lines == [
        f"expiry: points expire {DEMO_EXPIRY_MONTHS} months after they were earned, oldest "
        "first, into the love bank (members are told 30 days ahead)"
    ]
