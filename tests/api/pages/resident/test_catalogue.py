"""Every message of the resident's templates has its English in a catalogue of the pages."""

from pathlib import Path

from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from api.pages import setup

AREA = setup.PAGES_ROOT / "resident"


def _translated(po: Path) -> dict[str, str]:
    with po.open("rb") as source:
        return {m.id: m.string for m in read_po(source) if m.id}


def test_every_message_of_the_templates_is_translated():
    """No _() in the area's templates (or its nav on her page) lacks an English msgstr."""
    english = _translated(AREA / "translations/en/LC_MESSAGES/messages.po")
    english |= _translated(setup.PAGES_ROOT / "translations/en/LC_MESSAGES/messages.po")
    templates = sorted((AREA / "templates").rglob("*.html"))
    assert templates
    missing = []
    for template in templates:
        with template.open("rb") as source:
            for _line, _function, message, _comments in babel_extract(source, ("_",), [], {}):
                # A message with %(name)s placeholders is extracted as (message, None).
                message = message[0] if isinstance(message, tuple) else message
                if not english.get(message):
                    missing.append(f"{template.name}: {message}")
    assert missing == []
