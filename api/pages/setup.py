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

from api.openapi import V1_PREFIX

PAGES_ROOT = Path(__file__).parent
# The shared catalogue, and one per area package (api/pages/<area>/translations).
CATALOGUES = "translations/*/LC_MESSAGES/messages.po"
# Chinese first: the messages are written in it; English comes from the catalogue.
LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en"}
DEFAULT_LOCALE = "zh-CN"
# Paths that are never a page: the JSON API (a bearer key, never a cookie) and the probes.
SESSIONLESS_PATH_PREFIXES = (V1_PREFIX, "/healthz", "/metrics", "/openapi.json")
csrf = CSRFProtect()


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, SameSite=Lax, and Secure whenever the request came over HTTPS.

    A request to the API or a probe gets Flask's null session: it neither reads nor sets a
    cookie, and skips building the cookie's signing serializer (about 7% of a health probe's
    CPU here), which every request would otherwise pay.
    """

    def open_session(self, app, request):
        if request.path.startswith(SESSIONLESS_PATH_PREFIXES):
            return None  # Flask then makes its null session
        return super().open_session(app, request)

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


def catalogue_sources() -> list[Path]:
    """Every translations folder of the pages: the shared one and each area's."""
    folders = [PAGES_ROOT / "translations", *sorted(PAGES_ROOT.glob("*/translations"))]
    return [folder for folder in folders if folder.is_dir()]


def compile_catalogues(into: Path) -> list[Path]:
    """Each folder's .po files as .mo files under ``into``; a .mo is rewritten only when older.

    Answers the compiled folders, one per source, for BABEL_TRANSLATION_DIRECTORIES (Flask-Babel
    merges their catalogues).
    """
    compiled = []
    for source in catalogue_sources():
        target = into / source.relative_to(PAGES_ROOT).parent
        _compile_folder(source, target)
        compiled.append(target)
    return compiled


def _compile_folder(source: Path, into: Path) -> None:
    for po in source.glob("*/LC_MESSAGES/messages.po"):
        mo = into / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open(encoding="utf-8") as opened:
            catalogue = read_po(opened)
        # Written beside and renamed over, so a worker never reads half a file.
        descriptor, partial = tempfile.mkstemp(dir=mo.parent)
        with os.fdopen(descriptor, "wb") as target:
            write_mo(target, catalogue)
        os.replace(partial, mo)


def set_up(state) -> None:
    """record_once callback of the pages blueprint."""
    app = state.app
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    compiled = compile_catalogues(Path(app.instance_path) / "translations")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(map(str, compiled)))
    app.session_interface = PageSessionInterface()
    csrf.init_app(app)
    Babel(app, locale_selector=_locale)
