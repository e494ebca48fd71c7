"""The community report as the desk shows it: the report's figures for the last weeks, and charts.

The window is the weekly series' own (whole local weeks up to this one), so the charts and the
figures beside them count the same entries; the CSV for people of the page is the same window.
"""

from dataclasses import dataclass

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from markupsafe import Markup

from api.clock import now
from api.extensions import db
from ledger.audit.reports import CommunityReport, community_report
from ledger.audit.weekly import WeeklyIssued, issued_by_week
from ledger.core.models import Community

from . import charts


@dataclass(frozen=True)
class ReportPage:
    community: Community
    report: CommunityReport
    weekly: WeeklyIssued
    week_labels: list[str]
    colours: dict[str, str]
    issued_chart: Markup
    shops_chart: Markup
    minutes_chart: Markup


def _simple(title: str, figures: dict[str, int]) -> Markup:
    rows = [charts.Row(label, (("", value),)) for label, value in figures.items()]
    return charts.bar_chart(title, rows, {}, [format_decimal(v) for v in figures.values()])


def report_page(community: Community, weeks: int) -> ReportPage:
    at = now()
    weekly = issued_by_week(db.session, community, now=at, weeks=weeks)
    report = community_report(
        db.session, community, now=at, from_=weekly.starts_at, to=weekly.ends_at
    )
    colours = charts.colour_of(weekly.activities)
    labels = [format_date(week.starts_on, "MMMd") for week in weekly.weeks]
    issued_rows = [
        charts.Row(label, tuple(sorted(week.issued_by_activity.items())))
        for label, week in zip(labels, weekly.weeks, strict=True)
    ]
    issued_chart = charts.bar_chart(
        _("每周发放的积分（按活动）"),
        issued_rows,
        colours,
        [format_decimal(week.issued) for week in weekly.weeks],
    )
    shops = {shop.name or shop.shop_id: shop.net_redeemed for shop in report.shops}
    return ReportPage(
        community,
        report,
        weekly,
        labels,
        colours,
        issued_chart,
        _simple(_("各商户兑换的积分"), shops),
        _simple(_("按类别交换的时间（分钟）"), report.minutes_by_category),
    )
