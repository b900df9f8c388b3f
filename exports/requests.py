"""Help-request sheets: 居民求助登记台账 of a period (by status; households under control
measures marked), the 志愿者配送清单 each volunteer takes along, and one request's 配送单.

Callback phones are printed in full (the volunteer must call before going); ID numbers never
appear on any of them."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from db import clock
from db.requests import RequestRow, request_row, request_rows
from db.settings import township
from exports.office import date_line, signoff, unit_line
from exports.sheet import (
    Column,
    Report,
    SheetWriter,
    cn_date,
    cn_month_day,
    new_workbook,
    save_workbook,
)

MARK = "是"  # 管控户 column: a member is under a control measure
MEASURES_NOTE = "注：“管控户”为“是”的，户内有居家隔离或健康监测人员，物品放门口，不进门、不接触。"

# times as 04-11 07:05 (the year is in the title): a full date-time column would push the
# sheet's type below 8 pt once fitted to the page
LEDGER_COLUMNS = (
    Column("序号", 5, "int"), Column("受理时间", 11), Column("求助人", 8), Column("管控户", 5),
    Column("送达地址", 18), Column("需求", 9), Column("具体需要", 14), Column("紧急", 5),
    Column("回拨电话", 14), Column("状态", 7), Column("配送人/服务队", 11), Column("派单时间", 11),
    Column("办结时间", 11), Column("随单物资", 11), Column("代购金额（元）", 9, "money"),
    Column("付款", 5), Column("服务时长（小时）", 6, "number"), Column("取消原因", 9),
)


def _period(start: dt.date, end: dt.date) -> str:
    if start == end:
        return f"（{cn_date(start)}）"
    return f"（{cn_date(start)}—{cn_month_day(end) if start.year == end.year else cn_date(end)}）"


def _when(moment: dt.datetime | None) -> str:
    return f"{moment:%m-%d %H:%M}" if moment else ""


def _ledger_values(n: int, r: RequestRow) -> list[object]:
    return [n, _when(r.taken_at), r.name, MARK if r.under_measures else "", r.address, r.needs,
            r.details, "紧急" if r.urgent else "", r.callback_phone, r.status,
            r.volunteer or r.team, _when(r.assigned_at), _when(r.done_at), r.goods,
            r.purchase_amount if r.purchase_amount else None,
            ("已付" if r.paid else "未付") if r.purchase_amount else "",
            float(r.hours) if r.hours is not None else None, r.cancel_reason]


def export_requests(path: Path, start: dt.date, end: dt.date, status: str | None = None) -> int:
    """居民求助登记台账: requests taken from ``start`` to ``end``, oldest first (all states, or
    one ``status``; 未办结 for both open ones). Late ones and households under measures are in
    red. Returns the number of requests."""
    if end < start:
        raise ValueError("结束日期不能早于开始日期")
    rows = sorted(request_rows(status, start=start, end=end), key=lambda r: (r.taken_at, r.id))
    unpaid = sum((r.purchase_amount for r in rows if not r.paid), start=Decimal(0))
    notes = [MEASURES_NOTE, "状态为红色的：紧急求助超时未送达，或超过1天未办结。"]
    if unpaid:
        notes.append(f"代购金额中尚未付款的共{unpaid:,.2f}元。")
    if status:
        notes.append(f"只列出状态为“{status}”的求助。")
    report = Report(title=f"{township()}居民求助登记台账{_period(start, end)}",
                    columns=LEDGER_COLUMNS, unit_line=unit_line(),
                    date_line=date_line(clock.today()), signoff=signoff(), font_size=10,
                    landscape=True, footnotes=notes)
    wb = new_workbook()
    writer = SheetWriter(wb, "求助台账", report)
    writer.begin()
    for n, r in enumerate(rows, start=1):
        red = ({3} if r.under_measures else set()) | ({9} if r.late else set())
        writer.add_row(_ledger_values(n, r), red=frozenset(red))
    writer.add_total(["合计", None, f"{len(rows)}件", None, None, None, None,
                      f"{sum(r.urgent for r in rows)}件", None, None, None, None, None, None,
                      sum((r.purchase_amount for r in rows), start=Decimal(0)), None,
                      float(sum(r.hours or 0 for r in rows)), None])
    writer.end()
    save_workbook(wb, path, "requests", status or "")
    return len(rows)


DELIVERY_COLUMNS = (
    Column("序号", 5, "int"), Column("编号", 6, "int"), Column("求助人", 8), Column("管控户", 5),
    Column("送达地址", 22), Column("需求", 18), Column("回拨电话", 15), Column("随单物资", 12),
    Column("代购金额（元）", 9, "money"), Column("送达时间", 11), Column("收货人签字", 10),
)


def export_delivery_lists(path: Path, day: dt.date, volunteer_id: int | None = None) -> int:
    """志愿者配送清单: a sheet per volunteer (or team, for requests sent to a whole team) with
    the requests sent to them and not yet delivered, and those they delivered on ``day``.
    Returns the number of requests listed."""
    rows = [r for r in reversed(request_rows(volunteer_id=volunteer_id))
            if r.status == "已派单" or (r.status == "已送达" and r.delivered_at
                                       and r.delivered_at.date() == day)]
    by_person: dict[str, list[RequestRow]] = defaultdict(list)
    phones: dict[str, str] = {}
    for r in rows:
        who = r.volunteer or f"{r.team}（全队）"
        by_person[who].append(r)
        phones[who] = r.volunteer_phone
    wb = new_workbook()
    for who, mine in sorted(by_person.items()):
        report = Report(title=f"志愿者配送清单（{cn_date(day)}）", columns=DELIVERY_COLUMNS,
                        unit_line=f"配送人：{who}　{phones[who]}", date_line=date_line(day),
                        font_size=11, landscape=True,
                        footnotes=("出发前先拨打回拨电话确认；送达后请收货人签字，回来交给值班人员登记送达。",
                                   MEASURES_NOTE))
        writer = SheetWriter(wb, who, report)
        writer.begin()
        for n, r in enumerate(mine, start=1):
            writer.add_row([n, r.id, r.name, MARK if r.under_measures else "", r.address,
                            "；".join(x for x in (("【紧急】" if r.urgent else "") + r.needs,
                                                 r.details) if x),
                            r.callback_phone, r.goods,
                            r.purchase_amount if r.purchase_amount else None,
                            f"{r.delivered_at:%H:%M}" if r.delivered_at else "", ""],
                           height=30, red=frozenset({3}) if r.under_measures else frozenset())
        writer.end()
    if not by_person:
        writer = SheetWriter(wb, "配送清单", Report("没有待配送的求助", [Column("说明", 40)]))
        writer.begin()
        writer.end()
    save_workbook(wb, path, "delivery-lists", str(volunteer_id or ""))
    return len(rows)


SLIP_COLUMNS = (Column("项目", 17), Column("内容", 57))


def export_slip(path: Path, request_id: int) -> str:
    """One request's 配送单 on A4: where, what, the callback phone in full; never an ID
    number. Returns its title."""
    r = request_row(request_id)
    title = f"求助配送单（第{r.id}号）{'【紧急】' if r.urgent else ''}"
    report = Report(title=title, columns=SLIP_COLUMNS, show_header=False, font_size=14,
                    landscape=False, date_line=f"受理时间：{r.taken_at:%Y-%m-%d %H:%M}",
                    footnotes=("出发前先拨打回拨电话确认。" + (
                        "该户有管控人员：物品放门口，不进门、不接触。" if r.under_measures else ""),))
    wb = new_workbook()
    writer = SheetWriter(wb, "配送单", report)
    writer.begin()
    lines = [("求助人", r.name + ("（管控户）" if r.under_measures else "")),
             ("送达地址", r.address), ("需求", r.needs), ("具体需要", r.details),
             ("回拨电话", r.callback_phone), ("来电人", r.caller), ("随单物资", r.goods),
             ("配送人", f"{r.volunteer or r.team} {r.volunteer_phone}".strip()),
             ("代购金额（元）", f"{r.purchase_amount:,.2f}" if r.purchase_amount else ""),
             ("收货人签字", "")]
    for label, value in lines:
        writer.add_row([label, value], height=36)
    writer.end()
    save_workbook(wb, path, "request-slip", str(r.id))
    return title
