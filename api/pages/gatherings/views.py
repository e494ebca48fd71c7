"""The gatherings' pages, under three prefixes (one blueprint, full paths):

- ``/desk/gatherings``: the staff desk (a device signed in with a staff key) schedules a
  gathering, shows its rotating QR code, ticks the roll call, objects to an award, records the
  decisions, publishes them and adds feedback;
- ``/g``: the resident's phone (signed in by her card) opens the scanned code's link and signs
  in; the organizer (a member) ticks off those without phones on her roll call page;
- ``/notice``: the public notice of a published gathering, for anyone (no sign-in).

Writes go through ``submit_once`` (one-time form tokens), so a double tap writes once. A rule the
ledger refuses is answered with a page that says why, in the refusal's status.
"""

from flask import Blueprint, g, render_template, request, url_for

from api.clock import now
from api.extensions import db
from api.gatherings.access import server_secret
from api.pages.gatherings import forms
from api.pages.sessions import device_required, resident_required
from api.pages.submissions import submit_once
from api.problems import status_of
from ledger.core.errors import LedgerError
from ledger.gatherings import attendance, gatherings, outcome

blp = Blueprint("gatherings", __name__, template_folder="templates")


blp.add_app_template_filter(forms.in_zone, "in_zone")


@blp.errorhandler(LedgerError)
def _refused(error):
    db.session.rollback()
    page = render_template("pages/gatherings/refused.html", **forms.refusal_context(error))
    return page, status_of(error)


# The staff desk ---------------------------------------------------------------------------------
@blp.get("/desk/gatherings/")
@device_required("staff")
def desk_list():
    """The community's gatherings, latest first, and the form to schedule one."""
    community = forms.desk_community(g.device)
    found = gatherings.recent_gatherings(db.session, community.id, limit=forms.DESK_LIST_LENGTH)
    return render_template("pages/gatherings/desk_list.html", community=community, gatherings=found)


@blp.post("/desk/gatherings/")
@device_required("staff")
def desk_schedule():
    """Schedule the gathering the form describes, then show it."""
    community = forms.desk_community(g.device)
    draft = forms.schedule_draft(community)

    def write():
        made = gatherings.schedule(
            db.session, community, draft, now=now(), api_key_id=g.device.key_id
        )
        return url_for(".desk_gathering", gathering_id=made.id)

    return submit_once(write)


@blp.get("/desk/gatherings/<gathering_id>")
@device_required("staff")
def desk_gathering(gathering_id):
    """One gathering: its sign-ins and awards (object to one), decisions, publication, feedback."""
    found = forms.desk_gathering(gathering_id)
    signed = attendance.signed_in(db.session, found)
    return render_template(
        "pages/gatherings/desk_gathering.html",
        gathering=found,
        signed=signed,
        now=now(),
        extra_rows=forms.EXTRA_TOPIC_ROWS,
    )


@blp.get("/desk/gatherings/<gathering_id>/code")
@device_required("staff")
def desk_code(gathering_id):
    """The rotating QR code to scan, reloaded every minute without JavaScript."""
    found = forms.desk_gathering(gathering_id)
    shown = forms.shown_code(found)
    return render_template(
        "pages/gatherings/desk_code.html",
        gathering=found,
        shown=shown,
        refresh=forms.QR_REFRESH_SECONDS,
    )


@blp.post("/desk/gatherings/<gathering_id>/roll")
@device_required("staff")
def desk_tick(gathering_id):
    """Tick off a resident by her reference, from the desk."""
    found, ref = forms.desk_gathering(gathering_id), request.form.get("member_ref", "").strip()

    def write():
        by = f"key:{g.device.key_id}"
        attendance.tick(db.session, found, member_ref=ref, ticked_by=by, now=now())
        return url_for(".desk_gathering", gathering_id=found.id)

    return submit_once(write)


