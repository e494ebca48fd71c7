"""Sign-in cards for page tests: issued with the ledger, as `pointsbank cards` issues them."""

from api.clock import now
from api.extensions import db
from ledger.core import signin
from ledger.core.communities import get_member


def card_token(app, member_id: str) -> str:
    """A fresh card's token for the member (her earlier unused cards stop working)."""
    with app.app_context():
        card = signin.issue_card(db.session, get_member(db.session, member_id), now=now())
        db.session.commit()
        db.session.remove()
    return card.token
