"""捐赠: donations received, stock on hand (low stock marked) and what was handed out; record
money or goods, hand goods out, spend money, reverse a wrong entry, print a receipt or a notice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from db import clock, names
from db import donations as dn
from db.models import DONOR_KINDS, MONEY_CHANNELS, RECIPIENT_KINDS, Distribution
from db.validate import Invalid, parse_date
from tui.dialogs.file_job import FileJobDialog, JobResult, Progress
from tui.dialogs.form import Field, FormDialog
from tui.exporting import choose_export
from tui.screens import SectionScreen, keys
from tui.widgets.column_table import Col, ColumnTable

SHOWN = 500  # donations listed on screen, newest first; the ledger export has every one
VIEWS = {"donations": "1 捐赠登记", "stock": "2 库存", "handed": "3 发放记录"}
POOLS = ("非定向", "定向")
# each view's columns: what the clerk acts on (收据编号, 定向, 库存, 发放对象…) stays at 80 columns
DONATION_COLUMNS = (Col("日期", 10, 1), Col("收据编号", 9), Col("捐赠方", 12, grow=True),
                    Col("款/物", 5, 2), Col("金额/物资", 12), Col("折价（元）", 10, 2),
                    Col("定向", 4), Col("经办人", 6, 3))
STOCK_COLUMNS = (Col("物资", 10, grow=True), Col("规格", 10, 1), Col("单位", 4, 1),
                 Col("接收", 8, 2), Col("发放", 8, 2), Col("库存", 12), Col("预警线", 8, 1))
HANDED_COLUMNS = (Col("日期", 10, 1), Col("物资", 12, grow=True), Col("数量", 8),
                  Col("发放对象", 14), Col("领取人", 6, 1), Col("经办人", 6, 2),
                  Col("备注", 10, 3))


def _donation_cells(r: dn.DonationRow) -> tuple[object, ...]:
    return (f"{r.date:%Y-%m-%d}", Text(r.receipt_no, style="red") if r.reversal else r.receipt_no,
            r.donor, "款" if r.is_money else "物",
            f"{r.amount:,.2f}" if r.is_money else r.goods,
            "" if r.is_money else f"{r.goods_value:,.2f}", "定向" if r.directed else "",
            r.handled_by)


def _stock_cells(s: dn.StockRow) -> tuple[object, ...]:
    left = Text(f"{s.left:f}（不足）", style="red b") if s.low else f"{s.left:f}"
    return (s.name, s.spec, s.unit, f"{s.received:f}", f"{s.handed_out:f}", left,
            f"{s.low_threshold:f}")


def _handed_cells(d: Distribution) -> tuple[object, ...]:
    return (f"{d.date:%Y-%m-%d}", names.item(d.item.name, d.item.spec), f"{d.quantity:f}{d.item.unit}",
            f"{d.recipient_kind}：{d.recipient}", d.received_by, d.handled_by, d.notes)


def _day(text: str) -> dt.date:
    day = parse_date(text)
    if day is None:
        raise Invalid("请填写日期")
    return day


def _donor_fields() -> list[Field]:
    return [Field("donor", "捐赠方", placeholder="单位或个人名称；匿名填“匿名”"),
            Field("kind", "类型", options=DONOR_KINDS),
            Field("contact", "联系人"), Field("phone", "联系电话")]


def _donor(v: dict[str, str]) -> dn.Donor:
    anonymous = v["donor"] in ("匿名", dn.ANONYMOUS)
    return dn.add_donor(v["donor"], v["kind"], v["contact"], v["phone"], anonymous)


class DonationsScreen(SectionScreen):
    TITLE = "捐赠款物"
    BINDINGS = keys(
        "1 view('donations') 捐赠 hidden",
        "2 view('stock') 库存 hidden",
        "3 view('handed') 发放 hidden",
        "m money 登记捐款",
        "g goods 登记物资",
        "d distribute 发放",
        "s spend 支出 hidden",
        "v reverse 冲销",
        "p receipt 收据 hidden",
        "x export 导出",
        "t threshold 预警线 hidden",
    )

    def __init__(self) -> None:
        super().__init__()
        self.view = "donations"
        self.keys: list[int] = []
        self.item_id: int | None = None  # 发放记录 of one item only

    def compose_main(self) -> ComposeResult:
        yield Static(id="dn-tabs")
        yield from ColumnTable(DONATION_COLUMNS, _donation_cells, id="dn-table").with_detail()
        yield Static(id="dn-status")

    def action_view(self, name: str) -> None:
        self.view = name
        self.item_id = None
        self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if self.view == "stock" and self.chosen() is not None:
            item_id = self.chosen()
            self.view = "handed"
            self.item_id = item_id
            self.reload()

    def action_threshold(self) -> None:
        if self.view != "stock" or self.chosen() is None:
            self.notify("请在库存（2）中选择物资", severity="warning")
            return
        item = dn.item(self.chosen())
        self.app.push_screen(FormDialog(
            f"{item.name}：库存预警线", [Field("value", f"低于多少{item.unit}时提醒",
                                         f"{item.low_threshold:f}")],
            lambda v: dn.set_low_threshold(item.id, v["value"])), self._after)

    def reload(self) -> None:
        self.query_one("#dn-tabs", Static).update("　".join(
            f"[reverse]{label}[/reverse]" if key == self.view else label
            for key, label in VIEWS.items()))
        table = self.query_one(ColumnTable)
        shown = ""
        today = clock.today()
        figures = dn.totals(today)
        if self.view == "donations":
            rows = list(reversed(dn.donation_rows(latest=SHOWN)))
            table.declare(DONATION_COLUMNS, _donation_cells)
            self.keys = [r.id for r in rows]
            if len(rows) == SHOWN:
                shown = f"列出最近{SHOWN}笔，共{dn.count_donations():,}笔（x 导出台账可得全部）　"
        elif self.view == "stock":
            rows = dn.stock_rows()
            table.declare(STOCK_COLUMNS, _stock_cells)
            self.keys = [s.item_id for s in rows]
        else:
            rows = dn.recent_distributions(self.item_id)
            table.declare(HANDED_COLUMNS, _handed_cells)
            self.keys = [d.id for d in rows]
        table.set_rows(rows)
        self.query_one("#dn-status", Static).update(
            f"{shown}资金结余：非定向 {figures.money_left(False):,.2f} 元　"
            f"定向 {figures.money_left(True):,.2f} 元"
            "　s 支出　p 收据　t 预警线　库存中 Enter 看去向")

    def chosen(self) -> int | None:
        """The id of the highlighted donation, item (库存) or distribution."""
        row = self.query_one(ColumnTable).cursor_row
        return self.keys[row] if 0 <= row < len(self.keys) else None

    def _after(self, result: object) -> None:
        if result is not None:
            self.reload()

    def action_money(self) -> None:
        fields = [Field("date", "日期", clock.today().isoformat()), *_donor_fields(),
                  Field("amount", "金额（元）"), Field("channel", "收款方式", options=MONEY_CHANNELS),
                  Field("pool", "定向/非定向", options=POOLS), Field("purpose", "指定用途"),
                  Field("handled_by", "经办人"), Field("notes", "备注")]

        def submit(v: dict[str, str]) -> object:
            donation = dn.record_money(_day(v["date"]), _donor(v), v["amount"], v["channel"],
                                       v["pool"] == "定向", v["purpose"], v["handled_by"],
                                       v["notes"])
            self.notify(f"已登记，收据编号 {donation.receipt_no}")
            return donation

        self.app.push_screen(FormDialog("登记捐款", fields, submit), self._after)

    def action_goods(self) -> None:
        fields = [Field("date", "日期", clock.today().isoformat()), *_donor_fields(),
                  Field("name", "物资名称"), Field("spec", "规格", placeholder="如 50只/盒"),
                  Field("quantity", "数量"), Field("unit", "单位", placeholder="盒/箱/公斤"),
                  Field("value", "估值（元）"), Field("batch", "批号（口罩、药品）"),
                  Field("expiry", "有效期至"), Field("pool", "定向/非定向", options=POOLS),
                  Field("purpose", "指定用途"), Field("handled_by", "经办人")]

        def submit(v: dict[str, str]) -> object:
            line = dn.GoodsLine(v["name"], v["unit"], v["quantity"], v["value"], v["spec"],
                                v["batch"], parse_date(v["expiry"]))
            donation = dn.record_goods(_day(v["date"]), _donor(v), [line], v["pool"] == "定向",
                                       v["purpose"], v["handled_by"])
            self.notify(f"已登记入库，收据编号 {donation.receipt_no}")
            return donation

        self.app.push_screen(FormDialog("登记捐赠物资", fields, submit), self._after)

    def action_distribute(self) -> None:
        if self.view != "stock":
            self.action_view("stock")
            self.notify("请在库存中选择要发放的物资，再按 d")
            return
        item_id = self.chosen()
        if item_id is None:
            return
        item = dn.item(item_id)
        left = dn.stock(item_id)
        fields = [Field("date", "日期", clock.today().isoformat()),
                  Field("quantity", f"数量（{item.unit}）"),
                  Field("kind", "发放对象类型", options=RECIPIENT_KINDS),
                  Field("recipient", "发放对象", placeholder="如 桃园村1号卡口"),
                  Field("received_by", "领取人"), Field("handled_by", "经办人"),
                  Field("notes", "备注")]

        def submit(v: dict[str, str]) -> object:
            return dn.distribute(_day(v["date"]), item_id, v["quantity"], v["kind"],
                                 v["recipient"], v["received_by"], v["handled_by"], v["notes"])

        self.app.push_screen(FormDialog(f"发放：{names.item(item.name, item.spec)}", fields, submit,
                                        note=f"现有库存 {left:f}{item.unit}"), self._after)

    def action_spend(self) -> None:
        fields = [Field("date", "日期", clock.today().isoformat()), Field("amount", "金额（元）"),
                  Field("pool", "动用", options=POOLS),
                  Field("purpose", "用途", placeholder="定向：以指定用途开头，如 卡口生活保障：购买方便面"),
                  Field("payee", "收款方"), Field("handled_by", "经办人")]

        def submit(v: dict[str, str]) -> object:
            return dn.spend(_day(v["date"]), v["amount"], v["pool"] == "定向", v["purpose"],
                            v["payee"], v["handled_by"])

        self.app.push_screen(FormDialog("捐款支出", fields, submit), self._after)

    def action_reverse(self) -> None:
        key = self.chosen()
        if key is None or self.view == "stock":
            return
        fields = [Field("reason", "冲销原因")]
        if self.view == "donations":
            def submit(v: dict[str, str]) -> object:
                return dn.reverse_donation(key, v["reason"])
            title = "冲销捐赠登记（原记录保留，另记一笔负数）"
            subject = dn.reversal_subject("donation", key)
        else:
            def submit(v: dict[str, str]) -> object:
                return dn.reverse_distribution(key, v["reason"])
            title = "冲销发放记录（物资退回库存）"
            subject = dn.reversal_subject("distribution", key)
        self.app.push_screen(FormDialog(title, fields, submit, note=f"将冲销：{subject}"),
                             self._after)

    def action_receipt(self) -> None:
        key = self.chosen()
        if key is None or self.view != "donations":
            return
        from exports.office import export_folder

        def job(path: Path, _dry: bool, progress: Progress) -> JobResult:
            from exports.donations import export_receipt

            number = export_receipt(path, key)
            return JobResult(f"已生成收据 {number}", [f"文件：{path}"])

        self.app.push_screen(FileJobDialog("打印捐赠收据", job,
                                           path=str(export_folder() / f"捐赠收据_{key}.xlsx")))

    def action_export(self) -> None:
        choose_export(self, "导出捐赠报表", ["donations", "distributions", "notice"],
                      {"end": clock.today()}, ask=("issue",))
