"""CSVs for people: a statement and a community report as a person reads them in a spreadsheet.

The machine CSVs (``audit.reports``) keep ids, entry kinds and UTC ISO 8601 times for programs;
these carry the same figures in words: times in the community's local time written as people
write them, the activity, the items bought or the service instead of an entry id, shop names
instead of shop ids, and Chinese headers. Like ``residents`` it reads across capabilities (the
names of causes), so it lives beside ``capabilities.py``. The encoding (UTF-8 with a byte-order
mark) is the edge's.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.audit.reports import CommunityReport, statement_lines
from ledger.core.models import Account, Community, Entry
from ledger.residents import names_by_cause

LOCAL_TIME_FORMAT = "%Y-%m-%d %H:%M"
# Ids read per query when naming a long statement's causes (well under SQLite's variable limit).
NAMES_CHUNK = 500
UNIT_NAMES = {"points": "积分", "minutes": "分钟", "members": "人"}
KIND_NAMES = {
    "award": "活动奖励",
    "redemption": "兑换",
    "refund": "退货",
    "transfer": "转赠",
    "donation": "捐赠",
    "grant": "爱心银行资助",
    "service": "志愿服务",
    "settlement": "与商户结算",
    "reversal": "冲正",
    "adjustment": "调整",
    "exchange": "积分兑换时长",
    "expiry": "积分过期转入爱心银行",
}
# How a statement line with a named cause reads; other kinds read as their kind's name.
NAMED_LINES = {"award": "参加{}", "redemption": "兑换{}", "refund": "退货{}", "service": "服务：{}"}
STATEMENT_HEADER = ("时间", "事项", "变动", "余额", "单位")
REPORT_HEADER = ("项目", "名称", "单位", "数值")
SECTION_NAMES = {
    "issued": "发放积分",
    "returned": "收回积分",
    "redeemed": "兑换积分",
    "refunded": "退货积分",
    "net_redeemed": "净兑换积分",
    "settled": "已结算积分",
    "owed": "待结算积分",
    "outstanding": "流通中的积分",
    "pending": "公示及冻结中",
    "participants": "参与",
    "minutes_exchanged": "交换的时间",
    "love_bank": "爱心银行",
    "expired": "过期积分",
    "donated": "捐入爱心银行",
    "exchanged_for_time": "积分兑换时长",
}
ITEM_NAMES = {
    "total": "合计",
    "at_start": "期初",
    "at_end": "期末",
    "members_taking_part": "参与的居民",
    "members": "居民总数",
    "balance": "余额",
    "to_love_bank": "转入爱心银行",
}
SHOP_SECTIONS = {"redeemed", "refunded", "net_redeemed", "settled", "owed"}


def local_time(value: datetime | None, zone: ZoneInfo) -> str:
    """``2026-11-20 20:00`` in the community's time zone; blank for an open end."""
    return value.astimezone(zone).strftime(LOCAL_TIME_FORMAT) if value is not None else ""


def _cause_names(session: Session, entry_ids: list[str]) -> dict[str, str]:
    """{entry id: the plain name of what caused it}, for the entries that have a named cause."""
    named: dict[str, str] = {}
    for start in range(0, len(entry_ids), NAMES_CHUNK):
        chunk = entry_ids[start : start + NAMES_CHUNK]
        causes = dict(
            session.execute(sa.select(Entry.id, Entry.cause_id).where(Entry.id.in_(chunk))).all()
        )
        names = names_by_cause(session, {c for c in causes.values() if c})
        named.update({e: names[c] for e, c in causes.items() if c in names})
    return named


def _describe(kind: str, name: str | None, memo: str) -> str:
    if name and kind in NAMED_LINES:
        return NAMED_LINES[kind].format(name)
    return memo or KIND_NAMES.get(kind, kind)


def statement_rows(session: Session, account: Account, **window) -> list[tuple]:
    """An account's statement for the window (``from_``, ``to``), oldest first, in words."""
    zone = ZoneInfo(session.get_one(Community, account.community_id).timezone)
    lines = statement_lines(session, account.id, **window)
    names = _cause_names(session, [line.entry_id for line in lines])
    unit = UNIT_NAMES[account.unit]
    return [
        (
            local_time(line.occurred_at, zone),
            _describe(line.kind, names.get(line.entry_id), line.memo),
            line.amount,
            line.balance,
            unit,
        )
        for line in lines
    ]


def _item(section: str, item: str, shops: dict[str, str]) -> str:
    if section in SHOP_SECTIONS and item in shops:
        return shops[item]
    if section in ("returned", "pending"):
        return KIND_NAMES.get(item, item)
    return ITEM_NAMES.get(item, item)


def report_rows(report: CommunityReport, community: Community) -> list[tuple]:
    """The report's figures (``CommunityReport.rows``) in words, its window in local time."""
    zone = ZoneInfo(community.timezone)
    shops = {shop.shop_id: shop.name or shop.shop_id for shop in report.shops}
    rows: list[tuple] = [
        ("报告", "社区", "", community.name),
        ("报告", "开始", "", local_time(report.from_, zone)),
        ("报告", "结束", "", local_time(report.to, zone)),
        ("报告", "生成时间", "", local_time(report.generated_at, zone)),
    ]
    rows += [
        (SECTION_NAMES[section], _item(section, item, shops), UNIT_NAMES.get(unit, unit), value)
        for section, item, unit, value in report.rows()
        if section != "shop"  # a shop's name is on each of its rows instead
    ]
    return rows
