"""Someone with database access edits history: a community to edit, and the ways to edit it.

Each Tamperer method changes stored history one way (with raw SQL) and returns the sequence
number verify must name first.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ledger.audit import chain
from ledger.audit.models import JournalSeal
from ledger.capabilities import reverse_entry
from ledger.core.communities import create_community, create_member, member_account, system_account
from ledger.core.ids import new_id
from ledger.core.journal import EntryDraft, PostingDraft, post_entry, post_pending, void_pending
from ledger.core.models import Entry

_entries = Entry.__table__
START = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def build_community(session):
    """星光社区: four residents, grants, gifts, holds captured and released, a reversal, minutes."""
    hour = [0]

    def at():
        hour[0] += 1
        return START + timedelta(hours=hour[0])

    community = create_community(
        session, slug="xingguang", name="星光社区", now=START, time_floor_minutes=-600
    )
    residents = [
        create_member(session, community, external_ref=f"R-{n}", display_name=name, now=START)
        for n, name in enumerate(("王秀英", "李建国", "张梅", "刘洋"))
    ]
    points = [member_account(session, r.id, "points").id for r in residents]
    minutes = [member_account(session, r.id, "minutes").id for r in residents]
    issuance = system_account(session, community.id, "issuance", "points").id
    love_bank = system_account(session, community.id, "love_bank", "minutes").id

    def post(kind, *postings, pending=False, details=None):
        return post_entry(
            session,
            EntryDraft(
                community_id=community.id,
                kind=kind,
                memo=f"{kind} {hour[0]}",
                postings=[PostingDraft(*p) for p in postings],
                pending=pending,
                details=details or {"note": kind},
            ),
            now=at(),
        )

    for n, account in enumerate(points):
        post(
            "award",
            (issuance, account, "points", 40 + 10 * n),
            details={"activity": "cleanup.join"},
        )
    post(
        "grant",
        (
            system_account(session, community.id, "issuance", "minutes").id,
            love_bank,
            "minutes",
            600,
        ),
    )
    gift = post("transfer", (points[0], points[1], "points", 7))
    post("transfer", (points[2], points[3], "points", 5), (points[2], points[0], "points", 3))
    captured = post("redemption", (points[1], issuance, "points", 12), pending=True)
    released = post("redemption", (points[3], issuance, "points", 9), pending=True)
    post("service", (minutes[0], minutes[1], "minutes", 90), details={"category": "escort"})
    post("service", (love_bank, minutes[2], "minutes", 60), details={"category": "visit"})
    post_pending(session, captured.id, now=at())
    void_pending(session, released.id, now=at())
    reverse_entry(session, gift.id, reason="gift sent to the wrong neighbour", now=at())
    post("transfer", (points[1], points[2], "points", 4))
    session.commit()
    chain.seal_community(session, community.id, now=at())
    session.commit()
    return community


def seals_by_entry(session):
    """{entry id: [(seq, record, status), ...]} as sealed."""
    found = {}
    for row in session.execute(
        sa.select(
            JournalSeal.seq, JournalSeal.entry_id, JournalSeal.record, JournalSeal.status
        ).order_by(JournalSeal.seq)
    ):
        found.setdefault(row.entry_id, []).append((int(row.seq), row.record, row.status))
    return found


class Tamperer:
    """Each method changes stored history one way and returns the seq that must be named."""

    def __init__(self, session, rng, seals, community_id):
        self.session, self.rng, self.seals, self.community_id = session, rng, seals, community_id
        self.entries = session.execute(
            sa.select(Entry.id, Entry.status, Entry.created_at).order_by(Entry.created_at, Entry.id)
        ).all()
        self.postings = session.execute(
            sa.text(
                "SELECT id, entry_id, from_account_id, to_account_id, unit, amount FROM postings "
                "ORDER BY id"
            )
        ).all()
        self.accounts = session.execute(sa.text("SELECT id, unit FROM accounts")).all()

    def sql(self, statement, **params):
        self.session.execute(sa.text(statement), params)

    def entry_seq(self, entry_id):
        return self.seals[entry_id][0][0]

    def final_seq(self, entry_id):
        return self.seals[entry_id][-1][0]

    def posting(self):
        return self.rng.choice(self.postings)

    def change_amount(self):
        p = self.posting()
        self.sql(
            "UPDATE postings SET amount = amount + :d WHERE id = :id",
            d=self.rng.randint(1, 50),
            id=p.id,
        )
        return self.entry_seq(p.entry_id)

    def change_account(self):
        p = self.posting()
        others = [
            a.id
            for a in self.accounts
            if a.unit == p.unit and a.id not in (p.from_account_id, p.to_account_id)
        ]
        column = self.rng.choice(("from_account_id", "to_account_id"))
        self.sql(
            f"UPDATE postings SET {column} = :a WHERE id = :id", a=self.rng.choice(others), id=p.id
        )
        return self.entry_seq(p.entry_id)

    def change_time(self):
        e = self.rng.choice(self.entries)
        shift = timedelta(minutes=self.rng.randint(1, 600))
        column = self.rng.choice(("occurred_at", "created_at", "posted_at"))
        if column == "posted_at" and e.status != "posted":
            column = "occurred_at"
        moved = self.session.scalar(sa.select(_entries.c[column]).where(_entries.c.id == e.id))
        self.session.execute(
            _entries.update().where(_entries.c.id == e.id).values({column: moved + shift})
        )
        # The posting time is sealed by whichever record sealed the final status.
        return self.final_seq(e.id) if column == "posted_at" else self.entry_seq(e.id)

    def change_words(self):
        e = self.rng.choice(self.entries)
        column, value = self.rng.choice(
            (("memo", "edited later"), ("kind", "adjustment"), ("cause_id", "evt_forged"))
        )
        self.sql(f"UPDATE entries SET {column} = :v WHERE id = :id", v=value, id=e.id)
        return self.entry_seq(e.id)

    def change_status(self):
        e = self.rng.choice([e for e in self.entries if e.status in ("posted", "voided")])
        other = "voided" if e.status == "posted" else "posted"
        self.sql(
            "UPDATE entries SET status = :s, posted_at = COALESCE(posted_at, created_at) "
            "WHERE id = :id",
            s=other,
            id=e.id,
        )
        return self.final_seq(e.id)

    def delete_posting(self):
        p = self.posting()
        self.sql("DELETE FROM postings WHERE id = :id", id=p.id)
        return self.entry_seq(p.entry_id)

    def delete_entry(self):
        e = self.rng.choice(self.entries)
        self.sql("DELETE FROM postings WHERE entry_id = :id", id=e.id)
        self.sql("DELETE FROM entries WHERE id = :id", id=e.id)
        return self.entry_seq(e.id)

    def swap_amounts(self):
        while True:
            a, b = self.rng.sample(self.postings, 2)
            if a.entry_id != b.entry_id and a.amount != b.amount and a.unit == b.unit:
                break
        self.sql("UPDATE postings SET amount = :v WHERE id = :id", v=b.amount, id=a.id)
        self.sql("UPDATE postings SET amount = :v WHERE id = :id", v=a.amount, id=b.id)
        return min(self.entry_seq(a.entry_id), self.entry_seq(b.entry_id))

    def swap_owners(self):
        """Two postings trade places between their entries."""
        while True:
            a, b = self.rng.sample(self.postings, 2)
            if a.entry_id != b.entry_id:
                break
        self.sql("UPDATE postings SET entry_id = :e WHERE id = :id", e=b.entry_id, id=a.id)
        self.sql("UPDATE postings SET entry_id = :e WHERE id = :id", e=a.entry_id, id=b.id)
        return min(self.entry_seq(a.entry_id), self.entry_seq(b.entry_id))

    def swap_times(self):
        a, b = self.rng.sample(self.entries, 2)
        times = dict(
            self.session.execute(
                sa.select(_entries.c.id, _entries.c.occurred_at).where(
                    _entries.c.id.in_([a.id, b.id])
                )
            ).all()
        )
        for this, that in ((a.id, b.id), (b.id, a.id)):
            self.session.execute(
                _entries.update().where(_entries.c.id == this).values(occurred_at=times[that])
            )
        return min(self.entry_seq(a.id), self.entry_seq(b.id))

    def forge_posting(self):
        e = self.rng.choice(self.entries)
        a, b = self.rng.sample([a.id for a in self.accounts if a.unit == "points"], 2)
        self.sql(
            "INSERT INTO postings (entry_id, from_account_id, to_account_id, unit, amount) "
            "VALUES (:e, :a, :b, 'points', :n)",
            e=e.id,
            a=a,
            b=b,
            n=self.rng.randint(1, 99),
        )
        return self.entry_seq(e.id)

    def forge_backdated_entry(self):
        """A whole entry slipped into the past, between two sealed ones."""
        later = self.rng.choice(self.entries[1:-2])
        stamp = later.created_at - timedelta(seconds=1)
        forged = new_id("ent")
        self.session.execute(
            _entries.insert().values(
                id=forged,
                community_id=self.community_id,
                kind="award",
                status="posted",
                occurred_at=stamp,
                posted_at=stamp,
                created_at=stamp,
                memo="forged",
                metadata={},
            )
        )
        a, b = self.rng.sample([a.id for a in self.accounts if a.unit == "points"], 2)
        self.sql(
            "INSERT INTO postings (entry_id, from_account_id, to_account_id, unit, amount) "
            "VALUES (:e, :a, :b, 'points', 25)",
            e=forged,
            a=a,
            b=b,
        )
        return self.entry_seq(later.id)

    def edit_seal(self):
        seq = self.rng.randint(1, max(s for rows in self.seals.values() for s, _, _ in rows))
        column = self.rng.choice(("digest", "hash"))
        self.sql(f"UPDATE journal_seals SET {column} = :v WHERE seq = :s", v="0" * 64, s=seq)
        return seq

    def drop_seal(self):
        seq = self.rng.randint(1, max(s for rows in self.seals.values() for s, _, _ in rows))
        self.sql("DELETE FROM journal_seals WHERE seq = :s", s=seq)
        return seq

    TAMPERINGS = (
        "change_amount",
        "change_account",
        "change_time",
        "change_words",
        "change_status",
        "delete_posting",
        "delete_entry",
        "swap_amounts",
        "swap_owners",
        "swap_times",
        "forge_posting",
        "forge_backdated_entry",
        "edit_seal",
        "drop_seal",
    )


def bypass_guards(session):
    """What a superuser can do: switch off the append-only triggers and deferred key checks."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    else:
        session.execute(sa.text("PRAGMA defer_foreign_keys = ON"))
