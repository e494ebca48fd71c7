"""The gatherings' pages over HTTP: scan, roll call, desk, public notice, the statement line."""

from datetime import timedelta

from tests.support.gatherings import (
    ENDS_AT,
    NOTICE_DAYS,
    desk,
    resident_client,
    signin_link,
    submit,
    sweep,
)


def scan(client, link):
    """Open the scanned link and confirm: the page after the redirect."""
    landing = client.get(link)
    assert landing.status_code == 200, landing.text
    return submit(client, landing, link)


def test_thirty_scan_five_are_ticked_and_each_has_one_pending_award(app, clock, evening):
    """30 scans and 5 roll-call ticks make 35 pending awards of 5 points, one per resident."""
    gathering = evening["gathering"]["id"]
    staff = desk(app, evening["staff"])
    link = signin_link(staff, gathering)
    for member in evening["residents"][:30]:
        phone = resident_client(app, member)
        answered = scan(phone, link)
        assert answered.status_code == 302, answered.text
        mine = phone.get(answered.headers["Location"])
        assert 'data-state="signed"' in mine.text and "公示中" in mine.text
    organizer = resident_client(app, evening["organizer"])
    for member in evening["residents"][30:]:
        roll = organizer.get(f"/g/{gathering}/roll")
        assert (
            submit(organizer, roll, f"/g/{gathering}/roll", member=member["id"]).status_code == 302
        )
    roll = organizer.get(f"/g/{gathering}/roll").text
    assert roll.count("已签到") == 35
    page = staff.get(f"/desk/gatherings/{gathering}").text
    assert page.count('data-status="pending"') == 35
    assert "签到（35 人）" in page
    _publish_from_the_desk(staff, clock, gathering)
    notice = app.test_client().get(f"/notice/{gathering}").text
    assert notice.count('data-status="pending"') == 35 and "参加人员（35 人）" in notice
    assert "公示中的积分共 175 分" in notice
    app.test_client().put(
        "/v1/communities/qianjiang/gathering-settings",
        json={"attendee_names": "count"},
        headers=evening["staff"],
    )
    counted = app.test_client().get(f"/notice/{gathering}").text
    assert "参加人员（35 人）" in counted and 'data-status="pending"' not in counted


def test_a_second_scan_says_already_signed_in(app, evening):
    """Her second scan shows 'already signed in' and offers no sign-in button."""
    staff = desk(app, evening["staff"])
    link = signin_link(staff, evening["gathering"]["id"])
    phone = resident_client(app, evening["residents"][0])
    scan(phone, link)
    again = phone.get(link)
    assert 'data-state="already"' in again.text and "确认签到" not in again.text


def test_the_organizers_own_scan_earns_nothing_and_says_why(app, evening):
    """The organizer's confirmation is refused: organizers do not sign in for points."""
    staff = desk(app, evening["staff"])
    link = signin_link(staff, evening["gathering"]["id"])
    answer = scan(resident_client(app, evening["organizer"]), link)
    assert answer.status_code == 422
    assert 'data-refusal="recorded-by-self"' in answer.text and "组织者不能" in answer.text


def test_an_expired_code_is_refused(app, clock, evening):
    """A code two minutes old is refused on opening, with the reason."""
    staff = desk(app, evening["staff"])
    link = signin_link(staff, evening["gathering"]["id"])
    clock.set(clock.now() + timedelta(minutes=2))
    refused = resident_client(app, evening["residents"][0]).get(link)
    assert refused.status_code == 422 and 'data-refusal="signin-code-expired"' in refused.text


def test_a_scan_after_the_window_is_refused_with_the_times(app, clock, evening):
    """Long after the end, a fresh code still cannot sign in; the page says when it was open."""
    clock.set(ENDS_AT + timedelta(hours=3))
    staff = desk(app, evening["staff"])
    link = signin_link(staff, evening["gathering"]["id"])
    refused = resident_client(app, evening["residents"][0]).get(link)
    assert refused.status_code == 422 and "签到时间" in refused.text


def test_only_the_organizer_opens_the_roll_call(app, evening):
    """Another resident's session opens no roll call: 404 as a missing page."""
    phone = resident_client(app, evening["residents"][0])
    assert phone.get(f"/g/{evening['gathering']['id']}/roll").status_code == 404


def _publish_from_the_desk(staff, clock, gathering):
    clock.set(ENDS_AT + timedelta(minutes=20))
    page = staff.get(f"/desk/gatherings/{gathering}")
    decisions = {
        "decision": ["本周六统一清理", "报物业维修", ""],
        "carried_by": ["楼长李建国", "物业", ""],
    }
    answer = submit(
        staff, page, f"/desk/gatherings/{gathering}/decisions", publish="1", **decisions
    )
    assert answer.status_code == 302, answer.text


