"""The sealed journal's public face: its head, and proofs that history only grew.

Anyone whose key belongs to the community (residents' representatives included) may read the
head and save it; later, ``/journal/proof?from_seq=<saved seq>`` gives what is needed to check
that the current journal extends the saved head (``ledger.chain.check_extension``, or
``pointsbank check-proof``).
"""

from marshmallow import Schema, fields, validate

from api import access
from api.extensions import db
from api.schemas import StrictSchema
from api.smorest import Blueprint
from ledger.audit import chain

blp = Blueprint(
    "journal",
    __name__,
    url_prefix="/v1",
    description="The tamper-evident journal: head and extension proofs",
)


class HeadSchema(Schema):
    community = fields.String(metadata={"description": "The community slug."})
    seq = fields.Integer(metadata={"description": "Records sealed so far (0: nothing yet)."})
    hash = fields.String(metadata={"description": "sha256 hex of the chain at seq."})
    sealed_at = fields.AwareDateTime(allow_none=True)
    unsealed_entries = fields.Integer(
        attribute="unsealed",
        metadata={"description": "Entries written but not sealed yet (the sealer runs apart)."},
    )


class ProofQuery(StrictSchema):
    from_seq = fields.Integer(
        required=True,
        validate=validate.Range(min=0),
        metadata={"description": "The seq of the head you saved."},
    )
    limit = fields.Integer(
        load_default=chain.MAX_PROOF_RECORDS,
        validate=validate.Range(min=1, max=chain.MAX_PROOF_RECORDS),
    )


class PointSchema(Schema):
    seq = fields.Integer()
    hash = fields.String()


class ProofSchema(Schema):
    community = fields.String()
    from_ = fields.Nested(PointSchema, data_key="from", attribute="start")
    to = fields.Nested(PointSchema, attribute="end")
    digests = fields.List(
        fields.String(),
        metadata={
            "description": "Digests of records from.seq+1 .. to.seq; fold each onto the hash as "
            "sha256(bytes(hash) || bytes(digest)) to reach to.hash."
        },
    )
    head = fields.Nested(PointSchema)
    complete = fields.Boolean(metadata={"description": "True when to is the current head."})


@blp.route("/communities/<slug>/journal/head")
@blp.response(200, HeadSchema)
def show_head(slug):
    """The last sealed sequence number and hash of the community's journal: save it."""
    return chain.published_head_of(db.session, access.community(slug))


@blp.route("/communities/<slug>/journal/proof")
@blp.arguments(ProofQuery, location="query", as_kwargs=True)
@blp.response(200, ProofSchema)
def show_proof(slug, from_seq, limit):
    """The digests leading from a saved head towards the current one (paged by ``limit``)."""
    return chain.published_proof(db.session, access.community(slug), from_seq, limit)
