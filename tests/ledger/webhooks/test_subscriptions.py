"""Subscriptions: from now on, per key, within a limit, to public URLs checked against DNS."""

import socket
from datetime import timedelta

import pytest

from ledger.core.apikeys import create_key, revoke
from ledger.webhooks import errors, outbox, subscriptions
from ledger.webhooks.delivery import fan_out
from ledger.webhooks.models import WebhookEvent
from tests.ledger.webhooks.conftest import SERVER_KEY, settle


def resolving_to(*addresses):
    """A getaddrinfo that answers ``addresses`` for any host, as a DNS server might."""

    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return getaddrinfo


def test_a_host_resolving_to_any_private_address_is_refused(monkeypatch):
    """One private answer among public ones refuses the URL; only public answers pass."""
    monkeypatch.setattr(
        subscriptions.socket, "getaddrinfo", resolving_to("93.184.215.14", "10.1.2.3")
    )
    with pytest.raises(errors.UrlNotAllowed, match="private"):
        subscriptions.check_url("https://hooks.example.com/in", allow_private=False)
    monkeypatch.setattr(subscriptions.socket, "getaddrinfo", resolving_to("93.184.215.14"))
    subscriptions.check_url("https://hooks.example.com/in", allow_private=False)


def test_mapped_multicast_unresolvable_and_overlong_urls_are_refused(monkeypatch):
    """An IPv4-mapped loopback (a mapped public address passes), a multicast group, a name that
    does not resolve, and a URL longer than URL_MAX_LENGTH are all refused."""
    subscriptions.check_url("http://[::ffff:93.184.215.14]/", allow_private=False)
    for url in ("http://[::ffff:127.0.0.1]/", "http://224.0.0.1/"):
        with pytest.raises(errors.UrlNotAllowed):
            subscriptions.check_url(url, allow_private=False)

    def no_answer(*args, **kwargs):
        raise socket.gaierror("Name or service not known")

    monkeypatch.setattr(subscriptions.socket, "getaddrinfo", no_answer)
    with pytest.raises(errors.UrlNotAllowed, match="does not resolve"):
        subscriptions.check_url("https://nowhere.example/", allow_private=False)
    too_long = "https://a.example/" + "x" * subscriptions.URL_MAX_LENGTH
    with pytest.raises(errors.UrlNotAllowed) as refused:
        subscriptions.check_url(too_long, allow_private=True)
    assert refused.value.numbers == {"max_length": subscriptions.URL_MAX_LENGTH}


def test_a_subscription_starts_after_the_latest_event_with_its_types_tidied(
    session, integrator, subscribe, tell
):
    """Earlier events stay in the feed only; repeated types are kept once, sorted; none is refused."""
    tell("ent_1")
    tell("ent_2")
    settle(session)
    created = subscribe(integrator, "service.open", "entry.reversed", "service.open")
    assert created.event_types == ["entry.reversed", "service.open"]
    last = session.query(WebhookEvent).order_by(WebhookEvent.seq.desc()).first()
    assert (created.cursor_xid, created.cursor_seq) == (last.xid, last.seq)
    assert created.cursor_seq > 0 and created.state == "active"
    assert created.secret.startswith("whsec_")
    with pytest.raises(errors.UnknownEventType):
        subscriptions.create(
            session,
            integrator.id,
            url="http://127.0.0.1/",
            event_types=[],
            server_key=SERVER_KEY,
            allow_private=True,
            now=created.created_at,
        )


def test_a_key_has_at_most_the_maximum_of_subscriptions(integrator, subscribe):
    """The subscription after MAX_SUBSCRIPTIONS_PER_KEY is refused with the limit named."""
    for _ in range(subscriptions.MAX_SUBSCRIPTIONS_PER_KEY):
        subscribe(integrator)
    with pytest.raises(errors.TooManySubscriptions) as refused:
        subscribe(integrator)
    assert refused.value.numbers == {"max_subscriptions": subscriptions.MAX_SUBSCRIPTIONS_PER_KEY}


def test_a_key_lists_and_reaches_only_its_own(session, community, make_key, integrator, subscribe):
    """Another key's subscription is not listed and not found, like one that does not exist."""
    mine = subscribe(integrator)
    other = make_key(community)
    theirs = subscribe(other)
    page = subscriptions.list_own(session, integrator.id, limit=10, cursor=None)
    assert [s.id for s in page.items] == [mine.id]
    with pytest.raises(errors.SubscriptionNotFound):
        subscriptions.get_own(session, integrator.id, theirs.id)
    with pytest.raises(errors.SubscriptionNotFound):
        subscriptions.pause(session, integrator.id, theirs.id)


def test_resume_clears_the_pause_and_the_failure_record(session, integrator, subscribe, now):
    """A paused subscription resumed is active with no reason and no failing_since."""
    created = subscribe(integrator)
    paused = subscriptions.pause(session, integrator.id, created.id)
    assert (paused.state, paused.paused_reason) == ("paused", "paused by its owner")
    paused.failing_since = now
    resumed = subscriptions.resume(session, integrator.id, created.id)
    assert (resumed.state, resumed.paused_reason, resumed.failing_since) == ("active", None, None)


def test_deleting_a_subscription_takes_its_deliveries(
    session, staff, subscribe, tell, deliveries, now
):
    """Its pending deliveries go with it; the events stay for the feed."""
    created = subscribe(staff)
    tell("ent_1")
    settle(session)
    fan_out(session, now)
    assert len(deliveries()) == 1
    subscriptions.delete(session, staff.id, created.id)
    session.commit()
    assert deliveries() == []
    assert session.query(WebhookEvent).count() == 1


def test_each_role_reaches_what_its_gets_show(
    session, community, make_community, make_key, staff, integrator, wang, now
):
    """An admin reaches every community, staff their own, an integrator only what it posted
    (in any community), a member key nothing; a key that does not exist reaches nothing."""
    elsewhere = make_community(slug="yuquan", name="玉泉社区")
    wide = make_key(community, elsewhere)
    member = create_key(session, role="member", member_id=wang.id, now=now)[0]
    assert subscriptions.reach_of_key(session, make_key(role="admin").id, now) == outbox.Reach(None)
    assert subscriptions.reach_of_key(session, staff.id, now) == outbox.Reach(
        frozenset({community.id})
    )
    for key in (integrator, wide):
        reach = subscriptions.reach_of_key(session, key.id, now)
        assert reach == outbox.Reach(None, posted_by=key.id)
    assert subscriptions.reach_of_key(session, member.id, now) is None
    assert subscriptions.reach_of_key(session, "key_missing", now) is None


def test_a_revoked_or_expired_key_reaches_nothing(session, community, staff, now):
    """Revoked at once, or expired at its expiry, a key's subscriptions would receive nothing."""
    assert subscriptions.reach_of_key(session, staff.id, now) is not None
    revoke(session, staff.id, now)
    assert subscriptions.reach_of_key(session, staff.id, now) is None
    expiry = now + timedelta(days=1)
    expiring = create_key(
        session, role="staff", community_slugs=[community.slug], expires_at=expiry, now=now
    )[0]
    assert subscriptions.reach_of_key(session, expiring.id, expiry - timedelta(seconds=1))
    assert subscriptions.reach_of_key(session, expiring.id, expiry) is None
