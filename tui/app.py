"""The eprc App: opens the file, holds the sections (modes) and the keys that switch them."""

from __future__ import annotations

import gc
from collections.abc import Callable
from concurrent.futures import Future
from importlib import import_module
from pathlib import Path
from typing import Any

from textual.app import App
from textual.binding import Binding
from textual.driver import Driver
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from db.backup import daily_backup
from db.config import get_setting, township
from db.dashboard import Dashboard
from db.database import close_file, open_database
from db.logfile import clerk_line
from tui.keys import KeyHolding
from tui.screens import SECTIONS_CSS
from tui.screens.dashboard import DashboardScreen


def _lazy(module: str, name: str) -> Callable[[], Screen]:
    """A section's screen, imported when first opened (keeps start-up quick)."""

    def make() -> Screen:
        screen = getattr(import_module(f"tui.screens.{module}"), name)()
        _styled_by_current_sheet(screen)
        return screen

    make.screen_path = (f"tui.screens.{module}", name)  # read by the command palette
    return make


def _styled_by_current_sheet(screen: Screen) -> None:
    """Spare a section's first opening two restylings of the whole app.

    Textual (8.2) restyles every node of the app, parsing every stylesheet anew, when a mode's
    screen has not yet seen the current theme, and a new screen never has: twice on each
    section's first opening (50–140 ms each on one core) and once at start-up. A screen made
    now is styled by the current stylesheet as its widgets are registered, so it is marked as
    up to date; a later change of theme still restyles it. The sections' stylesheet is added
    before the first screen that names it (:func:`_read_sheet`)."""
    app = screen.app
    for path in screen.css_path:
        _read_sheet(app, path)
    screen._css_update_count = app._css_update_count


def _read_sheet(app: App, path: Path) -> None:
    """Add the stylesheet ``path`` to the app's once, parsing that file alone (the rest is
    taken from Textual's cache), instead of Textual re-parsing every sheet for it."""
    sheet = app.stylesheet
    if not sheet.has_source(str(path), ""):
        sheet.read(path)
        sheet.parse()
        sheet.update(app)


