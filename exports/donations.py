"""Donation sheets (FORMATS.md §8–§10): 捐赠款物登记台账 and 物资发放登记表 with their 合计 rows,
the public notice 捐赠公示 whose totals are the ledger's own, and the receipt 捐赠收据."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from db import clock
from db import donations as dn
from db.donations import CENT, Totals, donation_row, donation_rows, totals
from db.report import report_moment
from db.settings import get_setting, township
from exports.book import PAPER_A5
from exports.office import date_line, signoff, unit_line
from exports.sheet import Column, Report, SheetWriter, cn_date, new_workbook, save_workbook

LEDGER_COLUMNS = (
    Column("序号", 4.5, "int"), Column("日期", 11, "date"), Column("收据编号", 10),
    Column("捐赠方", 16), Column("类型（企业/单位/个人）", 6), Column("联系人", 7),
    Column("联系电话", 11.5), Column("款/物", 4.5), Column("物资名称", 11), Column("规格", 8),
    Column("数量", 7, "quantity"), Column("单位", 5), Column("金额或估值（元）", 12, "money"),
    Column("批号", 9), Column("有效期", 11, "date"), Column("定向/非定向", 6.5),
    Column("指定用途", 10), Column("经办人", 7), Column("备注", 10),
)


def _period(start: dt.date | None, end: dt.date) -> str:
    return f"统计时段：{cn_date(start)}—{cn_date(end)}" if start else date_line(end)


def export_ledger(path: Path, start: dt.date | None, end: dt.date) -> tuple[int, Decimal, Decimal]:
    """捐赠款物登记台账; returns (rows, money total, goods value total)."""
    report = Report(title=f"{township()}疫情防控捐赠款物登记台账", columns=LEDGER_COLUMNS,
                    unit_line=unit_line(), date_line=_period(start, end), signoff=signoff(),
                    font_size=10,
                    footnotes=("注：1.冲销记录（收据编号带“-冲”）金额为负数，用于更正错误登记；"
                               "2.捐款与物资折价分别合计，不相加。",))
    wb = new_workbook()
    writer = SheetWriter(wb, "捐赠登记台账", report)
    writer.begin()
    money_total = goods_total = Decimal(0)
    n = 0
    lines = dn.donation_lines(start, end)
    for row in donation_rows(start, end):
        kind = "款" if row.is_money else "物"
        pool = "定向" if row.directed else "非定向"
        common = [row.date, row.receipt_no, row.donor, row.donor_kind, row.contact, row.phone,
                  kind]
        tail = [pool, row.purpose, row.handled_by, row.notes]
        if row.is_money:
            n += 1
            money_total += row.amount
            writer.add_row([n, *common, "", "", None, "", row.amount, "", None, *tail])
            continue
        for name, spec, qty, unit, value, batch_no, expiry in lines.get(row.id, []):
            n += 1
            goods_total += value
            writer.add_row([n, *common, name, spec, qty, unit, value, batch_no, expiry, *tail])
    # money and goods are two different things: each has its own 合计, never one sum of both
    blank = [None] * (len(LEDGER_COLUMNS) - 13)
    writer.add_total(["合计", None, None, "捐款", None, None, None, "款", None, None, None, None,
                      money_total, *blank])
    writer.add_total(["合计", None, None, "物资（折价）", None, None, None, "物", None, None, None,
                      None, goods_total, *blank])
    writer.end()
    save_workbook(wb, path, "donations")
    return n, money_total.quantize(CENT), goods_total.quantize(CENT)


DISTRIBUTION_COLUMNS = (
    Column("序号", 5, "int"), Column("日期", 11, "date"), Column("物资名称", 14),
    Column("规格", 10), Column("数量", 8, "quantity"), Column("单位", 6), Column("发放对象", 20),
    Column("领取人", 9), Column("经办人", 9), Column("备注", 20),
)


def export_distributions(path: Path, start: dt.date | None, end: dt.date) -> int:
    """物资发放登记表."""
    report = Report(title=f"{township()}疫情防控物资发放登记表", columns=DISTRIBUTION_COLUMNS,
                    unit_line=unit_line(), date_line=_period(start, end), signoff=signoff())
    wb = new_workbook()
    writer = SheetWriter(wb, "物资发放登记表", report)
    writer.begin()
    n = 0
    for n, d in enumerate(dn.distributions_between(start, end), start=1):
        writer.add_row([n, d.date, d.item.name, d.item.spec, d.quantity, d.item.unit,
                        f"{d.recipient_kind}：{d.recipient}", d.received_by, d.handled_by,
                        d.notes])
    writer.end()
    save_workbook(wb, path, "distributions")
    return n


NOTICE_COLUMNS = (
    Column("序号", 6, "int"), Column("捐赠单位（个人）", 26), Column("捐款金额（元）", 15.5, "money"),
    Column("捐赠物资及数量", 30), Column("折合金额（元）", 15.5, "money"),
    Column("捐赠日期", 12, "date"),
)


def _mask_person(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else name


def notice_lines(t: Totals, until: dt.date, moment: dt.datetime | None = None) -> list[str]:
    """The figures of the notice, 定向 and 非定向 apart, as of ``moment`` (24:00 of ``until``,
    or the time of the export while that day is not over)."""
    moment = moment or report_moment(until)
    when = "24时" if moment >= clock.day_end(until) else f"{moment:%H时%M分}"
    lines = [f"截至{cn_date(until)}{when}，我镇共接收社会捐赠款物情况如下："]

    def pool(label: str, directed: bool) -> str:
        return (f"{label}：资金{t.money_in[directed]:,.2f}元；物资{t.goods_batches[directed]}批，"
                f"折价{t.goods_value[directed]:,.2f}元")

    lines += ["一、收入", pool("（一）非定向", False), pool("（二）定向", True)]
    lines += ["二、支出",
              f"（一）非定向：资金{t.money_out[False]:,.2f}元；发放物资折价{t.goods_out_value[False]:,.2f}元",
              f"（二）定向：资金{t.money_out[True]:,.2f}元；发放物资折价{t.goods_out_value[True]:,.2f}元"]
    lines += ["三、结余",
              f"（一）非定向：资金{t.money_left(False):,.2f}元；物资折价{t.goods_left_value(False):,.2f}元",
              f"（二）定向：资金{t.money_left(True):,.2f}元；物资折价{t.goods_left_value(True):,.2f}元",
              "捐赠明细如下："]
    return lines


def export_notice(path: Path, start: dt.date | None, end: dt.date, issue: int = 1,
                  mask_names: bool = True) -> Totals:
    """捐赠公示 (第N期): the figures, then the detail table; individuals' names masked (张*)."""
    figures = totals(end)
    contact = get_setting("phone")
    report = Report(
        title=f"{township()}疫情防控接收社会捐赠款物情况的公示（第{issue}期）",
        columns=NOTICE_COLUMNS, landscape=False, intro=notice_lines(figures, end),
        footnotes=(f"特此公示。如有疑问请联系：{get_setting('preparer')}　{contact}",),
        extra_lines=(f"{township()}人民政府", cn_date(end)))
    wb = new_workbook()
    writer = SheetWriter(wb, f"捐赠公示第{issue}期", report)
    rows = donation_rows(start, end)
    writer.begin()
    n = 0
    money_sum = goods_sum = Decimal(0)
    for row in rows:
        name = _mask_person(row.donor) if (mask_names and row.donor_kind == "个人"
                                           and row.donor != "爱心人士") else row.donor
        n += 1
        money_sum += row.amount
        goods_sum += row.goods_value
        writer.add_row([n, name + ("（冲销）" if row.reversal else ""),
                        row.amount if row.is_money else None, row.goods or None,
                        None if row.is_money else row.goods_value, row.date])
    writer.add_total(["合计", None, money_sum, None, goods_sum, None])
    writer.end()
    save_workbook(wb, path, "notice")
    return figures


