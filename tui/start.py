"""Opening the app on a file. The dashboard's numbers are read on a thread of their own while
Textual (a quarter of a second of imports on the clerk's PC) loads, so they are there for the
first frame instead of after it. Nothing here imports Textual before that read has begun."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from db.dashboard import load_dashboard
from db.database import open_database, read_in_background

if TYPE_CHECKING:
    from tui.app import EprcApp


def open_app(path: Path, *, backup: bool = True) -> EprcApp:
    """The app on ``path``, its first dashboard already being read."""
    open_database(path)
    dashboard = read_in_background(load_dashboard)
    from tui.app import EprcApp

    return EprcApp(path, backup=backup, dashboard=dashboard)
