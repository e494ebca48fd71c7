"""pointsbank's ledger: the domain, written against SQLAlchemy and the standard library only.

Nothing in this package imports Flask, marshmallow or ``api``; the web edge calls in, never the
other way round. Every balance change goes through :func:`ledger.journal.post_entry`.
"""
