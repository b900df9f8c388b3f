"""备份与恢复: the backups of this file, newest first; back up now, or restore a chosen one (the
current file is backed up first, so a restore can itself be undone)."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from db.backup import backup_now, list_backups, restore_backup
from db.database import DatabaseError, open_database
from tui.markup import escape
from tui.screens import SECTIONS_CSS
from tui.widgets.confirm import ConfirmDialog
from tui.widgets.plain_table import PlainTable
from tui.widgets.section_bar import SectionBar


class BackupsScreen(Screen):
    CSS_PATH = SECTIONS_CSS
    TITLE = "备份与恢复"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "返回"),
        Binding("b", "backup", "立即备份"),
        Binding("enter", "restore", "恢复所选备份"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="backup-hint")
        table: PlainTable = PlainTable(id="backup-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("备份文件", "时间", "大小")
        yield table
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.files = list_backups(self.app.db_path)
        table = self.query_one(DataTable)
        table.clear()
        for path in self.files:
            stat = path.stat()
            table.add_row(path.name,
                          f"{dt.datetime.fromtimestamp(stat.st_mtime):%Y-%m-%d %H:%M}",
                          f"{stat.st_size / 1e6:.1f} MB")
        folder = self.files[0].parent if self.files else "（还没有备份）"
        self.query_one("#backup-hint", Static).update(
            escape(f"备份位置：{folder}　每天第一次打开时自动备份；恢复前会先备份当前文件"))

    def action_backup(self) -> None:
        made = backup_now(self.app.db_path)
        self.notify(f"已备份：{made.name}")
        self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_restore()

    def action_restore(self) -> None:
        table = self.query_one(DataTable)
        if not self.files or not 0 <= table.cursor_row < len(self.files):
            return
        source = self.files[table.cursor_row]

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                safety = restore_backup(self.app.db_path, source)
            except DatabaseError as exc:
                self.notify(str(exc), severity="error", timeout=10)
                open_database(self.app.db_path)
                return
            open_database(self.app.db_path)
            self.notify(f"已恢复到 {source.name}；恢复前的文件已备份为 {safety.name}", timeout=10)
            self.reload()

        self.app.push_screen(ConfirmDialog(
            f"用备份“{source.name}”替换当前数据？\n当前数据会先备份，之后仍可恢复回来。", "恢复"),
            confirmed)
