"""The Flask extensions, created unbound; ``create_app`` binds them."""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy

from api.problems import problem_response_from_http_exception
from ledger.capabilities import METADATA
from ledger.core.models import Base

# Base carries every capability's tables once ledger.capabilities is imported.
assert METADATA is Base.metadata
db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def _rate_limit_key() -> str:
    # Count per API key where one is given, so one busy till does not starve a whole network.
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return "key:" + auth[7:].partition(".")[0]
    return "ip:" + get_remote_address()


limiter = Limiter(key_func=_rate_limit_key)


class ProblemApi(Api):
    """flask-smorest's Api, answering every HTTP error as application/problem+json."""

    def handle_http_exception(self, error):
        return problem_response_from_http_exception(error)
