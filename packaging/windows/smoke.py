"""Smoke test of an assembled eprc folder, run by that folder's own ``lib`` in an isolated Python.

    python -I -S -X utf8 packaging/windows/smoke.py LIB DATABASE

``LIB`` comes first on ``sys.path`` (as the embeddable Python's ._pth puts it); nothing from the
build machine's site-packages is on it (``-I -S``). Checks that every screen and widget module
imports, both stylesheets parse, and F1–F9 open their sections on ``DATABASE`` (a demo township)
through Textual's Pilot. Prints one JSON line: what it opened and where the modules came from.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import pkgutil
import sys
from pathlib import Path

SIZE = (120, 40)
SECTION_KEYS = ["f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"]


def import_all(package: str) -> list[str]:
    """Import every module of ``package``, sub-packages included; their names."""
    root = importlib.import_module(package)
    names = [info.name for info in pkgutil.walk_packages(root.__path__, f"{package}.")]
    for name in names:
        importlib.import_module(name)
    return names


def parse_stylesheets() -> list[str]:
    """Parse tui/app.tcss and tui/screens/sections.tcss as Textual will."""
    from textual.app import App
    from textual.css.stylesheet import Stylesheet

    import tui

    variables = App().get_css_variables()  # the theme's $primary, $surface…

    base = Path(tui.__file__).parent
    paths = [base / "app.tcss", base / "screens" / "sections.tcss"]
    for path in paths:
        sheet = Stylesheet(variables=variables)
        sheet.read(path)
        sheet.parse()
        if not sheet.rules:
            raise AssertionError(f"{path} has no rules")
    return [path.name for path in paths]


async def open_sections(database: Path) -> list[str]:
    """Open the app on ``database`` and press F1–F9; the section each key showed."""
    from tui.start import open_app

    app = open_app(database, backup=False)
    shown: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in SECTION_KEYS:
            await pilot.press(key)
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            shown.append(f"{key}:{app.current_mode}:{type(app.screen).__name__}")
    return shown


def main() -> None:
    lib, database = Path(sys.argv[1]).resolve(), Path(sys.argv[2])
    sys.path.insert(0, str(lib))
    modules = import_all("tui.screens") + import_all("tui.dialogs") + import_all("tui.widgets")
    sheets = parse_stylesheets()
    shown = asyncio.run(open_sections(database))
    import textual

    print(json.dumps({"modules": modules, "stylesheets": sheets, "sections": shown,
                      "textual": textual.__file__, "sys_path": sys.path}, ensure_ascii=False))


if __name__ == "__main__":
    main()
