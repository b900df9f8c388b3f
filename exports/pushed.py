"""大数据推送人员核查反馈表: reading any district file (every sheet of it) as one batch, and
giving the district its own workbook back with the results filled in (FORMATS.md §4).

The feedback is written into a copy of the very workbook that came in, so its title, header,
columns, column order, row order, merges and styles are the district's own.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from copy import copy
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from db.keypersons import open_measure
from db.models import KeyPerson, PushedBatch, PushedRow
from db.pushed import BatchSummary, PushedRecord, PushedSheet, batch_rows, create_batch
from exports.reader import SheetError, Table, header_key, read_table
from exports.sheet import safe_text, save_workbook

SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "人员姓名", "名字"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "公民身份号码", "证件号"),
    "phone": ("手机号", "手机号码", "电话", "联系电话", "联系方式", "手机"),
    "origin": ("来源地", "来自", "出发地", "途经地", "来源", "来源地区", "风险地区"),
    "arrival": ("抵达时间", "抵达日期", "到达时间", "到达日期", "返回时间", "返乡时间", "入境时间",
                "抵达本地时间"),
    "address": ("地址", "现住址", "居住地址", "详细地址", "落脚点"),
    "result": ("核查结果", "核查情况", "排查结果"),
    "note": ("备注",),
}
APPENDED = ("核查结果", "管控措施", "核查人", "核查时间")


def read_pushed_sheets(path: Path) -> tuple[list[PushedSheet], list[str]]:
    """Every visible sheet of a pushed file that has a recognisable header, with its rows; and
    the names of the visible sheets skipped for having none."""
    tables, skipped = read_tables(path, SYNONYMS, ("name", "phone", "id_number"))
    sheets = []
    for table in tables:
        records = []
        for number, values in table.rows:
            record = PushedRecord(number, list(values[:len(table.headers)]))
            for name in ("name", "id_number", "phone", "origin", "arrival", "address"):
                setattr(record, name, table.value(values, name))
            records.append(record)
        if records:
            sheets.append(PushedSheet(table.sheet_name, table.header_row, table.headers, records))
    if not sheets:
        raise SheetError(f"“{path.name}”的表头下没有任何人员")
    return sheets, skipped


def read_tables(path: Path, synonyms: dict[str, tuple[str, ...]],
                required: tuple[str, ...]) -> tuple[list[Table], list[str]]:
    """The first sheet with a header as :func:`read_table` finds it, then every later visible
    sheet with a header of its own (a district file split by town or day is one list); and the
    visible sheets without one."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    from exports.reader import _read_sheet

    first = read_table(path, synonyms, required)
    tables = [first]
    workbook = CalamineWorkbook.from_path(path)
    try:
        names = [m.name for m in workbook.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
        ignore = {header_key("序号")}
        skipped = names[:names.index(first.sheet_name)]
        for name in names[names.index(first.sheet_name) + 1:]:
            try:
                sheet = workbook.get_sheet_by_name(name)
            except (CalamineError, ValueError) as exc:
                raise SheetError(f"“{path.name}”的工作表“{name}”无法读取（{exc}）") from None
            table = _read_sheet(path.name, sheet, synonyms, required, None, ignore)
            if table is not None:
                tables.append(table)
            else:
                skipped.append(name)
    finally:
        workbook.close()
    return tables, skipped


def import_pushed_file(path: Path, received_at: dt.datetime | None = None,
                       again: bool = False) -> BatchSummary:
    """Read a pushed file (every sheet, every column kept verbatim) and store it as a new batch.

    A file whose rows were imported before raises :class:`db.pushed.AlreadyImported` unless
    ``again``."""
    sheets, skipped = read_pushed_sheets(path)
    summary = create_batch(path.name, sheets, path.read_bytes(), received_at, again=again)
    summary.skipped = skipped
    return summary


def _source_workbook(batch: PushedBatch) -> Workbook:
    """The workbook as it came in; a batch stored without it (the demo's) is laid out anew from
    its headers and cells, on their original sheets and rows."""
    if batch.source:
        return load_workbook(io.BytesIO(base64.b64decode(batch.source)))
    workbook = Workbook()
    workbook.remove(workbook.active)
    for layout in json.loads(batch.sheets):
        ws = workbook.create_sheet(layout["name"])
        ws.cell(row=1, column=1, value=batch.file_name.rsplit(".", 1)[0])
        for n, title in enumerate(layout["columns"], start=1):
            ws.cell(row=layout["header_row"], column=n, value=title)
    for row in batch_rows(batch.id):
        for n, value in enumerate(json.loads(row.cells), start=1):
            workbook[row.sheet].cell(row=row.sheet_row, column=n, value=value)
    return workbook


def _measure_text(row: PushedRow) -> str:
    if row.resident_id is None:
        return ""
    person = (KeyPerson.select().where(KeyPerson.resident == row.resident_id)
              .order_by(KeyPerson.id.desc()).first())
    measure = open_measure(person.id) if person else None
    return measure.kind if measure else ""


def export_feedback(batch_id: int, path: Path) -> tuple[int, int]:
    """Write the district's workbook back with results on every sheet; return (verified, total)."""
    batch = PushedBatch.get_or_none(PushedBatch.id == batch_id)
    if batch is None:
        raise SheetError(f"没有第{batch_id}批推送数据")
    workbook = _source_workbook(batch)
    rows = batch_rows(batch_id)
    done = 0
    for layout in json.loads(batch.sheets):
        done += _fill_sheet(workbook[layout["name"]], layout,
                            [r for r in rows if r.sheet == layout["name"]])
    save_workbook(workbook, path, "feedback", str(batch_id))
    return done, len(rows)


def _fill_sheet(ws: Worksheet, layout: dict, rows: list[PushedRow]) -> int:
    """One sheet's results, in its own 核查结果/备注 columns or appended; returns rows verified."""
    header_row = layout["header_row"]
    header = [header_key(h) for h in layout["columns"]]
    keys = {header_key(s): name for name, words in SYNONYMS.items() for s in words}
    own = {keys[h]: n + 1 for n, h in enumerate(header) if h in keys}
    columns: dict[str, int] = {}
    last = len(header)
    if "result" in own:
        columns["核查结果"] = own["result"]
        if "note" in own:
            columns["备注"] = own["note"]
    else:
        template = ws.cell(row=header_row, column=last)
        for offset, title in enumerate(APPENDED, start=1):
            cell = ws.cell(row=header_row, column=last + offset, value=title)
            if template.has_style:
                cell._style = copy(template._style)
            columns[title] = last + offset
            width = ws.column_dimensions[template.column_letter].width or 12
            ws.column_dimensions[cell.column_letter].width = max(width, 14)
    done = 0
    for row in rows:
        if not row.result:
            continue
        done += 1
        result = row.result if "备注" in columns or not row.note else f"{row.result}（{row.note}）"
        values = {"核查结果": result, "备注": row.note, "管控措施": _measure_text(row),
                  "核查人": row.verified_by,
                  "核查时间": row.verified_at.strftime("%Y-%m-%d %H:%M") if row.verified_at
                  else ""}
        for title, column in columns.items():
            target = ws.cell(row=row.sheet_row, column=column)
            target.value = safe_text(values[title])
            target.data_type = "s"
            beside = ws.cell(row=row.sheet_row, column=last)
            if column > last and beside.has_style:
                target._style = copy(beside._style)
    return done
