"""The desk's community report: the API's figures for whole local weeks, charts with tables, CSV."""

import csv
import io
import re

from tests.support.earning import local, report, set_rule


def test_the_report_page_shows_the_apis_figures_with_charts_and_tables(client, desk, town):
    """Issued points match GET /report for the same weeks; each chart has a title and a table."""
    set_rule(client, town, "cleanup.join", points=10)
    set_rule(client, town, "deliberation.attend", points=5)
    for n, activity in enumerate(("cleanup.join", "cleanup.join", "deliberation.attend")):
        assert report(client, town, activity, local(20, 9), f"r-{n}").status_code == 201
    page = desk.get("/desk/qianjiang/report?weeks=2").text
    shown = re.search(r'data-figure="issued">([^<]+)<', page)[1]
    window = "from=2026-11-08T16:00:00Z&to=2026-11-22T16:00:00Z"  # Mondays 00:00 in Shanghai
    api = client.get(f"/v1/communities/qianjiang/report?{window}", headers=town["staff"]).json
    assert int(shown.replace(",", "")) == api["points"]["issued"] == 25
    assert page.count('<svg class="chart" role="img"') == 1  # no shops, no minutes yet
    assert "<title>每周发放的积分（按活动）</title>" in page
    assert '<table data-chart="issued">' in page and "deliberation.attend" in page


def test_the_report_csv_for_people_is_the_pages_window(client, desk, town):
    """The page's download is the CSV for people: BOM, Chinese headers, the community's name."""
    answer = desk.get("/desk/qianjiang/report.csv?weeks=2")
    assert answer.status_code == 200 and answer.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.data.decode("utf-8-sig"))))
    assert rows[0] == ["项目", "名称", "单位", "数值"]
    assert ["报告", "开始", "", "2026-11-09 00:00"] in rows


def test_too_many_weeks_are_refused(desk):
    """Asking for more weeks than a chart holds answers 422 with the desk's error page."""
    answer = desk.get("/desk/qianjiang/report?weeks=500")
    assert answer.status_code == 422 and "没有完成" in answer.text
