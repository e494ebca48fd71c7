"""pointsbank membership: staff close a member, make a district, add communities, move minutes."""

from api.cli import main as cli


def run(app, *args):
    result = app.test_cli_runner().invoke(cli, ["membership", *args])
    return result


def test_a_district_is_made_and_a_residents_minutes_move_from_the_command_line(
    app, make_community, make_member, grant, balance
):
    """create-district, add-community twice, move: her 90 minutes arrive in 桃花社区."""
    a = make_community("qianjiang", "潜江社区")
    make_community("taohua", "桃花社区")
    liu = make_member("qianjiang", external_ref="R-liu")
    grant(a, liu["minutes_account"], 90, "minutes")
    assert run(app, "create-district", "meiyuan", "梅园街道").exit_code == 0
    for slug in ("qianjiang", "taohua"):
        added = run(app, "add-community", "meiyuan", slug)
        assert added.exit_code == 0, added.output
    assert "qianjiang, taohua" in added.output
    moved = run(app, "move", "meiyuan", liu["id"], "--to-community", "taohua", "--minutes", "90")
    assert moved.exit_code == 0, moved.output
    assert balance(liu["minutes_account"])["posted"] == 0
    again = run(app, "move", "meiyuan", liu["id"], "--to-community", "taohua", "--minutes", "1")
    assert again.exit_code == 1 and "only the minutes she has" in again.output


def test_a_member_is_closed_from_the_command_line(app, make_community, make_member, grant, balance):
    """close --to love_bank moves her 35 points and closes her accounts; a second close fails."""
    community = make_community("qianjiang", "潜江社区")
    zhang = make_member("qianjiang")
    grant(community, zhang["points_account"], 35)
    closed = run(app, "close", zhang["id"], "--to", "love_bank", "--reason", "过世")
    assert closed.exit_code == 0, closed.output
    assert balance(zhang["points_account"])["status"] == "closed"
    again = run(app, "close", zhang["id"], "--to", "love_bank", "--reason", "过世")
    assert again.exit_code == 1 and "closed" in again.output
