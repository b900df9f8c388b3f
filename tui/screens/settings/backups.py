"""备份与恢复: the backups of this file, newest first; back up now, back up to a second folder
(a USB stick, remembered for the daily copy), or restore a chosen one. A restore checks the
backup first and writes it into the open file; the current data is backed up before."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from db.backup import BackupFile, backup_now, backup_warnings, list_backups, restore_backup
from db.database import DatabaseError, backup_dir, current_path
from db.offsite import backup_to
from db.settings import get_setting
from tui.dialogs.ask import AskText
from tui.dialogs.confirm import ConfirmDialog
from tui.markup import escape
from tui.screens import DetailScreen, keys
from tui.widgets.column_table import Col, ColumnTable

KINDS = {"自动": "每日自动", "手动": "手动", "安全": "恢复/升级前"}
BACKUP_COLUMNS = (Col("备份文件", 30, grow=True), Col("类别", 10, 1), Col("时间", 16),
                  Col("大小", 8, 2))


def _backup_cells(backup: BackupFile) -> tuple[object, ...]:
    taken = f"{backup.taken:%Y-%m-%d %H:%M}" if backup.taken else ""
    return (backup.path.name, KINDS[backup.kind], taken,
            f"{backup.path.stat().st_size / 1e6:.1f} MB")


class BackupsScreen(DetailScreen):
    TITLE = "备份与恢复"
    BINDINGS = keys(
        "b backup 立即备份",
        "u backup_to 备份到…",
        "enter restore 恢复所选备份",
    )

    def compose_main(self) -> ComposeResult:
        yield Static(id="backup-hint")
        yield from ColumnTable(BACKUP_COLUMNS, _backup_cells, id="backup-table").with_detail()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.files: list[BackupFile] = list_backups()
        self.query_one(ColumnTable).set_rows(self.files)
        folder = backup_dir(current_path())
        lines = [f"备份位置：{folder}　每天第一次打开时自动备份（保留最近14天和每月第一份）"]
        copy_dir = get_setting("backup.copy_dir")
        lines.append(f"第二备份位置：{copy_dir}" if copy_dir
                     else "第二备份位置：未设置（按 u 选择 U 盘等文件夹）")
        lines += backup_warnings()
        self.query_one("#backup-hint", Static).update(escape("\n".join(lines)))

    def _failed(self, exc: Exception) -> None:
        self.notify(str(exc), severity="error", timeout=10)

    def action_backup(self) -> None:
        try:
            made = backup_now()
        except (DatabaseError, OSError) as exc:
            self._failed(exc)
            return
        self.notify(f"已备份：{made.name}")
        self.reload()

    def action_backup_to(self) -> None:
        def chosen(answer: str | None) -> None:
            if not answer or not answer.strip():
                return
            try:
                made = backup_to(Path(answer.strip().strip('"')).expanduser())
            except (DatabaseError, OSError) as exc:
                self._failed(exc)
                return
            self.notify(f"已备份到：{made}；以后每天的自动备份也会复制到这里（插着时）", timeout=10)
            self.reload()

        self.app.push_screen(AskText("备份到哪个文件夹（如 U 盘 E:\\）？", get_setting("backup.copy_dir")),
                             chosen)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_restore()

    def action_restore(self) -> None:
        chosen = self.query_one(ColumnTable).selected()
        if chosen is None:
            return
        source = chosen.path

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                safety = restore_backup(source)
            except (DatabaseError, OSError) as exc:
                self._failed(exc)
                return
            self.notify(f"已恢复到 {source.name}；恢复前的数据已备份为 {safety.name}", timeout=10)
            self.reload()

        self.app.push_screen(ConfirmDialog(
            f"用备份“{source.name}”替换当前数据？\n当前数据会先备份，之后仍可恢复回来。", "恢复"),
            confirmed)
