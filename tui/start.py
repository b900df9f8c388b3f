"""Opening the app on a file. The dashboard's numbers are read on a thread of their own while
Textual (a quarter of a second of imports on the clerk's PC) loads, so they are there for the
first frame instead of after it. Nothing here imports Textual before that read has begun.

Python's cycle collector is off until the first frame is drawn: start-up makes some 50,000
objects (modules, classes, styles) and no garbage worth the name, and the collections it set
off while they were being made cost about 0.1 s on one slow core, a third of eprc's start-up
beyond a bare Textual app. The app turns it back on (:meth:`tui.app.EprcApp.first_frame_drawn`)
with what start-up made frozen out of later collections, since it lives as long as the app."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app import EprcApp


def open_app(path: Path, *, backup: bool = True) -> EprcApp:
    """The app on ``path``, its first dashboard already being read."""
    gc.disable()
    try:
        from db.dashboard import load_dashboard
        from db.database import open_database, read_in_background

        open_database(path)
        dashboard = read_in_background(load_dashboard)
        from tui.app import EprcApp

        return EprcApp(path, backup=backup, dashboard=dashboard)
    except BaseException:
        gc.enable()  # the file could not be opened: the caller says why, collector on
        raise
