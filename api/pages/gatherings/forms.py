"""What the gatherings' pages read from their forms and show of the ledger's answers.

Forms give local dates and times (the community's time zone); the ledger works in UTC. Nothing
here decides a rule: it shapes form fields into the ledger's drafts and reads for the templates.
"""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import qrcode
import qrcode.image.svg
from flask import abort, g, request, url_for
from markupsafe import Markup

from api.auth import Principal
from api.clock import now
from api.extensions import db
from api.gatherings.access import server_secret, staff_gathering
from ledger.core.models import Community
from ledger.gatherings import attendance, gatherings, outcome
from ledger.gatherings.models import Gathering

# How many of the community's gatherings the desk lists (latest first).
DESK_LIST_LENGTH = 30
# Medium error correction: a code on a projector or a phone screen survives glare.
QR_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
# The desk's QR page reloads itself this often (no JavaScript): each minute's new code.
QR_REFRESH_SECONDS = attendance.QR_SLOT_SECONDS
# Decision rows offered beyond the scheduled topics, for a topic raised on the evening.
EXTRA_TOPIC_ROWS = 1


def desk_community(device: Principal) -> Community:
    """The community of the desk's staff key (a staff key belongs to exactly one)."""
    if len(device.community_ids) != 1:
        abort(403)
    community = db.session.get(Community, next(iter(device.community_ids)))
    if community is None:
        abort(404)
    return community


def desk_gathering(gathering_id: str) -> Gathering:
    return staff_gathering(g.device, gathering_id)


def organized_by_her(gathering_id: str) -> Gathering:
    """A gathering the signed-in resident organises; any other answers 404."""
    found = gatherings.get_gathering(db.session, gathering_id)
    if not gatherings.is_organizer(found, g.resident):
        abort(404)
    return found


def _local(day: str, at: str, zone: ZoneInfo) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(at), zone)
    except ValueError:
        abort(400)


def schedule_draft(community: Community) -> gatherings.GatheringDraft:
    """The desk's schedule form as a draft: local date, start and end times, topics by line."""
    form, zone = request.form, ZoneInfo(community.timezone)
    day = form.get("day", "")
    return gatherings.GatheringDraft(
        title=form.get("title", ""),
        kind=form.get("kind", "meeting"),
        activity=form.get("activity", "").strip(),
        place=form.get("place", ""),
        starts_at=_local(day, form.get("starts", ""), zone),
        ends_at=_local(day, form.get("ends", ""), zone),
        organizer_member_ref=form.get("organizer_ref", "").strip() or None,
        organizer_name=form.get("organizer_name", ""),
        topics=tuple(line.strip() for line in form.get("topics", "").splitlines() if line.strip()),
    )


def decision_drafts() -> list[outcome.DecisionDraft]:
    """Every filled row of the decisions form (a row left empty is skipped)."""
    form = request.form
    rows = zip(
        form.getlist("topic"), form.getlist("decision"), form.getlist("carried_by"), strict=False
    )
    return [outcome.DecisionDraft(*row) for row in rows if any(part.strip() for part in row)]


def qr_svg(data: str) -> Markup:
    """``data`` as an inline SVG QR code."""
    code = qrcode.QRCode(error_correction=QR_ERROR_CORRECTION, border=2)
    code.add_data(data)
    svg = code.make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string(encoding="unicode")
    return Markup(svg[svg.index("<svg") :])


@dataclass(frozen=True)
class ShownCode:
    link: str
    svg: Markup
    expires_at: datetime


def shown_code(gathering: Gathering) -> ShownCode:
    """This minute's sign-in link for the desk's screen, as a QR code."""
    at = now()
    code = attendance.signin_code(server_secret(), gathering.id, now=at)
    link = url_for("pages.gatherings.scan", gathering_id=gathering.id, code=code, _external=True)
    return ShownCode(link, qr_svg(link), attendance.code_expires_at(at))


def in_zone(value: datetime, zone: ZoneInfo | str) -> datetime:
    """A UTC time in the community's zone (a ZoneInfo, or its name), for ``local_datetime``."""
    return value.astimezone(zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone))


@dataclass(frozen=True)
class SigninTimes:
    opens_at: datetime
    closes_at: datetime


def refusal_context(error) -> dict:
    """What the refusal page shows beside the reason: the sign-in window, and the way back."""
    numbers = error.numbers
    times = None
    if "opens_at" in numbers and "gathering" in numbers:
        found = db.session.get(Gathering, numbers["gathering"])
        zone = ZoneInfo(found.community.timezone if found else "UTC")
        opens, closes = (datetime.fromisoformat(numbers[k]) for k in ("opens_at", "closes_at"))
        times = SigninTimes(opens.astimezone(zone), closes.astimezone(zone))
    back = (
        request.referrer if request.method == "POST" and request.referrer else url_for("pages.me")
    )
    return {"error": error, "times": times, "back": back}
