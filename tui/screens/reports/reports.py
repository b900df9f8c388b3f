"""报表中心: every export in one list — export to the export folder, open the folder, print, or
e-mail what was exported; and the daily report's preview beside yesterday's numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static
from textual.worker import Worker, WorkerState

from db import clock
from db.logfile import clerk_line
from db.report import daily_numbers, daily_report
from db.validate import Invalid
from exports.catalog import EXPORTS, SHEET
from tui.dialogs.form import Field, FormDialog
from tui.exporting import form_fields, read_form
from tui.markup import escape
from tui.screens import SECTIONS_CSS, DetailScreen
from tui.widgets.plain_table import PlainTable
from tui.widgets.section_bar import SectionBar


class ReportsScreen(Screen):
    CSS_PATH = SECTIONS_CSS
    TITLE = "报表中心"
    BINDINGS = [
        Binding("enter,e", "export", "导出"),
        Binding("o", "open_folder", "打开文件夹"),
        Binding("p", "print", "打印"),
        Binding("m", "mail", "邮件报送"),
        Binding("r", "preview", "日报预览"),
        Binding("b", "address_book", "通讯录", show=False),
        Binding("t", "test_mail", "测试邮件", show=False),
        Binding("l", "mail_log", "发送记录", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.exported: list[Path] = []

    def compose(self) -> ComposeResult:
        yield Header()
        table: PlainTable = PlainTable(id="report-table", cursor_type="row")
        table.add_columns("报表", "需要", "含完整身份证号/电话")
        for e in EXPORTS:
            table.add_row(e.title, "日期" if e.needs == "day" else "起止日期",
                          Text("是（仅报上级，勿外传）", style="yellow") if e.full_ids else "否")
        yield table
        yield Static("", id="report-files")
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        self.show_files()

    def show_files(self) -> None:
        text = "本次已导出：" + ("、".join(p.name for p in self.exported) if self.exported
                                 else "（无）") + "　　m 邮件报送　b 通讯录　t 测试邮件　l 发送记录"
        self.query_one("#report-files", Static).update(escape(text))

    def chosen(self):
        table = self.query_one(DataTable)
        return EXPORTS[table.cursor_row] if 0 <= table.cursor_row < len(EXPORTS) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_export()

    def action_export(self) -> None:
        export = self.chosen()
        if export is None:
            return

        def start(choice: tuple[dict, Path] | None) -> None:
            if choice is not None:
                self.notify(f"正在导出{export.title}…")
                self.run_export(export.key, *choice)

        self.app.push_screen(FormDialog(f"导出{export.title}", form_fields(export),
                                        lambda v: read_form(export, v),
                                        note="文件保存到导出文件夹（设置中可改）"), start)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def run_export(self, key: str, given: dict, path: Path) -> tuple[Path, str]:
        return path, SHEET[key].write(path, given)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "test-mail" and event.state == WorkerState.SUCCESS:
            self.notify("测试邮件已发送，邮件设置正确")
        elif event.worker.group == "test-mail" and event.state == WorkerState.ERROR:
            event.stop()
            self.notify(f"测试邮件发送失败：{clerk_line(event.worker.error, '测试邮件')}",
                        severity="error", timeout=10)
        if event.worker.group != "export":
            return
        if event.state == WorkerState.SUCCESS:
            path, summary = event.worker.result
            if path not in self.exported:
                self.exported.append(path)
            self.show_files()
            self.notify(f"{summary}：{path.name}", timeout=6)
        elif event.state == WorkerState.ERROR:
            event.stop()
            self.notify(f"导出失败：{clerk_line(event.worker.error, '报表中心导出')}",
                        severity="error", timeout=10)

    def action_open_folder(self) -> None:
        from exports.office import export_folder
        from exports.system import open_folder

        try:
            open_folder(export_folder())
        except Invalid as exc:
            self.notify(str(exc), severity="error", timeout=8)

    def action_print(self) -> None:
        from exports.system import print_file

        if not self.exported:
            self.notify("请先导出要打印的报表", severity="warning")
            return
        try:
            self.notify(print_file(self.exported[-1]))
        except Invalid as exc:
            self.notify(str(exc), severity="error", timeout=10)

    def action_mail(self) -> None:
        from exports.mail import subject_and_body

        if not self.exported:
            self.notify("请先导出要报送的报表", severity="warning")
            return
        subject, body = subject_and_body(clock.today())
        self.app.push_screen(MailDialog(subject, body, list(self.exported)))

    def action_preview(self) -> None:
        self.app.push_screen(DailyPreviewScreen())

    def action_address_book(self) -> None:
        from db.mail import add_recipient

        fields = [Field("unit", "上级单位"), Field("name", "姓名"), Field("address", "邮箱地址")]
        self.app.push_screen(FormDialog(
            "通讯录：添加收件人", fields,
            lambda v: add_recipient(v["name"], v["address"], v["unit"])),
            lambda r: r is not None and self.notify(f"已添加收件人 {r.name}"))

    def action_test_mail(self) -> None:
        self.notify("正在发送测试邮件…")
        self.send_test()

    @work(thread=True, exclusive=True, group="test-mail", exit_on_error=False)
    def send_test(self) -> None:
        from exports.mail import send_test

        send_test()

    def action_mail_log(self) -> None:
        self.app.push_screen(MailLogScreen())


class MailDialog(FormDialog):
    """收件人、主题、正文 prefilled; sending runs in a worker and keeps the draft on failure."""

    def __init__(self, subject: str, body: str, files: list[Path]) -> None:
        from db.mail import address_book

        book = "、".join(address_book())
        fields = [Field("to", "收件人", placeholder="通讯录名称或邮箱，多个用逗号分隔"),
                  Field("subject", "主题", subject), Field("body", "正文", body.replace("\n", " ")),
                  Field("files", "附件", "；".join(str(p) for p in files))]
        super().__init__("邮件报送", fields, self._prepare,
                         note=f"通讯录：{book}" if book else "通讯录为空：可直接写邮箱地址")

    def _prepare(self, v: dict[str, str]):
        from exports.mail import Draft, resolve_recipients

        names = [n for n in v["to"].replace("，", ",").replace("；", ",").split(",") if n.strip()]
        files = [Path(f) for f in v["files"].split("；") if f.strip()]
        return Draft(resolve_recipients(names), v["subject"], v["body"], files)

    def action_save(self) -> None:
        try:
            draft = self._prepare(self.values())
        except Invalid as exc:
            self.query_one("#form-error", Static).update(escape(str(exc)))
            return
        self.query_one("#form-error", Static).update("正在发送…")
        self.send_mail(draft)

    def save_changes(self) -> bool:
        """保存 when leaving means send; the dialog stays open until the send ends."""
        self.action_save()
        return False

    @work(thread=True, exclusive=True, group="mail", exit_on_error=False)
    def send_mail(self, draft) -> None:
        from exports.mail import send

        send(draft)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "mail":
            return
        status = self.query_one("#form-error", Static)
        if event.state == WorkerState.SUCCESS:
            self.app.notify("邮件已发送")
            self.dismiss(True)
        elif event.state == WorkerState.ERROR:
            event.stop()
            line = clerk_line(event.worker.error, "邮件报送")
            status.update(f"{escape(line)}（草稿已保留，可修改后按 Ctrl+S 重试）")


class DailyPreviewScreen(DetailScreen):
    """Today's report as a table, with yesterday's numbers and the change."""

    TITLE = "日报预览"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="preview-title")
        table: PlainTable = PlainTable(id="preview-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("栏目", "项目", "指标", "今日", "昨日", "变化")
        yield table
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        today = clock.today()
        report = daily_report(today)
        yesterday = daily_numbers(today - dt.timedelta(days=1))
        state = (f"已于{report.frozen_at:%H:%M}报送" + ("（更正）" if report.correction else "")
                 if report.frozen_at else "未报送（当前数字）")
        self.query_one("#preview-title", Static).update(
            f"[b]{today:%Y-%m-%d} 疫情防控工作日报[/b]　{state}")
        table = self.query_one(DataTable)
        for section, before in zip(report.sections, yesterday, strict=True):
            for row, old in zip(section["rows"], before["rows"], strict=True):
                for column, value, previous in zip(section["columns"][1:], row[1:], old[1:],
                                                   strict=True):
                    change = value - previous if isinstance(value, (int, float)) else ""
                    mark = f"{change:+g}" if change else ""
                    table.add_row(section["title"], str(row[0]), column, f"{value:g}",
                                  f"{previous:g}", mark)


class MailLogScreen(DetailScreen):
    """发送记录: every mail attempt, with its result."""

    TITLE = "邮件发送记录"

    def compose(self) -> ComposeResult:
        yield Header()
        table: PlainTable = PlainTable(id="maillog-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("时间", "收件人", "主题", "附件", "结果")
        yield table
        yield SectionBar()
        yield Footer()

    def on_mount(self) -> None:
        from db.mail import sent_mail

        table = self.query_one(DataTable)
        for log in sent_mail():
            result = Text("已发送", style="green") if log.ok else Text(log.result, style="red")
            table.add_row(f"{log.at:%m-%d %H:%M}", log.to, log.subject, "、".join(log.files),
                          result)
