"""The till's English catalogue covers every message its templates write in Chinese."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

PAGES = Path(__file__).resolve().parents[4] / "api" / "pages"
TEMPLATES = sorted((PAGES / "till" / "templates").rglob("*.html"))
MESSAGE = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""")
CATALOGUES = (
    PAGES / "translations" / "en" / "LC_MESSAGES" / "messages.po",
    PAGES / "till" / "translations" / "en" / "LC_MESSAGES" / "messages.po",
)


def english() -> dict[str, str]:
    found = {}
    for path in CATALOGUES:
        with path.open("rb") as source:
            found.update({m.id: m.string for m in read_po(source) if m.id})
    return found


def test_every_till_message_has_an_english_translation():
    """Each _("…") of the till's templates has a non-empty English msgstr."""
    translated = english()
    written = {a or b for path in TEMPLATES for a, b in MESSAGE.findall(path.read_text("utf-8"))}
    assert len(written) > 50
    assert sorted(m for m in written if not translated.get(m)) == []
