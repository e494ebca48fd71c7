"""The sealed journal: sealing, the published head, and proofs that history only grew."""

import json
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from api.cli import main as cli
from api.extensions import db
from ledger.audit import chain
from ledger.audit.models import JournalSeal
from ledger.audit.verify import verify
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending, void_pending

MARCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def head(client, admin, slug="qianjiang"):
    response = client.get(f"/v1/communities/{slug}/journal/head", headers=admin)
    assert response.status_code == 200, response.json
    return response.json


def give(client, admin, community, source, target, amount):
    response = client.post(
        "/v1/adjustments",
        headers=admin,
        json={
            "postings": [{"from": source, "to": target, "unit": "points", "amount": amount}],
            "reason": "neighbours settle up",
        },
    )
    assert response.status_code == 201, response.json
    return response.json


def test_entries_wait_for_the_sealer_and_then_extend_the_head(app, client, admin, community):
    """Written entries are counted as unsealed until `seal` appends them to the chain."""
    before = head(client, admin)
    assert before["seq"] == 0 and before["unsealed_entries"] == 2
    assert seal(app) == 2
    after = head(client, admin)
    assert after["seq"] == 2 and after["unsealed_entries"] == 0
    assert after["hash"] != before["hash"] and after["sealed_at"] is not None
    assert seal(app) == 0


def test_a_pending_entry_is_sealed_again_when_it_is_resolved(app, session, community):
    """A hold is sealed as pending, then its capture is sealed as its own resolution record."""
    c, wang, li = community["community"], community["wang"], community["li"]
    hold = post_entry(
        session,
        EntryDraft(
            community_id=c["id"],
            kind="transfer",
            pending=True,
            postings=[PostingDraft(wang["points_account"], li["points_account"], "points", 10)],
        ),
        now=MARCH,
    )
    released = post_entry(
        session,
        EntryDraft(
            community_id=c["id"],
            kind="transfer",
            pending=True,
            postings=[PostingDraft(wang["points_account"], li["points_account"], "points", 5)],
        ),
        now=MARCH,
    )
    session.commit()
    assert chain.seal_community(session, c["id"], now=MARCH) == 4
    session.commit()
    post_pending(session, hold.id, now=MARCH)
    void_pending(session, released.id, now=MARCH)
    session.commit()
    assert verify(session) == []  # resolved but not sealed yet: waiting, not broken
    assert chain.seal_community(session, c["id"], now=MARCH) == 2
    session.commit()
    records = session.execute(
        sa.select(JournalSeal.entry_id, JournalSeal.record, JournalSeal.status).order_by(
            JournalSeal.seq
        )
    ).all()
    assert [(r.record, r.status) for r in records if r.entry_id == hold.id] == [
        ("entry", "pending"),
        ("resolution", "posted"),
    ]
    assert [(r.record, r.status) for r in records if r.entry_id == released.id] == [
        ("entry", "pending"),
        ("resolution", "voided"),
    ]
    assert verify(session) == []


def test_a_saved_head_and_the_proof_verify_after_new_entries(
    app, client, admin, community, tmp_path
):
    """A resident saves the head; after more entries the proof shows history only grew."""
    c, wang, li = community["community"], community["wang"], community["li"]
    seal(app)
    saved = head(client, admin)
    for amount in (3, 4, 5):
        give(client, admin, c, wang["points_account"], li["points_account"], amount)
    seal(app)
    current = head(client, admin)
    assert current["seq"] == saved["seq"] + 3
    response = client.get(
        f"/v1/communities/qianjiang/journal/proof?from_seq={saved['seq']}", headers=admin
    )
    assert response.status_code == 200, response.json
    proof = response.json
    assert proof["complete"] and proof["to"] == {"seq": current["seq"], "hash": current["hash"]}
    assert chain.check_extension(saved["seq"], saved["hash"], proof)[0]

    # The same check from the command line, over two pages of two digests at most.
    first = client.get(
        f"/v1/communities/qianjiang/journal/proof?from_seq={saved['seq']}&limit=2", headers=admin
    ).json
    assert not first["complete"]
    second = client.get(
        f"/v1/communities/qianjiang/journal/proof?from_seq={first['to']['seq']}&limit=2",
        headers=admin,
    ).json
    pages = []
    for number, page in enumerate((first, second)):
        path = tmp_path / f"proof-{number}.json"
        path.write_text(json.dumps(page))
        pages.append(str(path))
    result = app.test_cli_runner().invoke(
        cli, ["check-proof", "--seq", str(saved["seq"]), "--hash", saved["hash"], *pages]
    )
    assert result.exit_code == 0, result.output
    assert f"seq {current['seq']}" in result.output


def _rewrite_chain(session, community_id):
    """What an insider would do after editing history: recompute every digest and hash."""
    seals = session.execute(
        sa.select(JournalSeal.__table__)
        .where(JournalSeal.community_id == community_id)
        .order_by(JournalSeal.seq)
    ).all()
    entries = chain.load_entries(session, [s.entry_id for s in seals])
    postings = chain.load_postings(session, [s.entry_id for s in seals])
    chained = chain.genesis_hash(community_id)
    table = JournalSeal.__table__
    for s in seals:
        digest = chain.record_digest(s, entries[s.entry_id], postings.get(s.entry_id, []))
        chained = chain.link(chained, digest)
        session.execute(
            table.update()
            .where(table.c.community_id == community_id, table.c.seq == s.seq)
            .values(digest=digest, hash=chained)
        )
    session.execute(
        sa.text("UPDATE journal_heads SET hash = :h WHERE community_id = :c"),
        {"h": chained, "c": community_id},
    )


