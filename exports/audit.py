"""The audit log as a sheet: who (操作人), when, whose record and what changed, in the clerk's
words (it carries full personal data).

A logged row can hold a whole imported file (base64); the sheet says that a file was there
instead of printing pages of letters."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from db.history import history
from db.settings import township
from exports.office import date_line, unit_line
from exports.sheet import Column, Report, SheetWriter, new_workbook, save_workbook

COLUMNS = (Column("序号", 6, "int"), Column("时间", 17, "datetime"), Column("操作人", 10),
           Column("操作", 6), Column("对象", 9), Column("记录", 20), Column("改动内容", 60))
BLOB = re.compile(r"[A-Za-z0-9+/=\s]{120,}")
BLOB_TEXT = "（文件内容，略）"


def _without_blobs(row: dict) -> dict:
    """A logged row with every long base64 value replaced by a short note."""
    return {k: BLOB_TEXT if isinstance(v, str) and BLOB.fullmatch(v) else v
            for k, v in row.items()}


def export_audit(path: Path, start: dt.date | None, end: dt.date) -> int:
    report = Report(title=f"{township()}疫情防控台账操作记录", columns=COLUMNS,
                    unit_line=unit_line(), date_line=date_line(end), landscape=True,
                    footnotes=("注：本表含个人信息，仅供内部核查，不得外传。",))
    wb = new_workbook()
    writer = SheetWriter(wb, "操作记录", report)
    writer.begin()
    rows = history(start, end, blob=_without_blobs)
    for n, line in enumerate(rows, start=1):
        writer.add_row([n, line.at, line.who, line.action, line.what, line.whose, line.change])
    writer.end()
    save_workbook(wb, path, "audit")
    return len(rows)
