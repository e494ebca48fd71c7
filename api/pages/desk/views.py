"""The staff desk: what community staff do at the community centre's computer.

The notice board (公示) of awards under public notice, with an objection form on each line, and
its printable A4 notice; the paper sign-in sheet upload with its line-by-line report; the rules
and caps with every version; shop settlement with a printable statement; the community report
with charts and its CSV for people; service dispatch (派单). Gatherings (/desk/gatherings) are
their own area. Every page loads and authorises through ``api/access.py`` as the API does.
"""

from flask import Blueprint, render_template, request

from api import access, csvs
from api.clock import now
from api.extensions import db
from api.pages.submissions import submit_once
from api.problems import status_of
from ledger import desk
from ledger.audit.weekly import DEFAULT_WEEKS, MAX_WEEKS
from ledger.core.errors import LedgerError
from ledger.earning import board
from ledger.earning.models import OBJECTION_MAX_LENGTH

from . import forms
from .local import community_time, yuan
from .names import activity_name
from .reach import desk_communities, desk_required
from .report import report_page

# Lines of the printed notice per A4 page: a font large enough to read on the board.
NOTICE_LINES_PER_PAGE = 30

blp = Blueprint("desk", __name__, url_prefix="/desk", template_folder="templates")
blp.add_app_template_filter(community_time, "community_time")
blp.add_app_template_filter(yuan, "yuan")


@blp.context_processor
def _desk_context():
    limits = {"objection_max_length": OBJECTION_MAX_LENGTH, "max_report_weeks": MAX_WEEKS}
    return {"activity_name": activity_name, **limits}


@blp.before_app_request
def _allow_sheet_uploads():
    # Before any hook of the pages reads the form (the CSRF check does), so at app level.
    if request.endpoint == "pages.desk.upload_sheet":
        request.max_content_length = forms.MAX_SHEET_BYTES


@blp.errorhandler(LedgerError)
def _refused(error):
    return render_template("pages/desk/refused.html", error=error), status_of(error)


@blp.get("/")
@desk_required
def home():
    """The communities this desk may open (an admin's: all of them)."""
    return render_template("pages/desk/home.html", communities=desk_communities())


@blp.get("/<slug>/")
@desk_required
def community_desk(slug):
    """A community's desk: what staff can do there."""
    return render_template("pages/desk/community.html", community=access.staff_community(slug))


@blp.get("/<slug>/residents")
@desk_required
def residents(slug):
    """The residents with their balances and their statements to download."""
    community = access.staff_community(slug)
    page = desk.residents(db.session, community, now=now(), cursor=request.args.get("cursor"))
    return render_template("pages/desk/residents.html", community=community, page=page)


@blp.get("/<slug>/notice")
@desk_required
def notice_board(slug):
    """The notice board: each award still open to objection, and its objection form."""
    community = access.staff_community(slug)
    lines = board.notice_board(db.session, community, now=now())
    return render_template("pages/desk/notice.html", community=community, lines=lines)


@blp.post("/notice/<event_id>/objection")
@desk_required
def object_to(event_id):
    """Object to an award with a reason: it is voided and leaves the board."""
    return submit_once(lambda: forms.object_to(event_id))


@blp.get("/<slug>/notice/print")
@desk_required
def notice_print(slug):
    """The notice for the physical board: A4 pages of NOTICE_LINES_PER_PAGE lines."""
    community = access.staff_community(slug)
    lines = board.notice_board(db.session, community, now=now())
    return render_template(
        "pages/desk/notice_print.html",
        community=community,
        lines=lines,
        per_page=NOTICE_LINES_PER_PAGE,
    )


@blp.get("/<slug>/rules")
@desk_required
def rules(slug):
    """Every rule with its caps, and every version it has had."""
    community = access.staff_community(slug)
    book = desk.rule_book(db.session, community)
    return render_template("pages/desk/rules.html", community=community, rules=book)


@blp.get("/<slug>/sheet")
@desk_required
def sheet(slug):
    """The paper sign-in sheet upload."""
    return render_template("pages/desk/sheet.html", community=access.staff_community(slug))


@blp.post("/<slug>/sheet")
@desk_required
def upload_sheet(slug):
    """Import a sheet and report each line; the same sheet again awards nothing twice."""
    community = access.staff_community(slug)
    report = forms.import_sheet(community)
    return render_template("pages/desk/sheet.html", community=community, report=report)


@blp.get("/<slug>/shops")
@desk_required
def shops(slug):
    """Each shop with what it is owed, a settle button and its latest settlements."""
    community = access.staff_community(slug)
    lines = desk.shop_ledger(db.session, community, now=now())
    return render_template("pages/desk/shops.html", community=community, lines=lines)


@blp.post("/shops/<shop_id>/settlement")
@desk_required
def settle(shop_id):
    """Settle with the shop for what it redeemed, then show the statement."""
    return submit_once(lambda: forms.settle(shop_id))


@blp.get("/settlements/<settlement_id>")
@desk_required
def settlement_sheet(settlement_id):
    """A settlement's printable statement."""
    found = access.settlement_record(settlement_id)
    sheet = desk.settlement_sheet(db.session, found)
    return render_template("pages/desk/settlement.html", community=sheet.community, sheet=sheet)


@blp.get("/accounts/<account_id>/statement.csv")
@desk_required
def statement_csv(account_id):
    """An account's whole statement as the CSV for people."""
    return csvs.people_statement(db.session, access.account(account_id))


@blp.get("/<slug>/report")
@desk_required
def report(slug):
    """The community report of the last weeks, with charts and their tables."""
    weeks = request.args.get("weeks", DEFAULT_WEEKS, type=int)
    page = report_page(access.staff_community(slug), weeks)
    return render_template("pages/desk/report.html", community=page.community, page=page)


@blp.get("/<slug>/report.csv")
@desk_required
def report_csv(slug):
    """The report page's figures as the CSV for people."""
    weeks = request.args.get("weeks", DEFAULT_WEEKS, type=int)
    page = report_page(access.staff_community(slug), weeks)
    return csvs.people_report(page.report, page.community)


@blp.get("/<slug>/services")
@desk_required
def dispatch(slug):
    """Requests waiting for a volunteer, with a dispatch form; those under way and done."""
    community = access.staff_community(slug)
    found = desk.dispatch_board(db.session, community)
    return render_template("pages/desk/services.html", community=community, board=found)


@blp.get("/<slug>/approvals")
@desk_required
def approvals(slug):
    """Staff writes waiting for a second person (双人复核), with approve and reject forms."""
    community = access.staff_community(slug)
    held = desk.approvals_board(db.session, community)
    return render_template("pages/desk/approvals.html", community=community, held=held)


@blp.post("/approvals/<request_id>/approval")
@desk_required
def approve(request_id):
    """Approve as the second person: the entry is posted."""
    return submit_once(lambda: forms.approve(request_id))


@blp.post("/approvals/<request_id>/rejection")
@desk_required
def reject(request_id):
    """Reject with a reason: nothing is posted."""
    return submit_once(lambda: forms.reject(request_id))


@blp.post("/services/<service_id>/assign")
@desk_required
def assign(service_id):
    """Dispatch the chosen volunteer (派单)."""
    return submit_once(lambda: forms.assign(service_id))
