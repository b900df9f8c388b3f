"""The audit log as a sheet: who changed what, when (it carries full personal data).

A logged row can hold a whole imported file (base64); the sheet says that a file was there
instead of printing pages of letters."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from db.audit import audit_rows, describe
from db.models import AuditLog
from db.recycle import TABLE_LABELS
from db.settings import township
from exports.office import date_line, unit_line
from exports.sheet import Column, Report, SheetWriter, new_workbook, save_workbook

COLUMNS = (Column("序号", 6, "int"), Column("时间", 17, "datetime"), Column("操作人", 10),
           Column("操作", 8), Column("对象", 10), Column("编号", 8, "int"), Column("内容", 70))
BLOB = re.compile(r"[A-Za-z0-9+/=\s]{120,}")
BLOB_TEXT = "（文件内容，略）"


def _without_blobs(logged: str | None) -> str | None:
    """A logged row (JSON) with every long base64 value replaced by a short note."""
    if not logged:
        return logged
    try:
        row = json.loads(logged)
    except ValueError:
        return logged
    if not isinstance(row, dict):
        return logged
    return json.dumps({k: BLOB_TEXT if isinstance(v, str) and BLOB.fullmatch(v) else v
                       for k, v in row.items()}, ensure_ascii=False)


def content(entry: AuditLog) -> str:
    """What changed, as describe() says it, without blobs."""
    return describe(AuditLog(**{**entry.__data__, "before": _without_blobs(entry.before),
                                "after": _without_blobs(entry.after)}))


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
                        content(entry)])
    writer.end()
    save_workbook(wb, path, "audit")
    return len(rows)
