"""The gatherings' English catalogue covers every message their templates say in Chinese."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

AREA = Path(__file__).resolve().parents[4] / "api" / "pages" / "gatherings"
MESSAGE = re.compile(r"""_\(\s*(["'])(.*?)\1""")


def test_every_template_message_has_an_english_translation():
    """Each _("…") of the area's templates has a non-empty English msgstr."""
    said = {
        m.group(2)
        for template in (AREA / "templates").rglob("*.html")
        for m in MESSAGE.finditer(template.read_text(encoding="utf-8"))
    }
    with (AREA / "translations/en/LC_MESSAGES/messages.po").open("rb") as source:
        catalogue = read_po(source)
    translated = {m.id for m in catalogue if m.id and m.string}
    assert said and said - translated == set()


def test_the_public_notice_reads_in_english(app, client, clock, evening):
    """With English chosen, the refusal of an unpublished notice is worded in English."""
    client.get("/language/en")
    page = client.get(f"/notice/{evening['gathering']['id']}")
    assert page.status_code == 404 and "No such gathering." in page.text
