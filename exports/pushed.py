"""大数据推送人员核查反馈表: reading any district file (every sheet of it) as one batch, and
giving the district its own workbook back with the results filled in (FORMATS.md §4).

The feedback is written into a copy of the very workbook that came in, so its title, header,
columns, column order, row order, merges and styles are the district's own. What is added is
paper: A4 landscape, one page wide, the rows down to the header repeated on every page, columns
wide enough for an ID or a phone, and rows as tall as their wrapped text.
"""

from __future__ import annotations

import base64
import datetime as dt
import getpass
import io
import json
from copy import copy
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from db.keypersons import latest_case, open_measure
from db.models import PushedBatch, PushedRow
from db.pushed import BatchSummary, PushedRecord, PushedSheet, batch_rows, create_batch, find_batch
from db.settings import get_setting
from exports.reader import SheetError, header_key, read_tables
from exports.sheet import (
    line_height,
    safe_sheet_name,
    safe_text,
    save_workbook,
    text_lines,
    width_for,
)

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
WIDEST_COLUMN = 30  # a column is widened for its longest value up to this; beyond, text wraps


def read_pushed_sheets(path: Path) -> tuple[list[PushedSheet], list[str]]:
    """Every visible sheet of a pushed file that has a recognisable header, with its rows, read
    through the reader's checks (sizes, far cells) like every sheet; and the sheets skipped, each
    with why (“说明”（没有表头）)."""
    read = read_tables(path, SYNONYMS, ("name", "phone", "id_number"))
    sheets = []
    for table in read.tables:
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
    return sheets, read.skipped


def import_pushed_file(path: Path, received_at: dt.datetime | None = None,
                       again: bool = False) -> BatchSummary:
    """Read a pushed file (every sheet, every column kept verbatim) and store it as a new batch.

    A file whose rows were imported before raises :class:`db.pushed.AlreadyImported` unless
    ``again``."""
    sheets, skipped = read_pushed_sheets(path)
    summary = create_batch(path.name, sheets, path.read_bytes(), received_at, again=again)
    summary.skipped = skipped
    return summary


def _source_workbook(batch: PushedBatch) -> tuple[Workbook, dict[str, str]]:
    """The workbook as it came in, and each sheet's title in it by its stored name; a batch
    stored without it (the demo's) is laid out anew from its headers and cells, on their
    original rows, under sheet names made safe."""
    layouts = json.loads(batch.sheets)
    if batch.source:
        workbook = load_workbook(io.BytesIO(base64.b64decode(batch.source)))
        return workbook, {layout["name"]: layout["name"] for layout in layouts}
    workbook = Workbook()
    workbook.remove(workbook.active)
    titles: dict[str, str] = {}
    for layout in layouts:
        titles[layout["name"]] = safe_sheet_name(layout["name"], titles.values())
        ws = workbook.create_sheet(titles[layout["name"]])
        ws.cell(row=1, column=1, value=batch.file_name.rsplit(".", 1)[0])
        for n, title in enumerate(layout["columns"], start=1):
            ws.cell(row=layout["header_row"], column=n, value=title)
    for row in batch_rows(batch.id):
        for n, value in enumerate(json.loads(row.cells), start=1):
            workbook[titles[row.sheet]].cell(row=row.sheet_row, column=n, value=value)
    return workbook, titles


def _measure_text(row: PushedRow) -> str:
    if row.resident_id is None:
        return ""
    person = latest_case(row.resident_id)
    measure = open_measure(person.id) if person else None
    return measure.kind if measure else ""


