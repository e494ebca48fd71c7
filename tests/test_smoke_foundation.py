"""A first pass through the write path."""


def test_adjustment_moves_points_from_issuance_to_member(make_community, make_member, grant, balance):
    """An adjustment of 100 points shows on both accounts."""
    community = make_community()
    member = make_member("qianjiang")
    grant(community, member["points_account"], 100)
    assert balance(member["points_account"])["posted"] == 100
    assert balance(community["account"][("issuance", "points")])["posted"] == -100
