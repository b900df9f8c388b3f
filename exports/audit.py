"""The audit log as a sheet: who changed what, when (it carries full personal data)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db.audit import audit_rows, describe
from db.recycle import TABLE_LABELS
from db.settings import township
from exports.office import date_line, unit_line
from exports.sheet import Column, Report, SheetWriter, new_workbook, save_workbook

COLUMNS = (Column("序号", 6, "int"), Column("时间", 17, "datetime"), Column("操作人", 10),
           Column("操作", 8), Column("对象", 10), Column("编号", 8, "int"), Column("内容", 70))


def export_audit(path: Path, start: dt.date | None, end: dt.date) -> int:
    report = Report(title=f"{township()}疫情防控台账操作记录", columns=COLUMNS,
                    unit_line=unit_line(), date_line=date_line(end), landscape=True,
                    footnotes=("注：本表含个人信息，仅供内部核查，不得外传。",))
    wb = new_workbook()
    writer = SheetWriter(wb, "操作记录", report)
    writer.begin()
    rows = audit_rows(start, end)
    for n, entry in enumerate(rows, start=1):
        writer.add_row([n, entry.at, entry.who, entry.action,
                        TABLE_LABELS.get(entry.table, entry.table), entry.row_id,
                        describe(entry)])
    writer.end()
    save_workbook(wb, path, "audit")
    return len(rows)
