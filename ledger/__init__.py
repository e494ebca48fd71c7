"""pointsbank's ledger: the domain, written against SQLAlchemy and the standard library only.

One package per capability (``core``, ``earning``, ``supermarket``, ``timebank``, ``audit``),
listed once in :mod:`ledger.capabilities`. Nothing in this package imports Flask, marshmallow or
``api``; the web edge calls in, never the other way round. Every balance change goes through
:func:`ledger.core.journal.post_entry`.
"""
