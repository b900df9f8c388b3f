"""Upstream-style reproduction of Textual 8.2.8's Footer leak (textual#6666), with eprc's fix.

    python bench/footer_leak.py [--fixed] [--switches 60]

Two screens with a Footer each, switched back and forth. Every switch rebuilds the footer's keys;
each FooterKey is bound to the Footer's ``compact`` reactive, and that watcher (which holds the
key) is only pruned when ``compact`` changes — so every key ever built stays alive. ``--fixed``
uses ``tui.widgets.footer.Footer``, which drops the watchers of keys it no longer shows.
"""

from __future__ import annotations

import asyncio
import gc
import resource
import sys
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.widgets.footer import Footer as FixedFooter  # noqa: E402

FOOTER = FixedFooter if "--fixed" in sys.argv else TextualFooter


class Section(Screen):
    BINDINGS = [Binding(k, "app.bell", f"action {k}") for k in "abcdefgh"]

    def compose(self):
        yield FOOTER()


class TwoScreens(App):
    MODES = {"one": Section, "two": Section}


def live_keys() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey))


async def main(switches: int) -> None:
    app = TwoScreens()
    async with app.run_test() as pilot:
        await app.switch_mode("one")
        await pilot.pause()
        for n in range(switches + 1):
            await app.switch_mode("two" if n % 2 else "one")
            await pilot.pause()
            if n in (0, switches // 2, switches):
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"{FOOTER.__module__}.Footer after {n:3d} switches: "
                      f"{live_keys():5d} live FooterKeys, peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    count = int(sys.argv[sys.argv.index("--switches") + 1]) if "--switches" in sys.argv else 60
    asyncio.run(main(count))
