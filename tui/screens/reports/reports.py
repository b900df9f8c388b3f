"""报表中心: every export in one list — export to the export folder, open the folder, print, or
e-mail what was exported; the daily report's state (未生成 / 已生成未报送 / 已报送), marking it
sent another way, and its preview beside yesterday's numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from db import clock
from db.logfile import clerk_line
from db.mail import SentMail, sent_mail
from db.report import daily_numbers, daily_report, mark_reported_otherwise, report_state
from db.validate import Invalid, parse_date
from exports.catalog import EXPORTS, SHEET, Sheet
from tui.dialogs.form import Field, FormDialog
from tui.exporting import form_fields, read_form
from tui.markup import escape
from tui.screens import SECTIONS_CSS, DetailScreen, Framed, keys
from tui.widgets.column_table import Col, ColumnTable
from tui.widgets.plain_table import PlainTable


class ReportsScreen(Framed):
    CSS_PATH = SECTIONS_CSS
    TITLE = "报表中心"
    BINDINGS = keys(
        "enter,e export 导出",
        "o open_folder 打开文件夹",
        "p print 打印",
        "m mail 邮件报送",
        "r preview 日报预览",
        "s mark_sent 标记已报送 hidden",
        "b address_book 通讯录 hidden",
        "t test_mail 测试邮件 hidden",
        "l mail_log 发送记录 hidden",
    )

    def __init__(self) -> None:
        super().__init__()
        self.exported: list[Path] = []

    def compose_main(self) -> ComposeResult:
        table: PlainTable = PlainTable(id="report-table", cursor_type="row")
        table.add_columns("报表", "需要", "含完整身份证号/电话")
        for e in EXPORTS:
            table.add_row(e.title, NEEDS[e.needs],
                          Text("是（仅报上级，勿外传）", style="yellow") if e.full_ids else
                          Text("含个人信息（内部使用）", style="yellow") if e.personal else "否")
        yield table
        yield Static("", id="report-files")

    def on_mount(self) -> None:
        self.show_files()

    def show_files(self) -> None:
        text = (f"今日日报：{report_state(clock.today())}　　本次已导出："
                + ("、".join(p.name for p in self.exported) if self.exported else "（无）")
                + "\nm 邮件报送　s 标记已报送（其他方式）　b 通讯录　t 测试邮件　l 发送记录")
        self.query_one("#report-files", Static).update(escape(text))

    def chosen(self) -> Sheet | None:
        return self.query_one("#report-table", PlainTable).at_cursor(EXPORTS)

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
    def run_export(self, key: str, given: dict, path: Path) -> tuple[list[Path], str]:
        """Write the sheet; one that writes several files names them after ``path`` (_第N批)."""
        summary = SHEET[key].write(path, given)
        written = [path] if path.exists() else sorted(
            path.parent.glob(f"{path.stem}_*{path.suffix}"))
        return written, summary

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
            paths, summary = event.worker.result
            self.exported += [p for p in paths if p not in self.exported]
            self.show_files()
            self.notify(f"{summary}：{'、'.join(p.name for p in paths)}", timeout=6)
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
        self.app.push_screen(MailDialog(subject, body, list(self.exported)),
                             lambda _sent: self.show_files())

    def action_preview(self) -> None:
        self.app.push_screen(DailyPreviewScreen())

    def action_mark_sent(self) -> None:
        fields = [Field("day", "日期", clock.today().isoformat()),
                  Field("note", "报送方式和说明", placeholder="如：已传真区防控办（王科长）")]

        def submit(v: dict[str, str]):
            try:
                day = parse_date(v["day"])
            except Invalid as exc:
                raise Invalid(f"日期：{exc}") from None
            return mark_reported_otherwise(day or clock.today(), v["note"])

        def done(report) -> None:
            if report is not None:
                self.notify(f"已标记{report.day:%m-%d}日报为已报送（{report.reported_note}）")
                self.show_files()

        self.app.push_screen(FormDialog(
            "标记日报已报送（未用本程序发邮件时）", fields, submit,
            note="只在已用其他方式（传真、工作群、纸质）报送了导出的日报时使用"), done)

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
    """收件人、主题、正文 (line breaks kept) prefilled; a daily report whose numbers moved since
    it was exported is offered for regeneration; sending runs in a worker within one overall
    limit, says 正在发送…, Esc cancels it, and the draft stays on failure."""

    def __init__(self, subject: str, body: str, files: list[Path],
                 limit: float | None = None) -> None:
        from db.mail import address_book

        book = "、".join(address_book())
        fields = [Field("to", "收件人", placeholder="通讯录名称或邮箱，多个用逗号分隔"),
                  Field("subject", "主题", subject), Field("body", "正文", body, lines=3),
                  Field("files", "附件", "；".join(str(p) for p in files))]
        super().__init__("邮件报送", fields, self._prepare,
                         note=f"通讯录：{book}" if book else "通讯录为空：可直接写邮箱地址")
        self.limit = limit
        self.sending = None
        self.attempted = False

    def _prepare(self, v: dict[str, str]):
        from exports.mail import Draft, resolve_recipients

        names = [n for n in v["to"].replace("，", ",").replace("；", ",").split(",") if n.strip()]
        files = [Path(f) for f in v["files"].split("；") if f.strip()]
        return Draft(resolve_recipients(names), v["subject"], v["body"], files)

    def _status(self, text: str) -> None:
        self.query_one("#form-error", Static).update(text)

    def action_save(self) -> None:
        if self.sending is not None:
            return
        try:
            draft = self._prepare(self.values())
        except Invalid as exc:
            self._status(str(exc))
            return
        self._status("正在检查日报数字…")
        self.check_reports(draft)

    @work(thread=True, exclusive=True, group="mail-check", exit_on_error=False)
    def check_reports(self, draft) -> tuple[object, list[tuple[Path, dt.date]]]:
        from db.report import numbers_moved
        from exports.daily import snapshot_in

        moved = []
        for path in draft.files:
            found = snapshot_in(path)
            if found and numbers_moved(found.snapshot_id, found.token):
                moved.append((path, found.day))
        return draft, moved

    def _start(self, draft, regenerate: list[tuple[Path, dt.date]]) -> None:
        from exports.mail import SEND_LIMIT, Sending

        self.sending = Sending(self.limit or SEND_LIMIT)
        self.attempted = True
        self._status("正在发送…（Esc 取消）")
        self.send_mail(draft, regenerate, self.sending)

    def unsaved_changes(self) -> bool:
        """Once a send was tried, leaving does not ask: its 保存 would send the mail again, and
        what became of it is in the send log."""
        return not self.attempted and super().unsaved_changes()

    def save_changes(self) -> bool:
        """保存 when leaving means send; the dialog stays open until the send ends."""
        self.action_save()
        return False

    @work(thread=True, exclusive=True, group="mail", exit_on_error=False)
    def send_mail(self, draft, regenerate: list[tuple[Path, dt.date]], sending) -> None:
        from exports.daily import export_daily
        from exports.mail import send

        for path, day in regenerate:
            export_daily(path, day)
        send(draft, sending)

    def action_leave(self) -> None:
        """Esc: while a send runs it cancels the wait (the dialog then says what became of the
        mail); otherwise it leaves as any form does, asking when something was typed."""
        if self.sending is None:
            super().action_leave()
            return
        self.sending.cancel()
        self._status("正在取消…")

    def action_cancel(self) -> None:
        self.action_leave()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "mail-check":
            self._checked(event)
        if event.worker.group != "mail":
            return
        if event.state == WorkerState.SUCCESS:
            self.sending = None
            self.app.notify("邮件已发送")
            self.dismiss(True)
        elif event.state == WorkerState.ERROR:
            self.sending = None
            event.stop()
            line = clerk_line(event.worker.error, "邮件报送")
            self._status(f"{line}（草稿已保留，可修改后按 Ctrl+S 重试）")

    def _checked(self, event: Worker.StateChanged) -> None:
        from tui.dialogs.confirm import ConfirmDialog

        if event.state == WorkerState.ERROR:
            event.stop()
            self._status(clerk_line(event.worker.error, "邮件报送"))
            return
        if event.state != WorkerState.SUCCESS:
            return
        draft, moved = event.worker.result
        if not moved:
            self._start(draft, [])
            return
        names = "、".join(path.name for path, _day in moved)
        self._status("")
        self.app.push_screen(ConfirmDialog(
            f"日报“{names}”导出后数字有变化（或已被重新导出）。\n"
            "重新生成日报（覆盖该文件）后再发送？选“取消”则按原稿发送。", "重新生成"),
            lambda yes: self._start(draft, moved if yes else []))


NEEDS = {"day": "日期", "period": "起止日期", "round": "核酸轮次"}


def _figure(value: object) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


class DailyPreviewScreen(DetailScreen):
    """Today's report as a table, with yesterday's numbers and the change."""

    TITLE = "日报预览"

    def compose_main(self) -> ComposeResult:
        yield Static(id="preview-title")
        table: PlainTable = PlainTable(id="preview-table", cursor_type="row", zebra_stripes=True)
        table.add_columns("栏目", "项目", "指标", "今日", "昨日", "变化")
        yield table

    def on_mount(self) -> None:
        today = clock.today()
        report = daily_report(today)
        yesterday = daily_numbers(today - dt.timedelta(days=1))
        if report.reported_at is not None:
            state = f"{report.state}（{report.reported_at:%H:%M}，{report.reported_how}）"
        elif report.frozen_at is not None:
            state = f"{report.state}（{report.frozen_at:%H:%M}导出的数字）"
        else:
            state = f"{report.state}（当前数字）"
        self.query_one("#preview-title", Static).update(
            f"[b]{today:%Y-%m-%d} 疫情防控工作日报[/b]　{state}")
        table = self.query_one(DataTable)
        # paired by title without its number: an extra section may be there one day only
        earlier = {s["title"].partition("、")[2]: s for s in yesterday}
        for section in report.sections:
            before = earlier.get(section["title"].partition("、")[2])
            for n, row in enumerate(section["rows"]):
                old = before["rows"][n] if before and n < len(before["rows"]) else []
                for m, (column, value) in enumerate(zip(section["columns"][1:], row[1:],
                                                        strict=True)):
                    previous = old[m + 1] if m + 1 < len(old) else ""
                    numeric = all(isinstance(v, (int, float)) for v in (value, previous))
                    change = value - previous if numeric else 0
                    table.add_row(section["title"], str(row[0]), column, _figure(value),
                                  _figure(previous), f"{change:+g}" if change else "")


class MailLogScreen(DetailScreen):
    """发送记录: every mail attempt; its result comes right after the time (never cut off), and
    the highlighted try's full result, recipient by recipient, is shown below."""

    TITLE = "邮件发送记录"

    # 时间 and 结果 are what the clerk checks; the full result, recipient by recipient, is read
    # in the detail line under the table (or in its own column on a wide screen)
    COLUMNS = (Col("时间", 11), Col("结果", 12), Col("收件人", 16, 1), Col("主题", 14, 1, grow=True),
               Col("附件", 10, 2), Col("详情", 30, 3, grow=True))

    def compose_main(self) -> ComposeResult:
        yield from ColumnTable(self.COLUMNS, _mail_cells, id="maillog-table").with_detail()

    def on_mount(self) -> None:
        self.query_one(ColumnTable).set_rows(sent_mail())


def _mail_cells(log: SentMail) -> tuple[object, ...]:
    from exports.mail import SENT, outcome

    word = outcome(log)
    style = "green" if word == SENT else "yellow" if word.startswith("可能") else "red"
    return (f"{log.at:%m-%d %H:%M}", Text(word, style=style), log.to, log.subject,
            "、".join(log.files), log.result)
