"""回收站: everything deleted, newest first; Enter restores the chosen entry."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from db import recycle
from tui.screens import DetailScreen, SectionScreen
from tui.widgets.plain_table import PlainTable


class RecycleScreen(SectionScreen):
    TITLE = "回收站"
    BINDINGS = [Binding("enter,r", "restore", "恢复"), Binding("a", "audit", "操作记录")]

    def compose_main(self) -> ComposeResult:
        yield Static("删除的记录在这里保留，可随时恢复。", id="recycle-hint")
        table: PlainTable = PlainTable(id="recycle-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("删除时间", "内容", "操作人")
        yield table

    def reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        for entry in recycle.entries():
            table.add_row(entry.deleted_at.strftime("%Y-%m-%d %H:%M"), entry.label, entry.who,
                          key=str(entry.id))
        self.query_one("#recycle-hint", Static).update(
            f"回收站中有 {table.row_count} 条记录。选中后按 Enter 恢复。"
            if table.row_count else "回收站是空的。"
        )

    def action_audit(self) -> None:
        self.app.push_screen(AuditScreen())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_restore()

    def action_restore(self) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        try:
            restored = recycle.restore(int(key))
        except recycle.RestoreConflict as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        self.notify(f"已恢复：{getattr(restored, 'name', '') or '记录'}")
        self.reload()


class AuditScreen(DetailScreen):
    """操作记录: the newest changes — when, who (操作人), whose record and what changed in the
    form's words; the highlighted entry's whole change below (F7 报表中心 exports them)."""

    TITLE = "操作记录"

    def compose_main(self) -> ComposeResult:
        table: PlainTable = PlainTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("时间", "操作人", "操作", "记录", "改动内容")
        yield table
        yield Static("", id="audit-detail", markup=False)

    def on_mount(self) -> None:
        from db.history import history

        self.lines = history(limit=1000)
        table = self.query_one(DataTable)
        for line in self.lines:
            table.add_row(f"{line.at:%m-%d %H:%M}", line.who[:6], line.action,
                          f"{line.what} {line.whose}"[:16], line.change[:60])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.lines):
            line = self.lines[event.cursor_row]
            self.query_one("#audit-detail", Static).update(
                f"{line.at:%Y-%m-%d %H:%M} {line.who} {line.action}{line.what}"
                f"{f'“{line.whose}”' if line.whose else ''}："
                f"{line.change or '（无改动内容）'}")
