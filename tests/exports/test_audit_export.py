"""The audit sheet read back: no base64 copy of an imported file, rows as tall as their text."""

from __future__ import annotations

import base64
from pathlib import Path

from openpyxl import load_workbook

from db import clock
from db.audit import log_change
from exports.audit import export_audit
from exports.sheet import line_height, text_lines


def test_audit_sheet_leaves_out_blobs(db_path: Path, tmp_path: Path) -> None:
    blob = base64.b64encode(b"PK\x03\x04" + bytes(range(256)) * 20).decode()
    log_change("导入", "pushed_batch", 1, None, {"file_name": "推送.xlsx", "source": blob})
    log_change("修改", "resident", 2, {"name": "张三", "notes": ""},
               {"name": "张三", "notes": "长期外出务工，" * 12})
    today = clock.today()
    out = tmp_path / "审计.xlsx"
    assert export_audit(out, today, today) == 2
    ws = load_workbook(out).active
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert blob[:40] not in text and "推送.xlsx" in text and "推送第1批" in text
    assert ws.cell(3, 6).value == "记录" and ws.cell(3, 7).value == "改动内容"
    row = next(r for r in range(4, 6) if "长期外出务工" in str(ws.cell(r, 7).value))
    lines = text_lines(ws.cell(row, 7).value, ws.column_dimensions["G"].width, 11)
    assert lines > 1 and ws.row_dimensions[row].height == line_height(lines, 11)
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$3"