def test_the_notice_updates_on_an_objection_and_the_statement_names_the_evening(
    app, client, clock, evening
):
    """Published with names by surname; an objection voids one; after the sweep 参加星空夜话 +5."""
    gathering = evening["gathering"]["id"]
    staff = desk(app, evening["staff"])
    link = signin_link(staff, gathering)
    phones = [resident_client(app, m) for m in evening["residents"][:3]]
    for phone in phones:
        scan(phone, link)
    _publish_from_the_desk(staff, clock, gathering)
    notice = client.get(f"/notice/{gathering}")
    assert notice.status_code == 200
    assert notice.text.count('data-status="pending"') == 3 and "本周六统一清理" in notice.text
    assert "公示中的积分共 15 分" in notice.text and 'data-figure="deadline"' in notice.text
    page = staff.get(f"/desk/gatherings/{gathering}")
    first = evening["residents"][0]["id"]
    event = (
        page.text.split(f'data-member="{first}"')[1].split('name="event" value="')[1].split('"')[0]
    )
    objected = submit(
        staff, page, f"/desk/gatherings/{gathering}/objection", event=event, reason="未到场"
    )
    assert objected.status_code == 302
    updated = client.get(f"/notice/{gathering}").text
    assert updated.count('data-status="voided"') == 1 and "公示中的积分共 10 分" in updated
    clock.set(clock.now() + timedelta(days=NOTICE_DAYS))
    assert sweep(app, clock) == 2
    later = resident_client(app, evening["residents"][1])  # her session of Friday has ended
    statement = later.get("/me", follow_redirects=True).text
    assert "参加星空夜话" in statement and "+5" in statement and "2026/11/20" in statement


def test_count_only_notice_shows_no_names(app, client, clock, evening):
    """Under the count-only setting the public notice has the count and no list."""
    client.put(
        "/v1/communities/qianjiang/gathering-settings",
        json={"attendee_names": "count"},
        headers=evening["staff"],
    )
    gathering = evening["gathering"]["id"]
    staff = desk(app, evening["staff"])
    scan(resident_client(app, evening["residents"][0]), signin_link(staff, gathering))
    _publish_from_the_desk(staff, clock, gathering)
    notice = client.get(f"/notice/{gathering}").text
    assert "参加人员（1 人）" in notice and "王某" not in notice and "只公示参加人数" in notice


def test_a_desk_schedules_a_gathering_once(app, evening):
    """The schedule form, sent twice with one token, makes one gathering."""
    staff = desk(app, evening["staff"])
    page = staff.get("/desk/gatherings/")
    fields = dict(
        title="广场夜话",
        kind="meeting",
        activity="deliberation.attend",
        place="文化礼堂",
        day="2026-11-27",
        starts="19:30",
        ends="21:00",
        organizer_ref="R-000",
        topics="停车难\n垃圾分类",
    )
    first = submit(staff, page, "/desk/gatherings/", **fields)
    second = submit(staff, page, "/desk/gatherings/", **fields)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    listed = staff.get("/desk/gatherings/").text
    assert listed.count("广场夜话") == 1
    shown = staff.get(first.headers["Location"]).text
    assert "2026/11/27" in shown and "19:30" in shown and "李建国" in shown


def test_a_till_is_refused_the_desk_and_a_resident_sees_only_her_own(
    app, client, evening, make_key
):
    """A till's session opening the desk is 403; a resident's status page shows only her own."""
    shop = client.post(
        "/v1/communities/qianjiang/shops", json={"name": "潜江积分超市"}, headers=evening["staff"]
    ).json
    till = desk(app, make_key("shop", shop=shop["id"]))
    assert till.get(f"/desk/gatherings/{evening['gathering']['id']}").status_code == 403
    phone = resident_client(app, evening["residents"][0])
    page = phone.get(f"/g/{evening['gathering']['id']}")
    assert 'data-state="absent"' in page.text
    assert phone.get("/desk/gatherings/").status_code == 302  # to the device sign-in


def test_the_code_page_reloads_every_minute_with_or_without_javascript(app, evening):
    """The desk's code page carries the reload script and a noscript meta refresh of 60 s."""
    staff = desk(app, evening["staff"])
    page = staff.get(f"/desk/gatherings/{evening['gathering']['id']}/code").text
    assert 'data-refresh-seconds="60"' in page
    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in page
