"""Reports: the same figures as CSV, statements as CSV, and only for the community's staff."""

import csv
import io
from datetime import timedelta

from api.cli import main as cli
from tests.support.taohua import TO, report, statement


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


def test_the_statement_for_people_opens_in_a_chinese_spreadsheet(client, admin, make_key, taohua):
    """for=people: a BOM, Chinese headers, local times and names; the machine CSV is unchanged."""
    wang = taohua["people"]["王秀英"]
    member = make_key("member", member=wang["id"])
    path = f"/v1/accounts/{wang['points_account']}/statement.csv"
    people = client.get(f"{path}?for=people", headers=member)
    assert people.status_code == 200 and people.mimetype == "text/csv"
    assert people.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(people.data.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "事项", "变动", "余额", "单位"]
    lines = statement(client, admin, wang["points_account"])
    assert [(int(r[2]), int(r[3]), r[4]) for r in rows[1:]] == [
        (line["amount"], line["balance"], "积分") for line in lines
    ]
    assert all("T" not in r[0] and not r[0].endswith("Z") for r in rows[1:])
    assert not any(line["entry"] in ",".join(r) for line in lines for r in rows)
    machine = client.get(path, headers=member)
    assert not machine.data.startswith("\ufeff".encode())
    assert machine.data.decode().startswith("entry,kind,posted_at")
    assert client.get(f"{path}?for=robots", headers=member).status_code == 422


def test_the_report_for_people_names_shops_in_chinese(client, make_key, taohua):
    """for=people answers the report's figures in words, with a BOM, whatever Accept says."""
    staff = make_key("staff", community="taohua")
    figures = client.get("/v1/communities/taohua/report", headers=staff).json
    response = client.get("/v1/communities/taohua/report?for=people", headers=staff)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert response.data.startswith("\ufeff".encode()) and rows[0] == [
        "项目",
        "名称",
        "单位",
        "数值",
    ]
    value = {(r[0], r[1]): r[3] for r in rows[1:]}
    assert value[("报告", "社区")] == "桃花社区"
    assert int(value[("发放积分", "合计")]) == figures["points"]["issued"]
    assert int(value[("净兑换积分", "合计")]) == figures["points"]["redeemed"]


def test_a_report_reads_the_same_after_the_sweep_rolled_its_days_up(
    app, client, make_key, taohua, clock
):
    """The window's days summed by `pointsbank sweep`: every figure of the report unchanged."""
    staff = make_key("staff", community="taohua")
    clock.set(TO + timedelta(days=30))
    scanned = report(client, staff).json
    swept = app.test_cli_runner().invoke(cli, ["sweep"])
    assert swept.exit_code == 0, swept.output
    assert "roll_up_days: 0" not in swept.output and "roll_up_days: " in swept.output
    assert report(client, staff).json == scanned
