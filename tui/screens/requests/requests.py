"""求助 (Ctrl+O): the help-request desk. The list of requests (by state, searchable, late ones
in red) with the selected one's delivery slip below it; n takes a call, a sends it (suggested
volunteers first), g adds goods from stock, d marks it delivered, c cancels it, p prints the
slip, y copies it and l prints the volunteer's 配送清单."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Input, Static

from db import donations as dn
from db import names
from db import requests as rq
from db.models import HelpRequest
from db.validate import Invalid
from tui.dialogs.file_job import FileJobDialog, JobResult, Progress
from tui.dialogs.form import Field, FormDialog
from tui.markup import escape
from tui.screens import SectionScreen, keys
from tui.screens.requests.dialogs import AssignDialog, TakeRequestDialog
from tui.widgets.plain_table import PlainTable

FILTERS = {"0": ("全部", None), "1": ("待派单", "待派单"), "2": ("已派单", "已派单"),
           "3": ("已送达", "已送达"), "4": ("已取消", "已取消"), "5": ("未办结", "未办结")}
SHOWN = 500  # requests listed; the ledger export has every one


class RequestsScreen(SectionScreen):
    TITLE = "居民求助"
    BINDINGS = keys(
        *(Binding(key, f"show('{key}')", label, show=False) for key, (label, _s) in FILTERS.items()),
        "n take 新求助",
        "a assign 派单",
        "d deliver 送达",
        "c cancel 取消求助",
        "g goods 随单物资",
        "p slip 配送单",
        "l delivery_list 配送清单 hidden",
        "x export 导出 hidden",
        "y copy 复制配送单 hidden",
        "m money 代购金额 hidden",
        "h hours 时长 hidden",
        "slash search 查找 hidden",
        Binding("delete", "delete", "删除", show=False),
    )

    def __init__(self) -> None:
        super().__init__()
        self.filter = "5"  # 未办结 first: what still needs doing
        self.keys: list[int] = []
        self.select_id: int | None = None  # the row to put the cursor on at the next reload

    def compose_main(self) -> ComposeResult:
        yield Static(id="rq-tabs")
        yield Input(placeholder="/ 查找：姓名、地址、电话、需求、志愿者或编号；Enter 回到列表",
                    id="rq-search", compact=True)
        yield PlainTable(id="rq-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="rq-slip")
        yield Static(id="rq-status")

    def on_mount(self) -> None:
        self.query_one("#rq-table", DataTable).focus()

    def reload(self) -> None:
        self.query_one("#rq-tabs", Static).update("　".join(
            f"[reverse]{key} {label}[/reverse]" if key == self.filter else f"{key} {label}"
            for key, (label, _s) in FILTERS.items()))
        table = self.query_one("#rq-table", DataTable)
        keep = self.select_id or self.chosen()
        self.select_id = None
        table.clear(columns=True)
        # the address last: what a narrow screen cuts off is what the slip below shows in full
        table.add_columns("编号", "受理", "状态", "求助人", "需求", "配送", "地址")
        rows = rq.request_rows(FILTERS[self.filter][1], self.query_one("#rq-search", Input).value,
                               limit=SHOWN)
        self.keys = [r.id for r in rows]
        for r in rows:
            state = r.status + ("!" if r.urgent else "") + (" 超时" if r.late else "")
            table.add_row(str(r.id), f"{r.taken_at:%m-%d %H:%M}",
                          Text(state, style="red b") if r.late else state,
                          r.name + ("(管控)" if r.under_measures else ""), r.needs,
                          r.volunteer or r.team, r.address)
        if keep in self.keys:
            table.move_cursor(row=self.keys.index(keep))
        alerts = rq.request_alerts()
        self.query_one("#rq-status", Static).update(
            f"共{len(rows)}件　未办结{alerts.open}件"
            + (f"　[red b]超时{len(alerts.late)}件[/red b]" if alerts.late else "")
            + "　! 紧急　y 复制　l 该志愿者配送清单　x 导出台账　m 代购金额　h 时长　/ 查找")
        self.show_slip()

    def chosen(self) -> int | None:
        return self.query_one("#rq-table", PlainTable).at_cursor(self.keys)

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.show_slip()

    def show_slip(self) -> None:
        key = self.chosen()
        slip = self.query_one("#rq-slip", Static)
        if key is None:
            slip.update("没有求助。按 n 登记新求助" if not self.keys else "")
            return
        row = rq.request_row(key)
        slip.update((f"[b red]{escape(row.late)}[/b red]　" if row.late else "")
                    + escape("　".join(rq.slip_for(row).split("\n"))))

    def action_show(self, key: str) -> None:
        self.filter = key
        self.reload()

    def action_search(self) -> None:
        self.query_one("#rq-search", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "rq-search":
            self.reload()
            self.query_one("#rq-table", DataTable).focus()

    def _after(self, result: object) -> None:
        if result is not None:
            if isinstance(result, HelpRequest):
                self.select_id = result.id
            self.reload()

    def _selected(self, verb: str) -> int | None:
        key = self.chosen()
        if key is None:
            self.notify(f"请先选择要{verb}的求助", severity="warning")
        return key

    def action_take(self) -> None:
        def taken(request: HelpRequest | None) -> None:
            if request is not None:
                self.notify(f"已登记第{request.id}号求助（{request.needs}"
                            f"{'，紧急' if request.urgent else ''}），按 a 派单")
                if self.filter not in ("0", "1", "5"):
                    self.filter = "5"
            self._after(request)

        self.app.push_screen(TakeRequestDialog(), taken)

    def action_assign(self) -> None:
        key = self._selected("派单")
        if key is None:
            return
        if rq.request_row(key).status not in rq.OPEN:
            self.notify("该求助已办结，不能再派单", severity="warning")
            return

        def sent(request: HelpRequest | None) -> None:
            if request is not None:
                row = rq.request_row(request.id)
                who = row.volunteer or f"{row.team}（全队）"
                self.notify(f"第{request.id}号已派给{who}；p 打印配送单，y 复制")
            self._after(request)

        self.app.push_screen(AssignDialog(key), sent)

    def _form(self, title: str, fields: list[Field], submit: Callable[[dict[str, str]], object],
              note: str = "") -> None:
        self.app.push_screen(FormDialog(title, fields, submit, note=note), self._after)

    def action_deliver(self) -> None:
        key = self._selected("登记送达")
        if key is None:
            return
        request = rq.request_row(key)
        fields = [Field("amount", "代购金额（元）", placeholder="没有代购留空"),
                  Field("paid", "付款", options=("未付", "已付")),
                  Field("hours", "服务时长（小时）", placeholder="留空：派单到送达，按半小时进位")]
        team_only = request.volunteer_id is None
        if team_only:
            fields.insert(0, Field("who", "送达志愿者（姓名）", placeholder="计服务时长用；可空"))

        def submit(v: dict[str, str]) -> object:
            who = None
            if team_only and v.get("who"):
                from db.roster import find_staff

                found = find_staff(v["who"], limit=5)
                found = [s for s in found if s.name == v["who"]] or found
                if len(found) != 1:
                    raise Invalid(f"“{v['who']}”{'对应多人，请写全名' if found else '不是在岗人员'}")
                who = found[0].id
            return rq.deliver(key, v["amount"], v["paid"] == "已付", who, v["hours"])

        self._form(f"登记送达：第{key}号 {request.name}", fields, submit,
                   note=f"{request.needs}　{request.address}")

    def action_cancel(self) -> None:
        key = self._selected("取消")
        if key is None:
            return
        self._form(f"取消第{key}号求助", [Field("reason", "取消原因")],
                   lambda v: rq.cancel(key, v["reason"]),
                   note="已随单发出的物资记冲销，退回库存")

    def action_goods(self) -> None:
        key = self._selected("添加物资")
        if key is None:
            return
        stock = [s for s in dn.stock_rows() if s.left > 0]
        if not stock:
            self.notify("库存中没有物资（F6 捐赠）", severity="warning")
            return
        labels = {f"{names.item(s.name, s.spec)}（库存{s.left:f}{s.unit}）": s.item_id
                  for s in stock}
        self._form(f"第{key}号随单物资（从捐赠库存发放）",
                   [Field("item", "物资", options=list(labels)), Field("quantity", "数量")],
                   lambda v: rq.add_goods(key, labels[v["item"]], v["quantity"]),
                   note="记入物资发放登记，库存随之减少")

    def action_money(self) -> None:
        key = self._selected("登记代购金额")
        if key is None:
            return
        request = rq.request_row(key)
        self._form(f"第{key}号代购金额",
                   [Field("amount", "代购金额（元）", f"{request.purchase_amount:f}"),
                    Field("paid", "付款", "已付" if request.paid else "未付", ("未付", "已付"))],
                   lambda v: rq.set_payment(key, v["amount"], v["paid"] == "已付"))

    def action_hours(self) -> None:
        key = self._selected("修改时长")
        if key is None:
            return
        request = rq.request_row(key)
        self._form(f"第{key}号服务时长", [Field("hours", "服务时长（小时）",
                                          "" if request.hours is None else f"{request.hours:f}")],
                   lambda v: rq.set_hours(key, v["hours"]), note="只有已送达的求助可改")

    def action_copy(self) -> None:
        key = self._selected("复制")
        if key is not None:
            self.app.copy_to_clipboard(rq.slip_text(key))
            self.notify("配送单已复制，可粘贴到微信发给志愿者")

    def action_slip(self) -> None:
        key = self._selected("打印配送单")
        if key is None:
            return
        from exports.office import export_folder, report_filename

        def job(path: Path, _dry: bool, progress: Progress) -> JobResult:
            from exports.requests import export_slip

            return JobResult(f"已导出{export_slip(path, key)}", [f"文件：{path}"])

        path = export_folder() / report_filename("求助配送单", f"第{key}号")
        self.app.push_screen(FileJobDialog("打印配送单（A4）", job, str(path)))

    def action_delivery_list(self) -> None:
        """The selected request's volunteer's 配送清单 (all volunteers' when it has none)."""
        key = self._selected("打印配送清单")
        if key is None:
            return
        from db import clock
        from exports.office import export_folder, report_filename

        request = rq.request_row(key)
        volunteer = request.volunteer_id
        who = request.volunteer if volunteer else "全部志愿者"
        day = clock.today()

        def job(path: Path, _dry: bool, progress: Progress) -> JobResult:
            from exports.requests import export_delivery_lists

            count = export_delivery_lists(path, day, volunteer)
            return JobResult(f"已导出{who}配送清单，{count}件", [f"文件：{path}"])

        path = export_folder() / report_filename(f"{who}配送清单", f"{day:%Y-%m-%d}")
        self.app.push_screen(FileJobDialog(f"{who}配送清单（A4）", job, str(path)))

    def action_export(self) -> None:
        """居民求助登记台账 (a period, a state) or every volunteer's 配送清单 of today."""
        from db import clock
        from tui.exporting import choose_export

        today = clock.today()
        choose_export(self, "导出求助报表", ["requests", "delivery_lists"],
                      {"day": today, "end": today}, ask=("start", "end", "status"))

    def action_delete(self) -> None:
        key = self._selected("删除")
        if key is None:
            return
        from tui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                try:
                    rq.delete_request(key)
                except Invalid as exc:
                    self.notify(str(exc), severity="warning")
                    return
                self.notify(f"第{key}号求助已移入回收站（F8）")
                self.reload()

        self.app.push_screen(ConfirmDialog(f"删除第{key}号求助？（登记错的；可在回收站恢复）",
                                           "删除"), answered)
