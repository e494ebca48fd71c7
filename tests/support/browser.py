"""Debian's chromium driven by Playwright, and the accessibility check every page must pass."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# What the accessibility check may not find on any page.
BLOCKING_IMPACTS = {"serious", "critical"}

needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"Debian's chromium is not installed at {CHROMIUM}"
)


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page, as 'rule: target' lines."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run()).violations")
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}"
        for v in found
        if v["impact"] in BLOCKING_IMPACTS
    ]


def sign_in_device(page, live_server: str, headers: dict) -> None:
    """Sign the page's browser context in as a device with the key of ``headers``."""
    page.goto(f"{live_server}/device")
    page.get_by_label("设备密钥").fill(headers["Authorization"].removeprefix("Bearer "))
    page.get_by_role("button", name="登录").click()
