"""Reading the sheets villages and the district send: whatever row the header is on, merged
cells filled on every row they cover, blank rows, totals and sign-off lines skipped.

Every visible sheet with a recognisable header is read (:func:`read_tables`); the others are
listed as skipped. Sheets are parsed by python-calamine (Rust): openpyxl's read-only parser builds
an object per cell and was 70% of a 100,000-row import; calamine reads the same sheet ~15× faster.
Calamine only ever sees a workbook :mod:`exports.xlsx_check` has passed (sizes, extent, far cells).
openpyxl is only opened for the rare check of formulas saved without their values, which calamine
cannot see. Every problem with the file itself is a :class:`SheetError` with a Chinese message.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from python_calamine import CalamineSheet, CalamineWorkbook, SheetVisibleEnum

from db.text import plain_text
from exports import xlsx_halves
from exports.xlsx_check import CheckedFile, SheetError, check_workbook

HEADER_SCAN_ROWS = 30
FOOTER_WORDS = ("合计", "总计", "小计", "填表人", "填报人", "审核人", "制表人", "负责人", "注：",
                "注:", "说明：", "备注：", "填报单位", "联系电话：")
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"

Progress = Callable[[float], None]


__all__ = ["SheetError", "Sheets", "Table", "find_header", "header_key", "open_checked",
           "read_table", "read_tables"]
NOT_XLSX = {".ods": "OpenDocument（.ods）", ".xlsb": "Excel 二进制（.xlsb）", ".xls": "旧版 Excel（.xls）",
            ".et": "WPS 表格（.et）", ".numbers": "Numbers"}


@dataclass
class Table:
    """One sheet's header and data rows, with the sheet's own row numbers."""

    file_name: str
    sheet_name: str
    header_row: int
    headers: list[str]
    fields: dict[str, int]  # field name -> column index (0-based)
    unknown: list[str]
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    title: str = ""
    notes: list[str] = field(default_factory=list)  # what the checks left out of this sheet

    def value(self, values: Sequence[object], name: str) -> object:
        index = self.fields.get(name)
        if index is None or index >= len(values):
            return None
        return values[index]


@dataclass
class Sheets:
    """Every sheet of a workbook that has a recognisable header, and the names of the others."""

    tables: list[Table]
    skipped: list[str]  # “名称”（why）

    def describe(self) -> str:
        """One line naming the sheets read and the sheets skipped."""
        read = "、".join(f"“{t.sheet_name}”{len(t.rows)}行" for t in self.tables)
        line = f"已读取工作表{read}"
        return line + (f"；跳过{'、'.join(self.skipped)}" if self.skipped else "")


def header_key(text: object) -> str:
    """How a header cell is compared: half-width, no spaces, no *, no (…) note."""
    key = unicodedata.normalize("NFKC", "" if text is None else str(text))
    key = re.sub(r"\s+|\*", "", key)
    return re.sub(r"\(.*?\)$", "", key)


def _check_file(path: Path) -> None:
    if not path.exists():
        raise SheetError(f"找不到文件“{path}”")
    if path.is_dir():
        raise SheetError(f"“{path}”是文件夹，请选择 .xlsx 文件")
    size = path.stat().st_size
    if size == 0:
        raise SheetError(f"“{path.name}”是空文件")
    with path.open("rb") as fh:
        magic = fh.read(4)
    kind = NOT_XLSX.get(path.suffix.lower())
    if kind:
        raise SheetError(f"“{path.name}”是{kind}文件，请在 Excel/WPS 中另存为 .xlsx 后再导入")
    if magic == OLE_MAGIC:
        raise SheetError(f"“{path.name}”是旧版 Excel（.xls）文件或设置了打开密码，"
                         "请在 Excel 中“另存为”不加密的 .xlsx 文件后再导入")
    if magic != ZIP_MAGIC:
        raise SheetError(f"“{path.name}”不是 Excel（.xlsx）文件（可能是 csv、文本或其他格式），"
                         "请在 Excel 中另存为 .xlsx 后再导入")


def _is_blank(values: Sequence[object]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _is_footer(values: Sequence[object]) -> bool:
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        text = "".join(str(value).split())
        return text.startswith(FOOTER_WORDS)
    return False


def find_header(
    rows: Sequence[tuple[int, Sequence[object]]],
    synonyms: Mapping[str, Sequence[str]],
) -> tuple[int, dict[str, int], list[str]] | None:
    """The row (of the first few) whose cells name the most known columns."""
    lookup = {header_key(s): name for name, words in synonyms.items() for s in words}
    best: tuple[int, dict[str, int], list[str]] | None = None
    for number, values in rows:
        fields: dict[str, int] = {}
        unknown: list[str] = []
        for index, value in enumerate(values):
            key = header_key(value)
            if not key:
                continue
            name = lookup.get(key)
            if name is None:
                unknown.append(str(value).strip())
            elif name not in fields:
                fields[name] = index
        if len(fields) >= 2 and (best is None or len(fields) > len(best[1])):
            best = (number, fields, unknown)
    return best


def read_table(
    path: Path,
    synonyms: Mapping[str, Sequence[str]],
    required: Sequence[str],
    progress: Progress | None = None,
    ignored: Sequence[str] = ("序号",),
) -> Table:
    """The first visible sheet that has a recognisable header row."""
    return read_tables(path, synonyms, required, progress, ignored).tables[0]


@contextmanager
def _unreadable(message: str) -> Iterator[None]:
    """Any error calamine raises, a Rust panic included (pyo3 makes it a PanicException, which
    is a BaseException), becomes one SheetError: ``message`` and the cause."""
    try:
        yield
    except SheetError:
        raise
    except BaseException as exc:
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise  # KeyboardInterrupt, SystemExit
        raise SheetError(f"{message}（{exc}）") from None


def _open(path: Path, halves: bool = False) -> tuple[CalamineWorkbook, CheckedFile]:
    """Calamine over the checked (perhaps trimmed) workbook, and the check's result; with
    ``halves``, a long sheet is read in halves where it can be (:mod:`exports.xlsx_halves`)."""
    checked = check_workbook(path, xlsx_halves.HALVE_BYTES if halves else None)
    if checked.parts:
        book = xlsx_halves.halved(path, checked.parts, checked.sheet_part,
                                 CalamineWorkbook.from_path)
        checked.parts = {}
        if book is not None:
            return cast(CalamineWorkbook, book), checked
    try:
        with _unreadable(f"“{path.name}”已损坏或不是有效的 .xlsx 文件"):
            if isinstance(checked.source, Path):
                return CalamineWorkbook.from_path(checked.source), checked
            return CalamineWorkbook.from_filelike(checked.source), checked
    except SheetError as exc:
        if "detect file format" in str(exc):
            raise SheetError(f"“{path.name}”不是 Excel（.xlsx）文件（可能是 Word 文档或其他压缩包），"
                             "请在 Excel 中另存为 .xlsx 后再导入") from None
        raise


@contextmanager
def _opened(path: Path, halves: bool = False
            ) -> Iterator[tuple[CalamineWorkbook, list[str], list[str], CheckedFile]]:
    """The checked workbook open in calamine, the names of all its sheets and of the visible
    ones, and the check's result; closed on leaving. ``halves``: see :func:`_open`."""
    _check_file(path)
    if not zipfile.is_zipfile(path):
        raise SheetError(f"“{path.name}”已损坏或不是有效的 .xlsx 文件")
    workbook, checked = _open(path, halves)
    try:
        with _unreadable(f"“{path.name}”已损坏或不是有效的 .xlsx 文件"):
            metadata = list(workbook.sheets_metadata)
        visible = [m.name for m in metadata if m.visible == SheetVisibleEnum.Visible]
        if not visible:
            raise SheetError(f"“{path.name}”中没有工作表")
        yield workbook, [m.name for m in metadata], visible, checked
    finally:
        workbook.close()


