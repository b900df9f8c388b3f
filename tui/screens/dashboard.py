"""首页: the township's headline counts, straight from the file."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING

from rich import box
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.renderables.sparkline import Sparkline
from textual.screen import Screen
from textual.widgets import Static

from db.backup import backup_warnings
from db.dashboard import Dashboard, load_dashboard
from db.database import read_in_background
from tui.markup import escape
from tui.widgets.section_bar import SectionBar
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from db.requests import RequestAlerts
    from db.testing import TestingCard

CARDS = (
    ("residents", "居民（人）"),
    ("households", "户数"),
    ("key_persons_under_control", "在管重点人员"),
    ("checkpoints", "在岗卡口"),
    ("staff", "值守人员"),
    ("volunteers", "志愿者"),
    ("donations", "捐赠（笔）"),
    ("donated_money", "捐款（元）"),
    ("gate_refused_today", "今日卡口劝返"),
)
TRENDS = (("under_control", "在管"), ("new", "新增"), ("released", "解除"))
ALERTS = (
    ("fever_today", "今日发热预警"),
    ("overdue", "逾期未解除"),
    ("due_release", "今明到期"),
    ("pushed_open", "推送待核查"),
)


def _panels(items: list[tuple[str, str, bool]], columns: int) -> Table:
    """Numbered cards in a grid: one Rich table, drawn by one widget (start-up is per widget).
    No ``:emoji:`` codes in the cards: Rich's emoji table (~10 M instructions to import) is
    left out of start-up."""
    grid = Table.grid(expand=True, padding=(0, 1))
    for _ in range(columns):
        grid.add_column(ratio=1)
    cells = [Panel(Text.from_markup(f"[b]{value}[/b]  {label}", justify="center", emoji=False),
                   box=box.ROUNDED, border_style="red" if alert else "blue",
                   style="red" if alert else "")
             for value, label, alert in items]
    for row in range(0, len(cells), columns):
        grid.add_row(*cells[row:row + columns])
    return grid


def _number(value: int | float) -> str:
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"


def _trend(series: dict[str, list[int]]) -> Table:
    grid = Table.grid(expand=True, padding=(0, 2))
    for _ in TRENDS:
        grid.add_column(ratio=1)
    grid.add_row(*(Text.from_markup(f"[b]{label}[/b] 近14天", emoji=False) for _key, label in TRENDS))
    grid.add_row(*(Sparkline(series[key], width=len(series[key]), height=2) for key, _ in TRENDS))
    grid.add_row(*(Text(f"今日 {series[key][-1]:,}  最高 {max(series[key]):,}")
                   for key, _label in TRENDS))
    return grid


def _testing(card: TestingCard | None) -> str:
    """One line on the running round of 全员核酸 (nothing when no round runs)."""
    if card is None:
        return ""
    behind = "、".join(f"{escape(name)} {n}" for name, n in card.behind)
    positive = f"　[b red]阳性 {card.positive}[/b red]" if card.positive else ""
    return (f"[b]核酸 {escape(card.name)}[/b] 已检 {card.tested:,}/{card.expected:,}"
            f"（{card.rate:.1%}）[red]未检 {card.missing:,}[/red]{positive}"
            + (f"　落后：{behind}" if behind else "") + "（F12）")


def _requests_line(alerts: RequestAlerts) -> str:
    """Help requests still open; the late ones named, in red (nothing when none is open)."""
    if not alerts.open:
        return ""
    if not alerts.late:
        return f"求助未办结 {alerts.open} 件（^O 求助）"
    named = "、".join(f"第{r.id}号 {r.name} {r.needs}" for r in alerts.late[:2])
    more = f"等{len(alerts.late)}件" if len(alerts.late) > 2 else ""
    return (f"[b red]求助超时 {len(alerts.late)} 件：{escape(named)}{more}[/b red]"
            f"　未办结 {alerts.open} 件（^O 求助）")


class DashboardScreen(Screen):
    TITLE = "首页"
    loaded = False  # True once the numbers are on the screen

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="dashboard"):
            yield Static(id="township-title")
            yield Static(id="reminder")
            yield Static(id="requests-alert")
            yield Static(id="alerts")
            yield Static(id="backup-alerts")
            yield Static(id="testing-card")
            yield Static(id="cards")
            yield Static(id="trend")
        yield SectionBar(classes="-alone")

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Show the numbers read ahead at start-up, else read them on a thread of their own
        (the screen draws while SQLite counts); shown at once if they are already in."""
        early, self.app.first_dashboard = getattr(self.app, "first_dashboard", None), None
        board = early or read_in_background(load_dashboard)
        if board.done():
            self._show(board.result())
        else:
            self._wait(board)

    @work(thread=True, exclusive=True, group="dashboard")
    def _wait(self, board: Future[Dashboard]) -> None:
        self.app.call_from_thread(self._show, board.result())

    def _show(self, board: Dashboard) -> None:
        counts = board.counts
        self.query_one("#township-title", Static).update(
            f"[b]{escape(board.township)}疫情防控工作台[/b]"
            + (f"    填报人：{escape(board.preparer)}" if board.preparer else ""))
        self.query_one("#reminder", Static).update(
            f"[b red]{board.reminder}[/b red]（F7 报表中心）" if board.reminder
            else "[green]今日日报已报送[/green]")
        self.query_one("#alerts", Static).update(_panels(
            [(_number(getattr(counts, key)), label, getattr(counts, key) > 0)
             for key, label in ALERTS], len(ALERTS)))
        self.query_one("#cards", Static).update(_panels(
            [(_number(getattr(counts, key)), label, False) for key, label in CARDS], 3))
        self.query_one("#trend", Static).update(_trend(board.trend))
        self.show_backup_warnings()
        if not self.loaded:
            self.call_after_refresh(self.app.first_frame_drawn)
        requests, rounds = counts.requests_open > 0, counts.rounds_running > 0
        if not requests:
            self.query_one("#requests-alert", Static).update("")
        if not rounds:
            self.query_one("#testing-card", Static).update("")
        if requests or rounds:  # not sharing the CPU with this frame
            self.call_after_refresh(self._read_after, requests, rounds)
        self.loaded = True

    @work(thread=True, exclusive=True, group="dashboard-after", exit_on_error=False)
    def _read_after(self, requests: bool, rounds: bool) -> None:
        """The help requests still open, then the running round's card (a town's round takes
        a second or two to count), read once the rest of the 首页 is on screen and only when
        the counts say there are any: the desk's and the round's modules are imported here,
        not before the first frame (and not at all in a township with neither)."""
        if requests:
            from db.requests import request_alerts

            alerts = request_alerts()
            self.app.call_from_thread(self.query_one("#requests-alert", Static).update,
                                      _requests_line(alerts))
        if rounds:
            from db.testing import testing_card

            card = testing_card()
            self.app.call_from_thread(self.query_one("#testing-card", Static).update,
                                      _testing(card))

    def show_backup_warnings(self) -> None:
        """A failed automatic backup, no copy off the disk for a week, a nearly full disk."""
        warnings = backup_warnings()
        self.query_one("#backup-alerts", Static).update(
            "\n".join(f"[b red]备份：{escape(w)}[/b red]" for w in warnings)
            + ("（F9 → Ctrl+B）" if warnings else ""))
