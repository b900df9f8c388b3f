"""体温录入: the round of everyone under a measure today, one row each, opening at the first
person without a reading for this half-day; type the number, Enter saves that one row and moves to
the next person still to measure. Replacing a reading and a fever ask first.

Enter is handled inside the input, in the order the keys arrived: digits typed while a reading is
being saved wait in the input's queue and land in the next person's box, never in this one's."""

from __future__ import annotations

import datetime as dt
from collections import deque

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import DataTable, Input, Static

from db import clock
from db import keypersons as kp
from db.settings import fever_threshold
from db.validate import Invalid, check_temperature
from tui.dialogs.confirm import ConfirmDialog
from tui.markup import escape
from tui.screens import SECTIONS_CSS, Framed, keys
from tui.widgets.plain_table import PlainTable

VALUE_COLUMN = 4


class ReadingInput(Input):
    """The reading box: Enter hands the typed value to the screen at once, in key order (an
    Input's own Enter goes round the app's binding check while later keys are already typed)."""

    def _on_key(self, event: events.Key) -> None:
        # Textual calls each class's handler in turn; prevent_default keeps Input's from running.
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            text, self.value = self.value, ""
            screen = self.screen
            if isinstance(screen, TemperatureScreen):
                screen.enter(text)


class TemperatureScreen(Framed[bool]):
    CSS_PATH = SECTIONS_CSS
    TITLE = "体温录入"
    BINDINGS = keys(
        "escape back 返回",
        "ctrl+t switch_half 切换上午/下午",
        "up move(-1) 上一人 hidden",
        "down move(1) 下一人 hidden",
    )

    def __init__(self, day: dt.date | None = None, half: str | None = None) -> None:
        super().__init__()
        self.day = day or clock.today()
        self.half = half or clock.current_half()
        self.rows: list[kp.ControlRow] = []
        self.values: list[float | None] = []
        self.threshold = 37.3
        self.saved = False
        self.asking = False
        self.waiting: deque[str] = deque()

    def compose_main(self) -> ComposeResult:
        yield Static(id="temp-title")
        table: PlainTable = PlainTable(id="temp-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("姓名", "措施", "住址", "电话", "体温")
        yield table
        yield ReadingInput(placeholder="输入体温（如 36.5）后按 Enter", id="temp-input")
        yield Static("", id="temp-message")

    def on_mount(self) -> None:
        self.load()
        self.query_one(Input).focus()

    def load(self) -> None:
        """Read the round once (on opening and on switching the half-day)."""
        self.rows = kp.temperature_round(self.day, self.half)
        self.values = [r.value for r in self.rows]
        self.threshold = fever_threshold()
        table = self.query_one(DataTable)
        table.clear()
        for r, value in zip(self.rows, self.values, strict=True):
            table.add_row(r.name, r.kind, r.address, r.phone, self._cell(value))
        first = next((n for n, v in enumerate(self.values) if v is None), 0)
        if self.rows:
            table.move_cursor(row=first)
        self._show_counts()

    def _cell(self, value: float | None) -> str | Text:
        if value is None:
            return ""
        return Text(f"{value:.1f}", style="red b") if value >= self.threshold else f"{value:.1f}"

    def _show_counts(self) -> None:
        done = sum(1 for v in self.values if v is not None)
        self.query_one("#temp-title", Static).update(
            f"[b]{self.day:%Y-%m-%d} {self.half}[/b]　应测 {len(self.rows)} 人，已录 {done} 人　"
            f"发热阈值 {self.threshold}℃")

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        if self.rows:
            table.move_cursor(row=max(0, min(table.cursor_row + step, len(self.rows) - 1)))

    def action_switch_half(self) -> None:
        self.half = "下午" if self.half == "上午" else "上午"
        self.load()

    def enter(self, text: str) -> None:
        """A value and Enter from the reading box; while a question is open, it waits its turn."""
        if self.asking:
            if text.strip():
                self.waiting.append(text)
            return
        self._take(text)

    def _take(self, text: str) -> None:
        table = self.query_one(DataTable)
        if not self.rows or not text.strip():
            return
        position = table.cursor_row
        row = self.rows[position]
        message = self.query_one("#temp-message", Static)
        try:
            value = check_temperature(text)
        except Invalid as exc:
            message.update(f"[red]{escape(str(exc))}[/red]")
            self.waiting.clear()
            return
        questions = []
        old = self.values[position]
        if old is not None and old != value:
            questions.append(f"{row.name} {self.half}已录 {old:.1f}℃，改为 {value:.1f}℃？")
        if value >= self.threshold:
            questions.append(f"{row.name} 体温 {value:.1f}℃，达到发热标准。\n确认保存并报警？")
        if not questions:
            self._save(position, value)
            return

        def answered(yes: bool | None) -> None:
            self.asking = False
            if yes:
                self._save(position, value)
            else:
                message.update("未保存，请重新输入")
                self.waiting.clear()
            self.query_one(Input).focus()
            while self.waiting and not self.asking:
                self._take(self.waiting.popleft())

        self.asking = True
        self.app.push_screen(ConfirmDialog("\n".join(questions),
                                           "确认发热" if value >= self.threshold else "替换"),
                             answered)

    def _save(self, position: int, value: float) -> None:
        """Write the one reading and redraw the one row; the list is not read again."""
        row = self.rows[position]
        message = self.query_one("#temp-message", Static)
        try:
            result = kp.record_temperature(row.measure_id, self.day, self.half, value)
        except Invalid as exc:
            message.update(f"[red]{escape(str(exc))}[/red]")
            return
        self.saved = True
        self.values[position] = value
        table = self.query_one(PlainTable)
        table.set_cell(position, VALUE_COLUMN, self._cell(value))
        if result.fever:
            message.update(f"[red b]{escape(row.name)} {value:.1f}℃ 发热，已记录并列入首页预警[/red b]")
        else:
            message.update(f"已记录 {escape(row.name)} {value:.1f}℃")
        self._show_counts()
        following = next((n for n in range(position + 1, len(self.rows)) if self.values[n] is None),
                         min(position + 1, len(self.rows) - 1))
        table.move_cursor(row=following)

    def action_back(self) -> None:
        self.dismiss(self.saved)
