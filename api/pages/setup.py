"""What the pages need of the app, set up when their blueprint is registered.

CSRF checks apply to the pages blueprint only (``WTF_CSRF_CHECK_DEFAULT`` off; the blueprint calls
``csrf.protect()``), so the JSON API keeps its bearer-key contract. The English catalogue is
compiled from its .po into the instance folder when it is newer, so a fresh clone needs no step.
"""

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import request, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

TRANSLATIONS = Path(__file__).parent / "translations"
# Chinese first: the messages are written in it; English comes from the catalogue.
LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en"}
DEFAULT_LOCALE = "zh-CN"
csrf = CSRFProtect()


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, SameSite=Lax, and Secure whenever the request came over HTTPS."""

    def get_cookie_samesite(self, app):
        return app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"

    def get_cookie_secure(self, app):
        return app.config.get("SESSION_COOKIE_SECURE") or request.is_secure


def page_language() -> str:
    """The language chosen by the link, else the browser's, else Chinese."""
    chosen = session.get("language")
    if chosen in LOCALES:
        return chosen
    return request.accept_languages.best_match(list(LOCALES), default=DEFAULT_LOCALE)


def _locale() -> str:
    return LOCALES[page_language()]


def compile_catalogues(into: Path) -> Path:
    """Each .po under TRANSLATIONS as a .mo under ``into``, rewritten only when older."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = into / po.relative_to(TRANSLATIONS).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalogue = read_po(source)
        # Written beside and renamed over, so a worker never reads half a file.
        descriptor, partial = tempfile.mkstemp(dir=mo.parent)
        with os.fdopen(descriptor, "wb") as target:
            write_mo(target, catalogue)
        os.replace(partial, mo)
    return into


def set_up(state) -> None:
    """record_once callback of the pages blueprint."""
    app = state.app
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    compiled = compile_catalogues(Path(app.instance_path) / "translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(compiled))
    app.session_interface = PageSessionInterface()
    csrf.init_app(app)
    Babel(app, locale_selector=_locale)