@contextmanager
def open_checked(path: Path
                 ) -> Iterator[tuple[CalamineWorkbook, list[str], dict[str, str]]]:
    """The workbook as calamine reads it after every check :func:`read_tables` makes (file
    kind, zip, sizes, extent), the names of its visible sheets and what the checks left out of
    each; closed on leaving. For a reader that needs only a few columns of a long sheet and
    makes its own conversions: a long sheet may be read in halves (:mod:`exports.xlsx_halves`),
    whose joined sheet offers ``start``, ``end``, ``merged_cell_ranges`` and ``iter_rows``."""
    with _opened(path, halves=True) as (workbook, _names, visible, checked):
        yield workbook, visible, dict(checked.notes)


def read_tables(
    path: Path,
    synonyms: Mapping[str, Sequence[str]],
    required: Sequence[str],
    progress: Progress | None = None,
    ignored: Sequence[str] = ("序号",),
) -> Sheets:
    """Read every visible sheet that has a recognisable header row, in the workbook's order."""
    with _opened(path) as (workbook, names, visible, checked):
        skipped = [f"“{name}”（隐藏）" for name in names if name not in visible]
        ignore_keys = {header_key(i) for i in ignored}
        tables: list[Table] = []
        for n, name in enumerate(visible):
            part = _part_progress(progress, n, len(visible))
            with _unreadable(f"“{path.name}”的工作表“{name}”无法读取"):
                sheet = workbook.get_sheet_by_name(name)
                table = _read_sheet(path.name, sheet, synonyms, required, part, ignore_keys)
            if table is None:
                skipped.append(f"“{name}”（没有表头）")
                continue
            if name in checked.notes:
                table.notes.append(checked.notes[name])
            _refuse_uncalculated(path, checked.source, table, required)
            tables.append(table)
        if not tables:
            words = "、".join(f"“{w}”" for w in synonyms[required[0]][:3])
            raise SheetError(
                f"在工作表{'、'.join(visible)}的前{HEADER_SCAN_ROWS}行中找不到表头行"
                f"（应包含{words}等列名）"
            )
        return Sheets(tables, skipped)