def test_a_rewritten_history_fails_the_proof(app, client, admin, session, community, tmp_path):
    """Editing an old amount and resealing the whole chain cannot fool a saved head."""
    c, wang, li = community["community"], community["wang"], community["li"]
    give(client, admin, c, wang["points_account"], li["points_account"], 7)
    seal(app)
    saved = head(client, admin)
    give(client, admin, c, wang["points_account"], li["points_account"], 8)
    seal(app)

    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    first_posting = session.scalar(sa.text("SELECT min(id) FROM postings"))
    session.execute(
        sa.text("UPDATE postings SET amount = amount + 900 WHERE id = :id"), {"id": first_posting}
    )
    _rewrite_chain(session, c["id"])
    session.commit()

    # The insider's own chain is consistent again (only the balances still tell)...
    assert not [b for b in verify(session) if b.check == "journal-chain"]
    # ...but the head a resident saved does not lead to it.
    proof = client.get(
        f"/v1/communities/qianjiang/journal/proof?from_seq={saved['seq']}", headers=admin
    ).json
    ok, why = chain.check_extension(saved["seq"], saved["hash"], proof)
    assert not ok and "rewritten" in why
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof))
    result = app.test_cli_runner().invoke(
        cli, ["check-proof", "--seq", str(saved["seq"]), "--hash", saved["hash"], str(path)]
    )
    assert result.exit_code == 1 and "FAILED" in result.output


def test_a_proof_with_a_forged_digest_fails(app, client, admin, community):
    """A proof page whose digests do not lead to its end hash is refused."""
    seal(app)
    proof = client.get("/v1/communities/qianjiang/journal/proof?from_seq=0", headers=admin).json
    forged = dict(proof, digests=[proof["digests"][0], "ab" * 32])
    assert chain.check_extension(0, proof["from"]["hash"], proof)[0]
    assert not chain.check_extension(0, proof["from"]["hash"], forged)[0]
    assert not chain.check_extension(1, proof["from"]["hash"], proof)[0]


def test_head_and_proof_are_for_the_community_only(client, make_key, make_community, community):
    """A key of another community sees neither the head nor proofs; a bad from_seq is 422."""
    make_community("donghu", "东湖社区")
    outsider = make_key("staff", community="donghu")
    assert client.get("/v1/communities/qianjiang/journal/head", headers=outsider).status_code == 404
    assert (
        client.get(
            "/v1/communities/qianjiang/journal/proof?from_seq=0", headers=outsider
        ).status_code
        == 404
    )
    resident = make_key("member", member=community["wang"]["id"])
    assert client.get("/v1/communities/qianjiang/journal/head", headers=resident).status_code == 200
    too_far = client.get("/v1/communities/qianjiang/journal/proof?from_seq=99", headers=resident)
    assert too_far.status_code == 422
    assert too_far.json["type"].endswith("proof-out-of-range")
    assert (
        client.get(
            "/v1/communities/qianjiang/journal/proof?from_seq=-1", headers=resident
        ).status_code
        == 422
    )


@pytest.mark.postgres
def test_writes_do_not_wait_for_a_sealer(app, client, admin, community):
    """While a sealer holds the community's head lock, awards and gifts still go through."""
    c, wang, li = community["community"], community["wang"], community["li"]
    seal(app)
    locked, release = threading.Event(), threading.Event()

    def sealer_holding_the_lock():
        with app.app_context():
            db.session.execute(
                sa.text("SELECT seq FROM journal_heads WHERE community_id = :c FOR UPDATE"),
                {"c": c["id"]},
            )
            locked.set()
            release.wait(10)
            db.session.rollback()
            db.session.remove()

    holder = threading.Thread(target=sealer_holding_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        with app.app_context():
            # Were post_entry to touch the head row, this would wait and then fail.
            db.session.execute(sa.text("SET lock_timeout = '1s'"))
            record = post_entry(
                db.session,
                EntryDraft(
                    community_id=c["id"],
                    kind="adjustment",
                    memo="while sealing",
                    postings=[
                        PostingDraft(wang["points_account"], li["points_account"], "points", 1)
                    ],
                ),
                now=datetime.now(UTC),
            )
            db.session.commit()
            db.session.execute(sa.text("RESET lock_timeout"))
            db.session.commit()
            db.session.remove()
        assert record.status == "posted"
    finally:
        release.set()
        holder.join()


@pytest.mark.postgres
def test_a_second_sealer_moves_on_while_the_first_holds_the_community(
    app, client, admin, community
):
    """Two sealers never queue: the one that finds the head locked seals nothing and returns."""
    c = community["community"]
    seal(app)
    give(
        client, admin, c, community["wang"]["points_account"], community["li"]["points_account"], 2
    )
    with app.app_context():
        db.session.execute(
            sa.text("SELECT seq FROM journal_heads WHERE community_id = :c FOR UPDATE"),
            {"c": c["id"]},
        )
        with app.app_context():
            assert chain.seal_community(db.session, c["id"], now=datetime.now(UTC)) == 0
            db.session.rollback()
            db.session.remove()
        db.session.rollback()
        db.session.remove()
    assert seal(app) == 1


def seal(app):
    with app.app_context():
        sealed = chain.seal_all(db.session, datetime.now(UTC))
        db.session.commit()
        db.session.remove()
    return sealed
