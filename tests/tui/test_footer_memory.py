"""A day of section switches keeps memory flat: the footers' key widgets do not pile up
(Textual 8.2.8's Footer kept every FooterKey it ever built; textual#6666)."""

from __future__ import annotations

import gc
import re
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from tests.tui.conftest import press, running

SECTION_KEYS = ["f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f1"]
TUI = Path(__file__).resolve().parents[2] / "tui"


def live_footer_keys() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey))


async def go_round(pilot: Pilot) -> None:
    for key in SECTION_KEYS:
        await press(pilot, key)


async def test_going_round_the_sections_keeps_the_footer_keys_flat(demo_path: Path) -> None:
    async with running(demo_path) as (app, pilot):
        await go_round(pilot)
        after_one = live_footer_keys()
        for _ in range(4):
            await go_round(pilot)
        after_five = live_footer_keys()
    assert after_one > 0
    assert after_five <= after_one, f"{after_one} FooterKeys after one round, {after_five} after five"


def test_no_screen_uses_textuals_footer_directly() -> None:
    direct = re.compile(r"from textual\.widgets import[^\n]*\bFooter\b")
    offenders = [str(p.relative_to(TUI)) for p in TUI.rglob("*.py")
                 if p.name != "footer.py" and direct.search(p.read_text(encoding="utf-8"))]
    assert offenders == [], "use tui.widgets.footer.Footer (it does not leak its key widgets)"