def _part_progress(progress: Progress | None, n: int, count: int) -> Progress | None:
    """Progress of sheet ``n`` of ``count`` as a share of the whole workbook."""
    if progress is None:
        return None
    return lambda fraction: progress((n + fraction) / count)


def _refuse_uncalculated(path: Path, source: Path | io.BytesIO, table: Table,
                         required: Sequence[str]) -> None:
    """Formulas saved without their values read as empty; say so instead of rejecting rows."""
    sample = table.rows[:20]
    if any(table.value(v, name) not in (None, "") for _n, v in sample for name in required):
        return
    from openpyxl import load_workbook

    try:
        if not isinstance(source, Path):
            source.seek(0)
        workbook = load_workbook(source, read_only=True, data_only=False)
    except Exception:  # not an xlsx openpyxl knows (.ods, .xlsb): nothing more to say
        return
    try:
        ws = workbook[table.sheet_name]
        first = table.header_row + 1
        for row in ws.iter_rows(min_row=first, max_row=first + 20, values_only=True):
            if any(isinstance(v, str) and v.startswith("=") for v in row):
                raise SheetError(f"“{path.name}”的工作表“{table.sheet_name}”中是公式而不是数值"
                                 "（文件未经 Excel 计算保存），请在 Excel 中打开后“另存为”，"
                                 "或把公式列“选择性粘贴为数值”后再导入")
    finally:
        workbook.close()


def _cell(value: object) -> object:
    """Calamine's cell as the rest of eprc expects it: blank is None, 3.0 is 3, text plain
    (no control or format characters: Excel stores ESC as _x001B_, which calamine decodes)."""
    if value == "":
        return None
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is str:
        return plain_text(value) or None
    return value


def _sheet_rows(sheet: CalamineSheet) -> Iterator[tuple[int, list[object]]]:
    """(sheet row number, values from column A) for every row up to the last used one.

    Calamine yields rows from row 1 but columns only from the first used one; pad them back.
    Each cell is :func:`_cell`, written out in the loop: a call per cell was a fifth of reading
    a 100,000-row sheet."""
    start = sheet.start
    pad: list[object] = [None] * (start[1] if start else 0)
    for number, values in enumerate(sheet.iter_rows(), start=1):
        yield number, pad + [
            (None if v == "" else v if v.isprintable() else plain_text(v) or None)
            if type(v) is str else
            (int(v) if type(v) is float and v.is_integer() else v)
            for v in values]


def _read_sheet(file_name, sheet, synonyms, required, progress, ignore_keys) -> Table | None:
    rows = _sheet_rows(sheet)
    head: list[tuple[int, Sequence[object]]] = []
    for number, values in rows:
        head.append((number, values))
        if number >= HEADER_SCAN_ROWS:
            break
    fill: dict[tuple[int, int], tuple[int, int]] = {}
    for (min_row, min_col), (max_row, max_col) in sheet.merged_cell_ranges or []:
        for r in range(min_row + 1, max_row + 2):
            for c in range(min_col, max_col + 1):
                if (r, c) != (min_row + 1, min_col):
                    fill[(r, c)] = (min_row + 1, min_col)
    anchors: dict[tuple[int, int], object] = {}
    anchor_cells = set(fill.values())

    def filled(number: int, values: Sequence[object]) -> list[object]:
        out = list(values)
        for index, value in enumerate(out):
            if (number, index) in anchor_cells:
                anchors[(number, index)] = value
            if value is None and (number, index) in fill:
                out[index] = anchors.get(fill[(number, index)])
        return out

    head = [(n, filled(n, v)) for n, v in head]
    found = find_header(head, synonyms)
    if found is None:
        return None
    header_row, fields, unknown = found
    if not any(name in fields for name in required):
        return None
    headers = ["" if v is None else str(v).strip() for v in head[header_row - 1][1]]
    title = next((str(v).strip() for n, vals in head[: header_row - 1] for v in vals
                  if v not in (None, "")), "")
    table = Table(file_name, sheet.name, header_row, headers, fields,
                  [u for u in unknown if header_key(u) not in ignore_keys], title=title)
    total = (sheet.end or (0, 0))[0] + 1
    width = len(headers)

    def keep(number: int, values: list[object]) -> None:
        if len(values) < width:
            values = values + [None] * (width - len(values))
        if number <= header_row or _is_blank(values) or _is_footer(values):
            return
        table.rows.append((number, values))

    for number, values in head:
        keep(number, values)
    for number, values in rows:
        keep(number, filled(number, values) if fill else values)
        if progress and number % 5000 == 0 and total:
            progress(min(number / total, 1.0))
    if progress:
        progress(1.0)
    return table
