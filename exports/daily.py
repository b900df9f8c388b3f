"""疫情防控工作日报表 (FORMATS.md §11): each section a small bordered table on one A4 page."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from db.report import DailyReport, daily_report, freeze_while
from db.settings import township
from exports.office import signoff, unit_line
from exports.output import read_stamp
from exports.sheet import (
    Column,
    Report,
    SheetWriter,
    cn_date,
    new_workbook,
    save_workbook,
    text_lines,
)

WIDTH = 10
COLUMN_WIDTH = 11
SNAPSHOT_MARK = "eprc-daily-snapshot:"  # the document keyword naming the report's snapshot
_SNAPSHOT = re.compile(rb"<cp:keywords>" + SNAPSHOT_MARK.encode()
                       + rb"(\d+)/(\d{4}-\d\d-\d\d)/([0-9a-f]+)</cp:keywords>")


@dataclass(frozen=True)
class ReportFile:
    """What a daily-report file eprc exported holds: its snapshot, day and the snapshot's token."""

    snapshot_id: int
    day: dt.date
    token: str


def spans(count: int, total: int = WIDTH) -> list[int]:
    """Split ``total`` columns among ``count`` cells as evenly as possible."""
    base, extra = divmod(total, count)
    return [base + 1 if n < extra else base for n in range(count)]


def unit_apart(label: str, width: float, size: float) -> str:
    """A header too long for its cell breaks before its unit, "已送达\n（件）", rather than
    leaving a lone bracket on the next line."""
    head, bracket, unit = label.partition("（")
    if not bracket or not head or text_lines(label, width, size) == 1:
        return label
    return f"{head}\n（{unit}"


def write_daily(path: Path, report: DailyReport) -> Path:
    """Write one day's report (live or frozen) to ``path``."""
    title = f"{township()}疫情防控工作日报表" + ("（更正）" if report.correction else "")
    sheet = Report(
        title=title, columns=[Column("", COLUMN_WIDTH)] * WIDTH, unit_line=unit_line(),
        date_line=f"报告日期：{cn_date(report.day)}（{report.as_of_text}）", signoff=signoff(),
        show_header=False, landscape=False, one_page=True)
    wb = new_workbook()
    if report.snapshot_id is not None:
        wb.properties.keywords = (f"{SNAPSHOT_MARK}{report.snapshot_id}/"
                                  f"{report.day.isoformat()}/{report.token}")
    writer = SheetWriter(wb, "日报", sheet)
    writer.begin()
    for section in report.sections:
        writer.add_merged_row([(section["title"], WIDTH)], height=20, bold=True)
        columns = section["columns"]
        widths = spans(len(columns))
        headers = [unit_apart(c, COLUMN_WIDTH * w, sheet.font_size) for c, w in zip(columns, widths,
                                                                               strict=True)]
        writer.add_merged_row(list(zip(headers, widths, strict=True)), height=30, bold=True)
        for row in section["rows"]:
            writer.add_merged_row(list(zip(row, widths, strict=True)), height=18)
    writer.add_merged_row([(report.note_title, WIDTH)], height=20, bold=True)
    writer.add_merged_row([(report.note or "无", WIDTH)], height=30)
    writer.end()
    return save_workbook(wb, path, "daily")


def export_daily(path: Path, day: dt.date, freeze: bool = True) -> DailyReport:
    """Export the day's report; exporting generates it (已生成未报送: its numbers frozen as a
    draft that replaces an unsent one; after it was sent, other numbers make a 更正). If the
    file cannot be written, nothing is generated."""
    if not freeze:
        report = daily_report(day)
        write_daily(path, report)
        return report
    return freeze_while(day, lambda report: write_daily(path, report))


def snapshot_in(path: Path) -> ReportFile | None:
    """The generated report a daily-report file eprc exported holds (None for any other file)."""
    stamp = read_stamp(path)
    if stamp is None or not stamp.startswith("eprc:daily:"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            found = _SNAPSHOT.search(archive.read("docProps/core.xml"))
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    if found is None:
        return None
    return ReportFile(int(found.group(1)), dt.date.fromisoformat(found.group(2).decode()),
                      found.group(3).decode())
