"""What the benchmarks share: a scratch PostgreSQL database, and a community to award in."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ledger.core.communities import create_community, create_member, member_account, system_account

ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def scratch_database() -> Iterator[str]:
    """A fresh database for one run, dropped afterwards however the run ends; yields its URL."""
    name = f"pointsbank_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def scratch_engine(pool_size: int) -> Iterator[sa.Engine]:
    """An engine on a scratch database, disposed before the database is dropped."""
    with scratch_database() as url:
        engine = sa.create_engine(url, pool_size=pool_size)
        try:
            yield engine
        finally:
            engine.dispose()


def award_community(engine, slug: str, members: int) -> tuple[str, str, list[str]]:
    """A community with ``members`` residents: (community id, issuance account, points accounts)."""
    now = datetime.now(UTC)
    with Session(engine) as session:
        community = create_community(session, slug=slug, name="bench", now=now)
        issuance = system_account(session, community.id, "issuance", "points").id
        accounts = [
            member_account(
                session,
                create_member(
                    session, community, external_ref=str(i), display_name=str(i), now=now
                ).id,
                "points",
            ).id
            for i in range(members)
        ]
        session.commit()
        return community.id, issuance, accounts