class EprcApp(KeyHolding):
    """镇街疫情防控台账."""

    CSS_PATH = Path(__file__).parent / "app.tcss"
    # Textual's own palette is English and its ^p took the place of F9 in a 100-column footer;
    # Ctrl+P opens eprc's Chinese palette instead (tui/palette.py, imported when first opened)
    ENABLE_COMMAND_PALETTE = False
    MODES = {
        "dashboard": _lazy("dashboard", "DashboardScreen"),
        "residents": _lazy("residents.residents", "ResidentsScreen"),
        "keypersons": _lazy("keypersons.keypersons", "KeyPersonsScreen"),
        "pushed": _lazy("pushed.pushed", "PushedScreen"),
        "roster": _lazy("roster.roster", "RosterScreen"),
        "donations": _lazy("donations.donations", "DonationsScreen"),
        "reports": _lazy("reports.reports", "ReportsScreen"),
        "recycle": _lazy("settings.recycle", "RecycleScreen"),
        "settings": _lazy("settings.settings", "SettingsScreen"),
        "testing": _lazy("testing.testing", "TestingScreen"),
        "requests": _lazy("requests.requests", "RequestsScreen"),
    }
    DEFAULT_MODE = "dashboard"
    # shown on every screen by tui.widgets.section_bar, not in the footer (show=False), so
    # the footer has room for the screen's own keys
    BINDINGS = [
        Binding("f1", "switch_mode('dashboard')", "首页", show=False),
        Binding("f2", "switch_mode('residents')", "居民", show=False),
        Binding("f3", "switch_mode('keypersons')", "重点人员", show=False),
        Binding("f4", "switch_mode('pushed')", "推送核查", show=False),
        Binding("f5", "switch_mode('roster')", "排班", show=False),
        Binding("f6", "switch_mode('donations')", "捐赠", show=False),
        Binding("f7", "switch_mode('reports')", "报表", show=False),
        Binding("f8", "switch_mode('recycle')", "回收站", show=False),
        Binding("f9", "switch_mode('settings')", "设置", show=False),
        Binding("f12", "switch_mode('testing')", "核酸", show=False),
        # not F10/F11: conhost, Windows Terminal and tmux keep those; no screen binds ^O
        Binding("ctrl+o", "switch_mode('requests')", "求助", show=False),
        Binding("ctrl+q", "quit", "退出", priority=True, show=False),
        Binding("ctrl+p", "palette", "命令", priority=True, show=False),
    ]

    def __init__(self, db_path: Path, *, backup: bool = True,
                 dashboard: Future[Dashboard] | None = None) -> None:
        self.db_path = db_path
        self.first_dashboard = dashboard  # read ahead by tui.start; taken by the first 首页
        open_database(db_path)  # the one door: the file already opened by tui.start is returned
        super().__init__()
        self.backup = backup

    def get_driver_class(self) -> type[Driver]:
        """On Windows eprc's driver (QuickEdit off, IME punctuation kept: tui/windows.py)."""
        from tui.windows import driver_class

        return driver_class() or super().get_driver_class()

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Every notification in eprc is plain text: almost all of them carry a name, a file
        name or an error that quotes what the clerk typed, so none is read as markup (screens'
        and widgets' ``notify`` pass their own default of ``markup=True`` through here)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a worker's failure becomes the clerk's line (a bug is logged with its
        traceback): screens that show a failure in place stop the event before it gets here."""
        if event.state == WorkerState.ERROR:
            self.notify(clerk_line(event.worker.error, f"后台任务 {event.worker.name}"),
                        severity="error", timeout=10)

    def on_unmount(self) -> None:
        close_file()
        if not gc.isenabled():  # closed before its first frame (tui.start turned it off)
            gc.enable()

    def first_frame_drawn(self) -> None:
        """The 首页 is on screen (or 5 s went by): Python's cycle collector, off while the
        app started (tui.start), runs again, with what start-up made left out of its rounds
        (it lives as long as the app). An app not opened by tui.start has it on: no change."""
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def push_screen(self, screen: Screen | str, *args: Any, **kwargs: Any) -> Any:
        """Every screen pushed (a dialog, a form, the palette, a section's detail) is styled by
        the sections' stylesheet, which holds the dialogs' rules too: it is read before the
        first one, so the 首页 starts with its own few rules alone (tui/app.tcss)."""
        _read_sheet(self, SECTIONS_CSS)
        return super().push_screen(screen, *args, **kwargs)

    def action_palette(self) -> None:
        from tui.palette import EprcPalette

        if not isinstance(self.screen, EprcPalette):
            self.push_screen(EprcPalette())

    def action_help_quit(self) -> None:
        """Ctrl+C (a clerk's reflex to leave) does not quit: say how, in Chinese."""
        self.notify("退出请按 Ctrl+Q（Ctrl+C 在输入框里是复制）", title="要退出吗？")

    async def action_quit(self) -> None:
        self.leave_then(self.exit)

    async def action_switch_mode(self, mode: str) -> None:
        if mode != self.current_mode:
            self.leave_then(lambda: self.switch_mode(mode))

    def leave_then(self, proceed: Callable[[], object]) -> None:
        """Leave the current screens (quit, another section): a form or the settings with
        changes not saved asks 保存/放弃/继续编辑 first, and ``proceed`` runs only once the
        changes are saved or given up."""
        from tui.dialogs.confirm import LeaveDialog

        if isinstance(self.screen, LeaveDialog):
            return
        for screen in reversed(self.screen_stack):
            if getattr(screen, "unsaved_changes", None) and screen.unsaved_changes():
                break
        else:
            proceed()
            return

        def answered(choice: str | None) -> None:
            if choice == "save" and screen.save_changes():
                proceed()
            elif choice == "discard":
                screen.discard_changes()
                proceed()

        self.push_screen(LeaveDialog(), answered)

    def on_mount(self) -> None:
        from db.audit import log_export
        from exports.output import record_full_ids_with

        record_full_ids_with(log_export)  # exports with full ID numbers go in the audit log
        self.set_timer(5, self.first_frame_drawn)  # should the 首页 never show its numbers
        self.title = f"{township()} 疫情防控台账"
        self.sub_title = self.db_path.name
        if self.backup:
            self.run_worker(self._daily_backup, thread=True, exit_on_error=False)
        if not get_setting("setup_done"):
            from tui.screens.settings.settings import FirstStartDialog  # once per township: not at start-up

            self.push_screen(FirstStartDialog(), self._after_first_start)

    def _daily_backup(self) -> None:
        daily_backup()
        screen = self.screen
        if isinstance(screen, DashboardScreen) and screen.loaded:
            self.call_from_thread(screen.show_backup_warnings)

    def _after_first_start(self, _saved: bool | None) -> None:
        self.title = f"{township()} 疫情防控台账"
        screen = self.screen
        if isinstance(screen, DashboardScreen):
            screen.refresh_counts()