def _clerk(verified_by: str) -> str:
    """Who verified, as the district reads it: a name recorded as the operator stays; the
    computer's login (root, Administrator…) becomes the clerk's name from settings."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = ""
    if verified_by and verified_by != login:
        return verified_by
    return get_setting("preparer") or verified_by


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _split_column_ranges(ws: Worksheet) -> None:
    """One width entry per column: a sheet saved with a range (<col min=1 max=5>) would
    otherwise get a second, overlapping entry for a widened column, which Excel must repair."""
    for dim in list(ws.column_dimensions.values()):
        if dim.min and dim.max and dim.max > dim.min:
            for col in range(dim.min + 1, dim.max + 1):
                single = copy(dim)
                single.index = get_column_letter(col)
                single.min = single.max = col
                ws.column_dimensions[single.index] = single
            dim.max = dim.min


def _print_setup(ws: Worksheet, header_row: int, id_columns: set[int]) -> None:
    """Make the district's sheet print on A4: landscape, one page wide, title and header rows
    on every page, columns widened for their values (an ID or phone never cut), rows as tall as
    their wrapped text. Nothing is narrowed, moved or restyled."""
    _split_column_ranges(ws)
    last_col = ws.max_column
    sizes = {}
    for col in range(1, last_col + 1):
        letter = get_column_letter(col)
        width = ws.column_dimensions[letter].width if letter in ws.column_dimensions else 0
        need = 0.0
        for row in range(header_row, ws.max_row + 1):
            cell = ws.cell(row, col)
            size = sizes.setdefault((row, col), float(cell.font.sz or 11))
            for line in _text(cell.value).split("\n"):
                need = max(need, width_for(line, size))
        limit = need if col in id_columns else min(need, WIDEST_COLUMN)
        ws.column_dimensions[letter].width = max(width or 8.43, limit)
    merged = {(r.min_row, r.min_col) for r in ws.merged_cells.ranges}
    for row in range(header_row, ws.max_row + 1):
        needed = 0.0
        for col in range(1, last_col + 1):
            cell = ws.cell(row, col)
            text = _text(cell.value)
            if not text or (row, col) in merged:
                continue
            lines = text_lines(text, ws.column_dimensions[get_column_letter(col)].width,
                               sizes[(row, col)])
            if lines > 1 and not cell.alignment.wrap_text:
                cell.alignment = Alignment(horizontal=cell.alignment.horizontal,
                                           vertical=cell.alignment.vertical or "center",
                                           wrap_text=True)
            needed = max(needed, line_height(lines, sizes[(row, col)]))
        if needed > (ws.row_dimensions[row].height or 0):
            ws.row_dimensions[row].height = needed
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.3,
                                  footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.print_title_rows = f"1:{header_row}"
    if not (ws.oddFooter.left.text or ws.oddFooter.center.text or ws.oddFooter.right.text):
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def export_feedback(batch_id: int, path: Path) -> tuple[int, int]:
    """Write the district's workbook back with results on every sheet; return (verified, total).

    The ID number and address found during the call go into the sheet's own ID and address
    columns when it has them; 核查人 is the clerk's name; every sheet is set up for A4."""
    batch = find_batch(batch_id)
    if batch is None:
        raise SheetError(f"没有第{batch_id}批推送数据")
    workbook, titles = _source_workbook(batch)
    rows = batch_rows(batch_id)
    done = 0
    for layout in json.loads(batch.sheets):
        done += _fill_sheet(workbook[titles[layout["name"]]], layout,
                            [r for r in rows if r.sheet == layout["name"]])
    save_workbook(workbook, path, "feedback", str(batch_id))
    return done, len(rows)


def _fill_sheet(ws: Worksheet, layout: dict, rows: list[PushedRow]) -> int:
    """One sheet's results, in its own 核查结果/备注 columns or appended, and its print setup;
    returns the rows verified."""
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
        for field, found in (("id_number", row.id_number), ("address", row.address)):
            if field in own and found and _text(ws.cell(row.sheet_row, own[field]).value) != found:
                target = ws.cell(row=row.sheet_row, column=own[field])
                target.value = safe_text(found)
                target.data_type = "s"
                target.number_format = "@"
        if not row.result:
            continue
        done += 1
        result = row.result if "备注" in columns or not row.note else f"{row.result}（{row.note}）"
        values = {"核查结果": result, "备注": row.note, "管控措施": _measure_text(row),
                  "核查人": _clerk(row.verified_by),
                  "核查时间": row.verified_at.strftime("%Y-%m-%d %H:%M") if row.verified_at
                  else ""}
        for title, column in columns.items():
            target = ws.cell(row=row.sheet_row, column=column)
            target.value = safe_text(values[title])
            target.data_type = "s"
            beside = ws.cell(row=row.sheet_row, column=last)
            if column > last and beside.has_style:
                target._style = copy(beside._style)
    _print_setup(ws, header_row, {own[f] for f in ("id_number", "phone") if f in own})
    return done