def export_receipt(path: Path, donation_id: int) -> str:
    """捐赠收据 for one donation, half an A4 page; returns its number."""
    import cn2an

    donation = dn.donation(donation_id)
    row = donation_row(donation_id)
    value = abs(row.amount if row.is_money else row.goods_value)
    capital = cn2an.an2cn(str(value), "rmb") if value > 0 else "零元整"
    content = (f"现金捐款（{donation.channel}）" if row.is_money else row.goods.replace("×-", "×"))
    mark = "冲销 " if row.reversal else ""
    lines = [("捐赠方", row.donor), ("捐赠内容", content),
             ("金额（小写）", f"{mark}¥{value:,.2f}"), ("金额（大写）", f"{mark}{capital}"),
             ("用途", row.purpose or ("定向捐赠" if row.directed else "疫情防控")),
             ("经办人", row.handled_by), ("日期", cn_date(donation.date))]
    if row.reversal:
        original = dn.donation(donation.reverses_id)
        lines.insert(0, ("冲销原收据", f"No. {original.receipt_no}（{cn_date(original.date)}）"))
        lines.append(("冲销说明", row.notes))
    columns = (Column("项目", 16), Column("内容", 48))
    title = f"捐赠收据（冲销）　No. {row.receipt_no}" if row.reversal else \
        f"捐赠收据　No. {row.receipt_no}"
    report = Report(title=title, columns=columns, landscape=True,
                    font_size=14, show_header=False,
                    extra_lines=(f"{township()}人民政府（盖章）", cn_date(donation.date)),
                    paper=PAPER_A5)
    wb = new_workbook()
    writer = SheetWriter(wb, "捐赠收据", report)
    writer.begin()
    for label, text in lines:
        writer.add_row([label, text], height=28)
    writer.end()
    save_workbook(wb, path, "receipt", str(donation_id))
    return row.receipt_no
