"""`pointsbank cards`: a printable sheet, one card per resident, each link signing in once."""

import re

from api.pages.cli import cards

LINK = re.compile(r"https://pb\.example/s/([A-Za-z0-9_-]+)")


def run_cards(app, tmp_path, *args):
    output = tmp_path / "cards.html"
    result = app.test_cli_runner().invoke(
        cards,
        ["--community", "qianjiang", "--base-url", "https://pb.example", "-o", str(output), *args],
    )
    assert result.exit_code == 0, result.output
    return output.read_text(encoding="utf-8")


def test_the_sheet_has_a_card_per_resident_with_qr_and_link(
    app, tmp_path, make_community, make_member
):
    """Every resident gets her name, an inline SVG QR code and a link carrying a 128-bit token."""
    make_community()
    make_member("qianjiang", external_ref="R-wang", display_name="王秀英")
    make_member("qianjiang", external_ref="R-li", display_name="李建国")
    sheet = run_cards(app, tmp_path)
    assert "王秀英" in sheet and "李建国" in sheet
    assert sheet.count("<svg") == 2 and "@page { size: A4" in sheet
    assert all(len(token) >= 22 for token in LINK.findall(sheet))


def test_a_reissued_card_replaces_the_lost_one(app, client, tmp_path, make_community, make_member):
    """Issuing a new card for one member revokes her old link; the new one signs in."""
    make_community()
    make_member("qianjiang", external_ref="R-wang", display_name="王秀英")
    (lost,) = LINK.findall(run_cards(app, tmp_path))
    (new,) = LINK.findall(run_cards(app, tmp_path, "--member", "R-wang"))
    assert client.get(f"/s/{lost}").status_code == 410
    assert client.get(f"/s/{new}").status_code == 302


def test_an_unknown_member_reference_is_an_error(app, tmp_path, make_community):
    """A --member no resident has fails with the reference named, and writes no card."""
    make_community()
    result = app.test_cli_runner().invoke(
        cards, ["--community", "qianjiang", "--member", "R-nobody", "-o", str(tmp_path / "c.html")]
    )
    assert result.exit_code != 0 and "R-nobody" in result.output
