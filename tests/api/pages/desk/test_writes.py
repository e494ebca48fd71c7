"""The desk's other work over HTTP: paper sheets, shop settlement, dispatch, and the CSVs for people."""

import csv
import io

import pytest

from tests.api.pages.desk.conftest import form_fields, sign_in
from tests.support.earning import local, report, set_rule


@pytest.fixture
def shop_desk(client, supermarket):
    """The supermarket's staff signed in at the desk."""
    sign_in(client, supermarket.staff)
    return client


def test_a_sheet_is_imported_line_by_line_and_not_twice(client, desk, town):
    """A good line is awarded and a bad one named by number; the same file again replays."""
    set_rule(client, town, "cleanup.join", points=10)
    sheet = (
        "\ufeffmember_ref,activity,occurred_at,quantity,row_id\r\n"
        "R-017,cleanup.join,2026-11-20 09:00,,2026-11-20-A/01\r\n"
        "R-017,cleanup.join,昨天,,2026-11-20-A/02\r\n"
    ).encode()
    fields = form_fields(desk.get("/desk/qianjiang/sheet").text, "/desk/qianjiang/sheet")

    def upload():
        data = {**fields, "sheet": (io.BytesIO(sheet), "sheet.csv")}
        return desk.post("/desk/qianjiang/sheet", data=data, content_type="multipart/form-data")

    first = upload()
    assert first.status_code == 200
    assert '<tr class="outcome-awarded" data-line="2">' in first.text
    assert '<tr class="outcome-bad" data-line="3">' in first.text
    assert "这一行读不出来" in first.text
    account = client.get(
        f"/v1/accounts/{town['resident']['points_account']}", headers=town["staff"]
    )
    assert account.json["posted"] == 10
    again = upload()
    assert '<tr class="outcome-replayed" data-line="2">' in again.text
    assert (
        client.get(
            f"/v1/accounts/{town['resident']['points_account']}", headers=town["staff"]
        ).json["posted"]
        == 10
    )


@pytest.mark.parametrize(
    ("encoding", "said"), [("utf-8", "member_ref"), ("gb18030", "不是 UTF-8 编码的 CSV")]
)
def test_a_file_that_is_not_a_sheet_is_refused(desk, encoding, said):
    """A sheet without its columns, or not in UTF-8, answers 422 saying what is wrong."""
    fields = form_fields(desk.get("/desk/qianjiang/sheet").text, "/desk/qianjiang/sheet")
    data = {**fields, "sheet": (io.BytesIO("姓名,日期\r\n".encode(encoding)), "x.csv")}
    answer = desk.post("/desk/qianjiang/sheet", data=data, content_type="multipart/form-data")
    assert answer.status_code == 422 and said in answer.text


def test_settling_a_shop_prints_its_statement_once(
    client, shop_desk, supermarket, resident, redeem
):
    """Settling shows the statement of what was redeemed; the same form again shows the same one."""
    redeem(resident(100), lines=[("soy-sauce", 2)])
    page = shop_desk.get("/desk/qianjiang/shops").text
    assert 'data-figure="owed">60<' in page
    action = f"/desk/shops/{supermarket.shop['id']}/settlement"
    fields = form_fields(page, action)
    answer = shop_desk.post(action, data=fields)
    assert answer.status_code == 302 and answer.location.startswith("/desk/settlements/")
    statement = shop_desk.get(answer.location).text
    assert 'data-figure="points">60<' in statement and "潜江积分超市" in statement
    assert shop_desk.post(action, data=fields).location == answer.location
    assert 'data-figure="owed">0<' in shop_desk.get("/desk/qianjiang/shops").text


def test_staff_dispatch_a_volunteer_to_an_open_request(
    client, shop_desk, supermarket, make_member, grant
):
    """The open request's form assigns the chosen volunteer; it moves to 服务中."""
    asker = make_member("qianjiang", display_name="赵奶奶")
    grant(supermarket.community, asker["minutes_account"], 120, unit="minutes")
    helper = make_member("qianjiang", display_name="小周")
    service = client.post(
        "/v1/services",
        json={
            "community": "qianjiang",
            "requester": asker["id"],
            "title": "陪同就医",
            "category": "care",
            "minutes_estimate": 60,
            "funded_by": "requester",
        },
        headers=supermarket.staff,
    )
    assert service.status_code == 201, service.json
    page = shop_desk.get("/desk/qianjiang/services").text
    action = f"/desk/services/{service.json['id']}/assign"
    answer = shop_desk.post(action, data={**form_fields(page, action), "volunteer": helper["id"]})
    assert answer.status_code == 302 and answer.location == "/desk/qianjiang/services"
    shown = client.get(f"/v1/services/{service.json['id']}", headers=supermarket.staff).json
    assert (shown["state"], shown["volunteer"]) == ("assigned", helper["id"])
    assert "已为“陪同就医”派单" in shop_desk.get("/desk/qianjiang/services").text


def test_the_desks_csv_for_people_has_a_bom_local_times_and_names(
    client, shop_desk, supermarket, resident, redeem
):
    """The shop's statement from the desk: BOM, local time, the items instead of an id."""
    redeem(resident(100), lines=[("soy-sauce", 1)])
    path = f"/desk/accounts/{supermarket.shop['account']['id']}/statement.csv"
    answer = shop_desk.get(path)
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert answer.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "事项", "变动", "余额", "单位"]
    assert rows[1][1:] == ["兑换酱油 500ml", "30", "30", "积分"]


def test_the_residents_page_links_each_statement_for_people(client, desk, town):
    """Her row shows her points and links her statement as the CSV for people."""
    set_rule(client, town, "cleanup.join", points=10)
    assert report(client, town, "cleanup.join", local(20, 9), "r-1").status_code == 201
    page = desk.get("/desk/qianjiang/residents").text
    link = f"/desk/accounts/{town['resident']['points_account']}/statement.csv"
    assert f'href="{link}"' in page and "王秀英" in page
    rows = list(csv.reader(io.StringIO(desk.get(link).data.decode("utf-8-sig"))))
    assert rows[1] == ["2026-11-20 09:00", "参加cleanup.join", "10", "10", "积分"]


def test_a_sheet_larger_than_a_form_body_still_uploads(client, desk, town):
    """A sheet of 2,000 lines (past the app's 64 KiB body limit) is read and reported."""
    set_rule(client, town, "cleanup.join", points=10)
    lines = [f"R-017,cleanup.join,2026-11-20 09:00,,2026-11-20-B/{n:04d}\r\n" for n in range(2000)]
    sheet = ("member_ref,activity,occurred_at,quantity,row_id\r\n" + "".join(lines)).encode()
    assert len(sheet) > 64 * 1024
    fields = form_fields(desk.get("/desk/qianjiang/sheet").text, "/desk/qianjiang/sheet")
    data = {**fields, "sheet": (io.BytesIO(sheet), "big.csv")}
    answer = desk.post("/desk/qianjiang/sheet", data=data, content_type="multipart/form-data")
    assert answer.status_code == 200
    assert answer.text.count('class="outcome-') == 2000
