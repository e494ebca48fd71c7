"""The desk's writes: each calls the ledger function the API view calls, and answers where to go.

They run inside ``submit_once`` (one write per form token, committed there), so a double click
or a resubmitted form sends the browser to the first answer instead of writing twice. A refusal
of the ledger (an objection after the deadline, nothing to settle) is raised as it is and the
desk's error page words it.
"""

import io

from flask import flash, g, request, url_for
from flask_babel import gettext as _

from api import access
from api.clock import now
from api.extensions import db
from ledger.approvals import requests as approvals
from ledger.core.models import Community
from ledger.earning import notice, sheets
from ledger.supermarket import settlement
from ledger.timebank import services as timebank

from .names import activity_name

# A sheet typed from paper is hundreds of lines; this holds tens of thousands, and bounds the
# upload's request body (the pages' other forms keep the app's small body limit).
MAX_SHEET_BYTES = 5 * 1024 * 1024


def object_to(event_id: str) -> str:
    """Object to an award on the notice board; back to the board, where it is gone."""
    access.staff_event(event_id)
    event = notice.object_to_event(
        db.session, event_id, reason=request.form.get("reason", ""), now=now()
    )
    flash(
        _(
            "已对“%(activity)s”的奖励提出异议，它已从公示中撤下。",
            activity=activity_name(event.activity, event.community_id),
        )
    )
    slug = db.session.get_one(Community, event.community_id).slug
    return url_for("pages.desk.notice_board", slug=slug)


def settle(shop_id: str) -> str:
    """Settle with a shop; on to the printable statement of the settlement."""
    shop = access.staff_shop(shop_id)
    made = settlement.settle_shop(db.session, shop.id, now=now(), api_key_id=g.device.key_id)
    return url_for("pages.desk.settlement_sheet", settlement_id=made.id)


def assign(service_id: str) -> str:
    """Dispatch a volunteer to a request (派单); back to the dispatch board."""
    access.service_step(service_id, "assign")
    service = timebank.assign(
        db.session,
        service_id,
        volunteer_id=request.form.get("volunteer", ""),
        now=now(),
        api_key_id=g.device.key_id,
    )
    flash(_("已为“%(title)s”派单。", title=service.title))
    slug = db.session.get_one(Community, service.community_id).slug
    return url_for("pages.desk.dispatch", slug=slug)


def import_sheet(community: Community) -> list[sheets.ImportedLine]:
    """Import the uploaded sheet into the community and commit: its line-by-line report.

    Not a one-time form: a sheet is idempotent by its row ids, so sending it again reports
    "imported before" line by line instead of writing twice."""
    report = sheets.import_sheet(db.session, community, _uploaded_lines(), now=now())
    db.session.commit()
    return report


def _uploaded_lines() -> list[str]:
    """The uploaded sheet's lines (UTF-8, with or without the BOM spreadsheets write)."""
    upload = request.files.get("sheet")
    data = upload.stream.read(MAX_SHEET_BYTES + 1) if upload else b""
    if not data or len(data) > MAX_SHEET_BYTES:
        raise sheets.SheetUnreadable(max_bytes=MAX_SHEET_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise sheets.SheetUnreadable(max_bytes=MAX_SHEET_BYTES) from error
    return io.StringIO(text, newline="").readlines()


def approve(request_id: str) -> str:
    """Approve a held write as the second person: its entry is posted now."""
    held = access.staff_approval(request_id)
    approvals.approve(db.session, held.id, approver_key_id=g.device.key_id, now=now())
    flash(_("已批准，已经入账。"))
    return _approvals_of(held.community_id)


def reject(request_id: str) -> str:
    """Reject (or, by its requester, withdraw) a held write with a reason: nothing is posted."""
    held = access.staff_approval(request_id)
    approvals.reject(
        db.session,
        held.id,
        key_id=g.device.key_id,
        reason=request.form.get("reason", ""),
        now=now(),
    )
    flash(_("已驳回，没有入账。"))
    return _approvals_of(held.community_id)


def _approvals_of(community_id: str) -> str:
    slug = db.session.get_one(Community, community_id).slug
    return url_for("pages.desk.approvals", slug=slug)