@blp.post("/desk/gatherings/<gathering_id>/objection")
@device_required("staff")
def desk_object(gathering_id):
    """Object to one of the gathering's awards under notice: it is voided."""
    found, form = forms.desk_gathering(gathering_id), request.form

    def write():
        outcome.object_to_award(
            db.session, found, form.get("event", ""), reason=form.get("reason", ""), now=now()
        )
        return url_for(".desk_gathering", gathering_id=found.id)

    return submit_once(write)


@blp.post("/desk/gatherings/<gathering_id>/decisions")
@device_required("staff")
def desk_decide(gathering_id):
    """Record the decisions, and publish them when the publish button was pressed."""
    found, drafts, publishing = (
        forms.desk_gathering(gathering_id),
        forms.decision_drafts(),
        "publish" in request.form,
    )

    def write():
        outcome.record_decisions(db.session, found, drafts, now=now(), then_publish=publishing)
        return url_for(".desk_gathering", gathering_id=found.id)

    return submit_once(write)


@blp.post("/desk/gatherings/<gathering_id>/topics/<int:position>/feedback")
@device_required("staff")
def desk_feedback(gathering_id, position):
    """Report back on a published decision's execution."""
    found, form = forms.desk_gathering(gathering_id), request.form

    def write():
        outcome.add_feedback(
            db.session,
            found,
            position,
            form.get("feedback", ""),
            carried_out="carried_out" in form,
            now=now(),
        )
        return url_for(".desk_gathering", gathering_id=found.id)

    return submit_once(write)


# The resident's phone ---------------------------------------------------------------------------
@blp.get("/g/<gathering_id>/<code>")
@resident_required
def scan(gathering_id, code):
    """The scanned link: sign in with one tap, or see that she already did."""
    found = gatherings.get_gathering(db.session, gathering_id)
    already = attendance.check_scan(db.session, server_secret(), found, g.resident, code, now=now())
    return render_template(
        "pages/gatherings/scan.html", gathering=found, code=code, already=already
    )


@blp.post("/g/<gathering_id>/<code>")
@resident_required
def scan_sign_in(gathering_id, code):
    """Sign in with the scanned code, then show her sign-in."""
    found = gatherings.get_gathering(db.session, gathering_id)

    def write():
        attendance.scan(db.session, server_secret(), found, g.resident, code, now=now())
        return url_for(".signed", gathering_id=found.id)

    return submit_once(write)


@blp.get("/g/<gathering_id>")
@resident_required
def signed(gathering_id):
    """Her own sign-in at the gathering and its award (her own only)."""
    found = gatherings.get_gathering(db.session, gathering_id)
    mine = attendance.her_sign_in(db.session, found, g.resident)
    return render_template("pages/gatherings/signed.html", gathering=found, mine=mine)


@blp.get("/g/<gathering_id>/roll")
@resident_required
def roll(gathering_id):
    """The organizer's roll call: tick off residents without phones (hers alone; others 404)."""
    found = forms.organized_by_her(gathering_id)
    members = attendance.roll_call(db.session, found)
    return render_template("pages/gatherings/roll.html", gathering=found, members=members)


@blp.post("/g/<gathering_id>/roll")
@resident_required
def roll_tick(gathering_id):
    """Tick one resident off the organizer's roll call."""
    found, member_id = forms.organized_by_her(gathering_id), request.form.get("member", "")

    def write():
        attendance.tick(db.session, found, member_id=member_id, ticked_by=g.resident.id, now=now())
        return url_for(".roll", gathering_id=found.id)

    return submit_once(write)


# The public notice ------------------------------------------------------------------------------
@blp.get("/notice/<gathering_id>")
def notice(gathering_id):
    """The published outcome of a gathering, for anyone: 结果公示."""
    found = gatherings.get_gathering(db.session, gathering_id)
    shown = outcome.public_notice(db.session, found)
    return render_template("pages/gatherings/notice.html", notice=shown)
