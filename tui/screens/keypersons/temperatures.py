"""体温录入: everyone under a measure today in one list; type the number, Enter saves and moves to
the next person. A fever is shown in red and asks to confirm before it is saved."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from db import keypersons as kp
from db.settings import fever_threshold
from db.validate import Invalid, check_temperature
from tui.dialogs.confirm import ConfirmDialog
from tui.markup import escape
from tui.screens import SECTIONS_CSS
from tui.widgets.plain_table import PlainTable
from tui.widgets.section_bar import SectionBar


def current_half() -> str:
    return "上午" if dt.datetime.now().hour < 12 else "下午"


class TemperatureScreen(Screen[bool]):
    CSS_PATH = SECTIONS_CSS
    TITLE = "体温录入"
    BINDINGS = [
        Binding("escape", "back", "返回"),
        Binding("ctrl+t", "switch_half", "切换上午/下午"),
        Binding("up", "move(-1)", "上一人", show=False),
        Binding("down", "move(1)", "下一人", show=False),
    ]

    def __init__(self, day: dt.date | None = None, half: str | None = None) -> None:
        super().__init__()
        self.day = day or dt.date.today()
        self.half = half or current_half()
        self.rows: list[kp.ControlRow] = []
        self.saved = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="temp-title")
        table: PlainTable = PlainTable(id="temp-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("姓名", "措施", "住址", "电话", "体温")
        yield table
        yield Input(placeholder="输入体温（如 36.5）后按 Enter", id="temp-input")
        yield Static("", id="temp-message")
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(Input).focus()

    def reload(self, cursor: int = 0) -> None:
        self.rows = kp.temperature_sheet(self.day, self.half)
        table = self.query_one(DataTable)
        table.clear()
        threshold = fever_threshold()
        for r in self.rows:
            value = "" if r.value is None else (
                Text(f"{r.value:.1f}", style="red b") if r.value >= threshold else f"{r.value:.1f}")
            table.add_row(r.name, r.kind, r.address, r.phone, value)
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))
        done = sum(1 for r in self.rows if r.value is not None)
        self.query_one("#temp-title", Static).update(
            f"[b]{self.day:%Y-%m-%d} {self.half}[/b]　应测 {len(self.rows)} 人，已录 {done} 人　"
            f"发热阈值 {threshold}℃")

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        if self.rows:
            table.move_cursor(row=max(0, min(table.cursor_row + step, len(self.rows) - 1)))

    def action_switch_half(self) -> None:
        self.half = "下午" if self.half == "上午" else "上午"
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        table = self.query_one(DataTable)
        if not self.rows or not event.value.strip():
            return
        row = self.rows[table.cursor_row]
        message = self.query_one("#temp-message", Static)
        try:
            value = check_temperature(event.value)
        except Invalid as exc:
            message.update(f"[red]{escape(str(exc))}[/red]")
            return
        if value >= fever_threshold():
            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._save(row, value)
                else:
                    message.update("未保存，请重新输入")

            self.app.push_screen(ConfirmDialog(
                f"{row.name} 体温 {value:.1f}℃，达到发热标准。\n确认保存并报警？", "确认发热"),
                confirmed)
            return
        self._save(row, value)

    def _save(self, row: kp.ControlRow, value: float) -> None:
        table = self.query_one(DataTable)
        position = table.cursor_row
        result = kp.record_temperature(row.measure_id, self.day, self.half, value)
        self.saved = True
        message = self.query_one("#temp-message", Static)
        if result.fever:
            message.update(f"[red b]{escape(row.name)} {value:.1f}℃ 发热，已记录并列入首页预警[/red b]")
        else:
            message.update(f"已记录 {escape(row.name)} {value:.1f}℃")
        self.query_one(Input).value = ""
        self.reload(cursor=position + 1)
        self.query_one(Input).focus()

    def action_back(self) -> None:
        self.dismiss(self.saved)
