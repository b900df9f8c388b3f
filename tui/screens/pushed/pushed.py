"""推送核查: the district's pushed lists as batches with deadline and progress, and the call queue
that takes one person at a time: phone, record the result with one key, go on."""

from __future__ import annotations

import json

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from db import clock, pushed
from db.models import PushedRow
from tui.dialogs.file_job import FileJobDialog
from tui.dialogs.form import Field, FormDialog
from tui.exporting import export_job
from tui.markup import escape
from tui.screens import DetailScreen, SectionScreen, keys
from tui.widgets.plain_table import PlainTable


class PushedScreen(SectionScreen):
    TITLE = "推送核查"
    BINDINGS = keys(
        "enter open 开始核查",
        "i import 导入名单",
        "x export 导出反馈表",
        "c call_lists 电话分派",
        Binding("delete", "delete", "删除批次"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[pushed.BatchRow] = []

    def compose_main(self) -> ComposeResult:
        yield Static("区里推送的名单：按 i 导入，选中后 Enter 逐个电话核查，c 按核查人分派电话"
                     "（打印分派单），x 导出反馈表，Del 删除批次（可在回收站恢复）。",
                     id="pushed-hint")
        table: PlainTable = PlainTable(id="batch-table", cursor_type="row")
        table.add_columns("批次", "文件", "接收时间", "核查截止", "进度", "状态")
        yield table

    def reload(self) -> None:
        self.batches = pushed.batches()
        table = self.query_one(DataTable)
        table.clear()
        now = clock.now()
        for b in self.batches:
            if b.open == 0:
                state = Text("已完成", style="green")
            elif now > b.deadline:
                state = Text(f"已超时，剩 {b.open} 人", style="red")
            else:
                hours = (b.deadline - now).total_seconds() / 3600
                state = f"剩 {b.open} 人，{hours:.0f} 小时内"
            table.add_row(str(b.id), b.file_name, f"{b.received_at:%m-%d %H:%M}",
                          f"{b.deadline:%m-%d %H:%M}", f"{b.done}/{b.total}", state)

    def selected(self) -> pushed.BatchRow | None:
        return self.query_one("#batch-table", PlainTable).at_cursor(self.batches)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        batch = self.selected()
        if batch is not None:
            self.app.push_screen(CallQueueScreen(batch.id))

    def action_import(self) -> None:
        from tui.screens.residents.import_jobs import pushed_import_job

        self.app.push_screen(FileJobDialog("导入推送名单（.xlsx）", pushed_import_job(),
                                           placeholder=r"例如 D:\推送\0411.xlsx"),
                             lambda _changed: self.reload())

    def action_delete(self) -> None:
        batch = self.selected()
        if batch is None:
            return
        from tui.dialogs.confirm import ConfirmDialog

        def done(confirmed: bool | None) -> None:
            if confirmed:
                pushed.delete_batch(batch.id)
                self.notify(f"已将第{batch.id}批移入回收站（F8 可恢复）")
                self.reload()

        self.app.push_screen(ConfirmDialog(
            f"删除第{batch.id}批推送名单（{batch.file_name}，{batch.total} 人）及其核查结果？\n"
            "删除后可在回收站恢复。", "删除"), done)

    def action_export(self) -> None:
        batch = self.selected()
        if batch is None:
            return
        from exports.office import export_folder

        stem = batch.file_name.rsplit(".", 1)[0]
        export_job(self, "feedback", {"batch": batch.id},
                   path=export_folder() / f"{stem}_核查反馈.xlsx")

    def action_call_lists(self) -> None:
        batch = self.selected()
        if batch is None:
            return
        from exports.office import export_folder

        stem = batch.file_name.rsplit(".", 1)[0]

        def chosen(callers: list[str] | None) -> None:
            if callers is not None:
                export_job(self, "call_lists", {"batch": batch.id, "callers": "、".join(callers)},
                           path=export_folder() / f"{stem}_电话分派单.xlsx")

        self.app.push_screen(FormDialog(
            f"第{batch.id}批电话分派（未核查 {batch.open} 人）",
            [Field("callers", "核查人", placeholder="如：张三、李四、王五")],
            lambda v: pushed.parse_callers(v["callers"]),
            note="已匹配到居民的按其社区（村）整块分给同一人，其余轮流分派"), chosen)


class CallQueueScreen(DetailScreen):
    """One row at a time; keys 1–9 record the result, ← → move, n note, d ID/address."""

    TITLE = "电话核查"

    def __init__(self, batch_id: int) -> None:
        super().__init__()
        self.batch_id = batch_id
        self.rows: list[PushedRow] = []
        self.index = 0
        self.results = pushed.verify_choices()
        self.several_sheets = False

    BINDINGS = keys(
        "left step(-1) 上一人",
        "right step(1) 下一人",
        "n note 备注",
        "d details 补身份证/住址",
        *[Binding(str(n), f"result({n - 1})", show=False) for n in range(1, 10)],
    )

    def compose_main(self) -> ComposeResult:
        yield Static(id="call-progress")
        yield Static(id="call-card")
        yield Static(id="call-results")

    def on_mount(self) -> None:
        self.rows = pushed.batch_rows(self.batch_id)
        self.several_sheets = len({r.sheet for r in self.rows}) > 1
        self.index = next((n for n, r in enumerate(self.rows) if not r.result), 0)
        self.show()

    def show(self) -> None:
        batch = pushed.batch(self.batch_id)
        done, total = pushed.batch_progress(self.batch_id)
        late = clock.now() > batch.deadline and done < total
        self.query_one("#call-progress", Static).update(
            f"第{self.batch_id}批　已核查 {done}/{total}　截止 {batch.deadline:%m-%d %H:%M}"
            + ("　[red]已超时[/red]" if late else ""))
        if not self.rows:
            self.query_one("#call-card", Static).update("本批没有人员")
            return
        row = self.rows[self.index]
        layouts = {s["name"]: s["columns"] for s in json.loads(batch.sheets)}
        columns = layouts.get(row.sheet) or json.loads(batch.columns)
        cells = json.loads(row.cells)
        original = "　".join(f"{escape(str(c))}：{escape(str(v))}"
                            for c, v in zip(columns, cells, strict=False)
                            if c and v not in (None, ""))
        state = (f"[green]{escape(row.result)}[/green] {escape(row.note)}（{escape(row.verified_by)}）"
                 if row.result else "[yellow]未核查[/yellow]")
        linked = f"　已关联居民：{escape(row.resident.name)}" if row.resident_id else ""
        earlier = pushed.earlier_push(row)
        before = f"\n[yellow]{escape(earlier.text())}[/yellow]" if earlier else ""
        where = f"工作表“{escape(row.sheet)}”" if self.several_sheets else "表格"
        self.query_one("#call-card", Static).update(
            f"[b]{where}第{row.sheet_row}行　({self.index + 1}/{len(self.rows)})[/b]{before}\n\n"
            f"姓名：[b]{escape(row.name)}[/b]　　电话：[b]{escape(row.phone)}[/b]\n"
            f"来源地：{escape(row.origin)}　　抵达：{row.arrival_date or ''}\n"
            f"身份证：{escape(row.id_number) or '（未知）'}　　住址：{escape(row.address) or '（未知）'}\n"
            f"结果：{state}{linked}\n\n原表：{original}")
        self.query_one("#call-results", Static).update(
            "按数字键记录结果（括号内为日报计入的列）：　" + "　".join(
                f"{n}.{escape(w)}{self._column_note(w, c)}"
                for n, (w, c) in enumerate(self.results, 1)))

    @staticmethod
    def _column_note(word: str, category: str) -> str:
        column = pushed.report_column(category)
        if not column:
            return "（仅计已核查）"
        return "" if column == word else f"（{column}）"

    def action_step(self, step: int) -> None:
        if self.rows:
            self.index = max(0, min(self.index + step, len(self.rows) - 1))
            self.show()

    def _record(self, result: str, note: str | None = None, id_number: str = "",
                address: str = "") -> None:
        row = self.rows[self.index]
        saved = pushed.verify(self.batch_id, row.sheet_row, result,
                              row.note if note is None else note, id_number, address, row.sheet)
        self.rows[self.index] = saved
        inside = saved.category == pushed.IN_TOWNSHIP
        if inside and saved.resident_id:
            self._offer_measure(saved)
        elif inside:
            self.notify("在辖区人员请按 d 补录身份证号码和住址，以便建档", severity="warning")
        following = next((n for n in range(self.index + 1, len(self.rows))
                          if not self.rows[n].result), None)
        if following is not None and not (inside and not saved.resident_id):
            self.index = following
        self.show()

    def _offer_measure(self, row: PushedRow) -> None:
        """In the township: offer to register the person and start a measure right away."""
        from tui.dialogs.confirm import ConfirmDialog
        from tui.screens.keypersons.keypersons import measure_form

        def answered(yes: bool | None) -> None:
            if yes:
                person = pushed.register_key_person(self.batch_id, row.sheet_row,
                                                    sheet=row.sheet)
                self.app.push_screen(measure_form(person))

        self.app.push_screen(ConfirmDialog(
            f"{row.name} 已核实在辖区并关联居民。\n现在登记为重点人员并开始管控措施？", "登记"),
            answered)

    def action_result(self, number: int) -> None:
        if self.rows and number < len(self.results):
            self._record(self.results[number][0])

    def action_note(self) -> None:
        if not self.rows:
            return
        row = self.rows[self.index]

        def submit(v: dict[str, str]) -> str:
            return v["note"]

        def done(note: str | None) -> None:
            if note is not None and row.result:
                self._record(row.result, note)
            elif note is not None:
                self.notify("请先按数字键选择结果，再写备注", severity="warning")

        self.app.push_screen(FormDialog("备注", [Field("note", "备注", row.note)], submit), done)

    def action_details(self) -> None:
        if not self.rows:
            return
        row = self.rows[self.index]
        words = [w for w, _c in self.results]
        fields = [Field("id_number", "身份证号码", row.id_number),
                  Field("address", "住址", row.address),
                  Field("result", "结果", row.result or words[0], options=words)]

        def submit(v: dict[str, str]) -> PushedRow:
            return pushed.verify(self.batch_id, row.sheet_row, v["result"], row.note,
                                 v["id_number"], v["address"], row.sheet)

        def done(saved: PushedRow | None) -> None:
            if saved is not None:
                self.rows[self.index] = saved
                self.show()
                if saved.category == pushed.IN_TOWNSHIP and saved.resident_id:
                    self._offer_measure(saved)

        self.app.push_screen(FormDialog(f"补录：{row.name}", fields, submit), done)
