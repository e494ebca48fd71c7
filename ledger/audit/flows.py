"""A window's flows: posted postings grouped by accounts, entry kind, unit and labels.

Every figure of the community report is a sum over these groups, so the report reads a window
once. The same grouping builds the daily rollups (``rollups.py``), so a rolled-up day and a
scanned one give the same rows.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

import sqlalchemy as sa

from ledger.core.models import Entry, Posting


class WindowSum(NamedTuple):
    """Posted postings of the window with the same accounts, kind, unit and labels, summed."""

    from_account_id: str
    to_account_id: str
    kind: str
    unit: str
    activity: str | None  # awards only: the activity named in the entry's metadata
    category: str | None  # services only: the category named in the entry's metadata
    amount: int

    def key(self) -> tuple:
        return self[:-1]


# Labels are read only where a figure uses them, so other entries do not parse their metadata.
# Migration 0018 gives PostgreSQL statistics on exactly these expressions: change them together.
WINDOW_ACTIVITY = sa.case((Entry.kind == "award", Entry.details["activity"].as_string()))
WINDOW_CATEGORY = sa.case((Entry.kind == "service", Entry.details["category"].as_string()))


def posted_between(from_: datetime | None, to: datetime | None):
    """Posted entries with ``from_ <= posted_at < to`` (either end may be open)."""
    conditions = [Entry.status == "posted"]
    if from_ is not None:
        conditions.append(Entry.posted_at >= from_)
    if to is not None:
        conditions.append(Entry.posted_at < to)
    return sa.and_(*conditions)


def flows_select(condition, by: tuple = ()) -> sa.Select:
    """The grouped flows of the entries meeting ``condition``, as (*by, from, to, kind, unit,
    activity, category, amount) rows; ``by`` adds columns to group by, of tables the caller
    joins."""
    group = (
        *by,
        Posting.from_account_id,
        Posting.to_account_id,
        Entry.kind,
        Posting.unit,
        WINDOW_ACTIVITY,
        WINDOW_CATEGORY,
    )
    return (
        sa.select(*group, sa.func.sum(Posting.amount))
        .select_from(Entry)
        .join(Posting, Posting.entry_id == Entry.id)
        .where(condition)
        .group_by(*group)
    )


def merged(*parts: Iterable[WindowSum]) -> list[WindowSum]:
    """The groups of several parts of a window, those with the same key added up."""
    totals: dict[tuple, int] = {}
    for part in parts:
        for flow in part:
            totals[flow.key()] = totals.get(flow.key(), 0) + flow.amount
    return [WindowSum._make((*key, amount)) for key, amount in totals.items()]
