"""Subscriptions: from now on, per key, within a limit, to public URLs checked against DNS."""

import socket

import pytest

from ledger.webhooks import errors, subscriptions
from ledger.webhooks.delivery import fan_out
from tests.ledger.webhooks.conftest import SERVER_KEY


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
    created = subscribe(integrator, "service.open", "entry.reversed", "service.open")
    assert created.event_types == ["entry.reversed", "service.open"]
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
    session, integrator, subscribe, tell, deliveries, now
):
    """Its pending deliveries go with it; the events stay for the feed."""
    created = subscribe(integrator)
    tell("ent_1")
    fan_out(session, now)
    assert len(deliveries()) == 1
    subscriptions.delete(session, integrator.id, created.id)
    session.commit()
    assert deliveries() == []


def test_an_admin_key_covers_every_community_and_others_their_own(
    session, community, make_community, make_key
):
    """communities_of_key is None for an admin and the key's communities otherwise."""
    elsewhere = make_community(slug="yuquan", name="玉泉社区")
    assert subscriptions.communities_of_key(session, make_key(role="admin").id) is None
    both = make_key(community, elsewhere)
    assert sorted(subscriptions.communities_of_key(session, both.id)) == sorted(
        [community.id, elsewhere.id]
    )
