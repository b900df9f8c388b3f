"""疫情防控工作日报表 (FORMATS.md §11): each section a small bordered table on one A4 page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db.report import DailyReport, daily_report, freeze_while
from db.settings import township
from exports.office import signoff, unit_line
from exports.sheet import Column, Report, SheetWriter, cn_date, new_workbook, save_workbook

WIDTH = 10


def spans(count: int, total: int = WIDTH) -> list[int]:
    """Split ``total`` columns among ``count`` cells as evenly as possible."""
    base, extra = divmod(total, count)
    return [base + 1 if n < extra else base for n in range(count)]


def write_daily(path: Path, report: DailyReport) -> Path:
    """Write one day's report (live or frozen) to ``path``."""
    title = f"{township()}疫情防控工作日报表" + ("（更正）" if report.correction else "")
    sheet = Report(
        title=title, columns=[Column("", 11)] * WIDTH, unit_line=unit_line(),
        date_line=f"报告日期：{cn_date(report.day)}（{report.as_of_text}）", signoff=signoff(),
        show_header=False, landscape=False)
    wb = new_workbook()
    writer = SheetWriter(wb, "日报", sheet)
    writer.begin()
    for section in report.sections:
        writer.add_merged_row([(section["title"], WIDTH)], height=22, bold=True)
        columns = section["columns"]
        widths = spans(len(columns))
        writer.add_merged_row(list(zip(columns, widths, strict=True)), height=30, bold=True)
        for row in section["rows"]:
            writer.add_merged_row(list(zip(row, widths, strict=True)), height=20)
    writer.add_merged_row([("七、其他需要说明的情况", WIDTH)], height=22, bold=True)
    writer.add_merged_row([(report.note or "无", WIDTH)], height=40)
    writer.end()
    return save_workbook(wb, path, "daily")


def export_daily(path: Path, day: dt.date, freeze: bool = True) -> DailyReport:
    """Export the day's report; exporting freezes its numbers (a later export with other numbers
    is 更正). If the file cannot be written, nothing is frozen."""
    if not freeze:
        report = daily_report(day)
        write_daily(path, report)
        return report
    return freeze_while(day, lambda report: write_daily(path, report))
