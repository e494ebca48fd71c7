"""The desk's English catalogue covers every message its templates and modules write."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

DESK = Path(__file__).resolve().parents[4] / "api" / "pages" / "desk"
METHODS = [("templates/**.html", "jinja2.ext:babel_extract"), ("**.py", "python")]


def test_every_desk_message_has_an_english_translation():
    """Each _() message of the desk has a non-empty msgstr in its English .po."""
    written = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(DESK, METHODS)
    }
    with (DESK / "translations/en/LC_MESSAGES/messages.po").open("rb") as source:
        catalogue = read_po(source)
    translated = {m.id for m in catalogue if m.id and m.string}
    assert written and written - translated == set()


def test_the_desk_speaks_english_when_chosen(desk):
    """After the English link the notice board's heading is in English."""
    desk.get("/language/en")
    page = desk.get("/desk/qianjiang/notice").text
    assert '<html lang="en">' in page and "Awards under public notice" in page
