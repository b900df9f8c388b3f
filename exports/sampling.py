"""The sampling system's list of who was sampled (核酸采样名单), as xlsx or csv, read into rows
for :func:`db.testing.import_samples`.

An xlsx goes through :mod:`exports.reader` and its checks like every sheet that comes in. A csv
is decoded as UTF-8 (with or without BOM) or, failing that, GB18030 (which reads GBK); every
column is text, so ID numbers keep their digits. Columns vary between systems: they are found by
their header words. An ID number Excel turned into a number or into scientific notation
(3.30102E+17) has lost its last digits: the row is refused, naming its sheet, row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineSheet

from db.testing import (
    ImportResult,
    MarkRow,
    Progress,
    SampleRow,
    Unmatched,
    import_samples,
    read_register_ahead,
)
from exports.reader import (
    HEADER_SCAN_ROWS,
    SheetError,
    _cell,
    _unreadable,
    find_header,
    open_checked,
    read_tables,
)

SYNONYMS: dict[str, Sequence[str]] = {
    "id_number": ("身份证号码", "身份证号", "证件号码", "证件号", "公民身份号码", "身份证"),
    "name": ("姓名", "被采样人", "受检者姓名", "被检人姓名", "受检人"),
    "phone": ("手机号码", "手机号", "联系电话", "电话", "联系方式", "电话号码"),
    "at": ("采样时间", "采集时间", "检测时间", "采样日期"),
}
REQUIRED = ("id_number", "name")
LABELS = {"id_number": "身份证号码", "name": "姓名", "phone": "电话", "at": "采样时间"}
# a list past this size (~75,000 rows) is matched against the whole register, read on a second
# thread while the list is checked and parsed: reading 400,000 residents takes about as long as
# parsing 75,000 rows, and a shorter list's own numbers are quicker to look up
REGISTER_AHEAD_BYTES = 4 * 2**20
CSV_SHEET = ""  # a csv has no sheets: problems name the row only
_SCI = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                 "%Y-%m-%d", "%Y/%m/%d")
_FOOTER = ("合计", "总计", "小计", "填表人", "填报人", "审核人", "制表人", "注：", "说明：")


@dataclass
class SampleList:
    rows: list[SampleRow] = field(default_factory=list)
    refused: list[Unmatched] = field(default_factory=list)  # rows that cannot be read right
    described: str = ""
    sheets: list[str] = field(default_factory=list)  # read, in the file's order


def _id_text(value: object, sheet: str, row: int, column: str, refused: list[Unmatched]
             ) -> str | None:
    """The ID as text, or None (the row refused) when a number has eaten its last digits."""
    if type(value) is str:
        text = value.strip()
        if " " in text or "\u3000" in text:
            text = "".join(text.split())
        if text[-1:] == "x":
            text = text.upper()
        if ("E" in text or "e" in text or "." in text) and (
                _SCI.match(text) or (text.endswith(".0") and text[:-2].isdigit())):
            refused.append(Unmatched(sheet, row, f"“{column}”列的身份证号码“{text}”是科学计数法，"
                                                 "后几位已丢失；请将该列设为文本后重新导出"))
            return None
        return text
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) == 15:
        return str(value)  # 15-digit numbers survive Excel
    refused.append(Unmatched(sheet, row, f"“{column}”列的身份证号码被存成了数字，后几位已丢失；"
                                         "请将该列设为文本后重新导出"))
    return None


def _text(value: object) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _time(value: object) -> str:
    """A sampling time as stored ("2022-04-12 06:30:00"), "" when none can be read."""
    if isinstance(value, dt.datetime):
        return str(value.replace(microsecond=0))
    if isinstance(value, dt.date):
        return f"{value} 00:00:00"
    text = str(value or "").strip()
    if len(text) == 19 and text[4] == "-" and text[10] == " ":
        return text  # already as stored
    for fmt in _TIME_FORMATS:
        try:
            return str(dt.datetime.strptime(text, fmt))
        except ValueError:
            continue
    return ""


def _rows(sheet: str, fields: dict[str, int], headers: Sequence[str],
          data: Iterable[tuple[int, Sequence[object]]], rows: list[SampleRow],
          refused: list[Unmatched]) -> int:
    """Rows of one sheet into ``rows``, or ``refused`` (blank and 合计/填表人 lines skipped);
    returns how many.

    The common row (ID, name and phone as text, the time as a date-time) takes no call beyond
    its checks: this loop runs 300,000 times for one list."""
    id_col = fields.get("id_number")
    name_col, phone_col, at_col = fields.get("name"), fields.get("phone"), fields.get("at")
    id_label = headers[id_col] if id_col is not None else ""
    width = 1 + max(fields.values())
    append = rows.append
    datetime, pad = dt.datetime, [None] * width
    count = 0
    for number, values in data:
        if len(values) < width:
            values = [*values, *pad]
        raw = values[id_col] if id_col is not None else ""
        if type(raw) is str and raw.isascii() and raw.isalnum() and raw[-1:] != "x":
            number_text = raw  # as most lists have it: 18 characters, nothing to clean
        else:
            number_text = _id_text(raw, sheet, number, id_label, refused)
            if number_text is None:
                count += 1
                continue
            if not number_text[:1].isdigit() and _blank_or_footer(values):
                continue
        name = values[name_col] if name_col is not None else ""
        if type(name) is not str:
            name = _text(name)
        phone = values[phone_col] if phone_col is not None else ""
        if type(phone) is not str:
            phone = _text(phone)
        at = values[at_col] if at_col is not None else ""
        if type(at) is datetime:
            at = at.isoformat(" ", "seconds")
        elif at:
            at = _time(at)
        count += 1
        append((sheet, number, number_text, name.strip(), phone.strip(), at or ""))
    return count


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SheetError(f"“{name}”既不是 UTF-8 也不是 GBK/GB18030 编码的 csv 文件"
                         f"（第{line}行无法识别），请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再导入"
                         ) from None


def _blank_or_footer(values: Sequence[object]) -> bool:
    for value in values:
        text = "" if value is None else str(value).strip()
        if text:
            return "".join(text.split()).startswith(_FOOTER)
    return True


def csv_table(path: Path, synonyms: Mapping[str, Sequence[str]], required: Sequence[str],
              words: str) -> tuple[dict[str, int], list[str], list[tuple[int, list[object]]]]:
    """A csv file's (fields, header texts, data rows): encoding detected, header found among
    the first rows, every cell text, blank and 合计/填表人 lines left out."""
    data = path.read_bytes()
    if not data.strip():
        raise SheetError(f"“{path.name}”是空文件")
    text = _decode(data, path.name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    table = [(n, [v or None for v in values])
             for n, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1)]
    found = find_header(table[:HEADER_SCAN_ROWS], synonyms)
    if found is None or not any(name in found[1] for name in required):
        raise SheetError(f"在“{path.name}”的前{HEADER_SCAN_ROWS}行中找不到表头行（应包含{words}等列名）")
    header_row, fields, _unknown = found
    headers = ["" if v is None else str(v).strip() for v in table[header_row - 1][1]]
    return fields, headers, [(n, v) for n, v in table[header_row:] if not _blank_or_footer(v)]


def read_csv(path: Path) -> SampleList:
    """A csv list of the sampled."""
    fields, headers, rows = csv_table(path, SYNONYMS, REQUIRED, "“身份证号码”或“姓名”“手机号”")
    out = SampleList(described=f"已读取“{path.name}”{len(rows)}行", sheets=[CSV_SHEET])
    _rows(CSV_SHEET, fields, headers, rows, out.rows, out.refused)
    return out


def read_xlsx(path: Path, progress: Progress | None = None) -> SampleList:
    """Every visible sheet of an xlsx list with a recognisable header, after the reader's
    checks (see :func:`xlsx_blocks`)."""
    out = SampleList()
    for block in xlsx_blocks(path, progress, out):
        out.rows += block
    return out


def xlsx_blocks(path: Path, progress: Progress | None, out: SampleList
                ) -> Iterator[list[SampleRow]]:
    """The rows of an xlsx list, a block at a time as they are read (a long list is matched
    and written meanwhile); the rows refused, the sheets and what was read go into ``out``.

    Only the needed columns of each row are converted (a list runs to 300,000 rows). Every
    sheet is opened first: if one has merged cells below its header, the whole file is read by
    the general reader, which fills them."""
    skipped: list[str] = []
    with open_checked(path) as (workbook, visible, notes):
        found: list[tuple[str, dict[str, int], list[str], list[tuple[int, list[object]]],
                          Iterator[tuple[int, list[object]]], int]] = []
        for name in visible:
            with _unreadable(f"“{path.name}”的工作表“{name}”无法读取"):
                sheet = workbook.get_sheet_by_name(name)
                rows = _padded(sheet)
                head = [(n, [_cell(v) for v in values]) for n, values in
                        itertools.islice(rows, HEADER_SCAN_ROWS)]
                header = find_header(head, SYNONYMS)
                if header is None or not any(f in header[1] for f in REQUIRED):
                    skipped.append(f"“{name}”（没有表头）")
                    continue
                header_row, fields, _unknown = header
                if any(first >= header_row for (first, _c), _end in
                       sheet.merged_cell_ranges or []):
                    general = _read_general(path)
                    out.refused, out.sheets = general.refused, general.sheets
                    out.described = general.described
                    yield general.rows
                    return
                headers = ["" if v is None else str(v).strip() for v in head[header_row - 1][1]]
                total = (sheet.end or (0, 0))[0] + 1
                found.append((name, fields, headers, head[header_row:], rows, total))
        if not found:
            raise SheetError(f"在“{path.name}”各工作表的前{HEADER_SCAN_ROWS}行中找不到表头行"
                             "（应包含“身份证号码”或“姓名”“手机号”等列名）")
        described: list[str] = []
        for name, fields, headers, first_rows, rows, total in found:
            out.sheets.append(name)
            count = 0
            with _unreadable(f"“{path.name}”的工作表“{name}”无法读取"):
                for chunk in itertools.chain([first_rows], _chunks(rows, total, progress)):
                    block: list[SampleRow] = []
                    count += _rows(name, fields, headers, chunk, block, out.refused)
                    yield block
            described.append(f"“{name}”{count}行")
            if name in notes:
                described.append(notes[name])
    out.described = "已读取工作表" + "、".join(described) + (
        f"；跳过{'、'.join(skipped)}" if skipped else "")


def _chunks(rows: Iterator[tuple[int, list[object]]], total: int,
            progress: Progress | None) -> Iterator[list[tuple[int, list[object]]]]:
    """The rows in chunks of 10,000, telling ``progress`` how far the reading is after each."""
    while chunk := list(itertools.islice(rows, 10_000)):
        yield chunk
        if progress is not None:
            progress("读取", min(chunk[-1][0] / max(total, 1), 1.0))


def _padded(sheet: CalamineSheet) -> Iterator[tuple[int, list[object]]]:
    """(row number, values from column A): calamine starts at the first used column."""
    start = sheet.start
    pad: list[object] = [None] * (start[1] if start else 0)
    if not pad:
        return enumerate(sheet.iter_rows(), start=1)
    return ((n, pad + values) for n, values in enumerate(sheet.iter_rows(), start=1))


def _read_general(path: Path) -> SampleList:
    """The general reader (merged cells filled on every row they cover)."""
    sheets = read_tables(path, SYNONYMS, REQUIRED)
    out = SampleList(described=sheets.describe())
    for table in sheets.tables:
        out.sheets.append(table.sheet_name)
        _rows(table.sheet_name, table.fields, table.headers, table.rows, out.rows, out.refused)
    return out


def read_sample_list(path: Path, progress: Progress | None = None) -> SampleList:
    """The list, by its kind: .csv/.txt as text, anything else as an xlsx (checked as such)."""
    if not path.exists():
        raise SheetError(f"找不到文件“{path}”")
    if path.is_dir():
        raise SheetError(f"“{path}”是文件夹，请选择 .xlsx 或 .csv 文件")
    if path.suffix.lower() in (".csv", ".txt"):
        return read_csv(path)
    return read_xlsx(path, progress)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a list is read and matched: it ran 1,400 times
    over a 300,000-row list's new objects (0.07 s), which hold no cycles."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def import_sample_list(round_id: int, path: Path, dry_run: bool = False,
                       progress: Progress | None = None) -> ImportResult:
    """Read the list and check its rows off (rows refused by the reader count as unmatched),
    the unmatched in the file's order.

    For a long list the whole register is read on a second thread while the list is checked
    and parsed (both let other threads run): matching then costs a dictionary look-up per
    row, and an xlsx list's rows are matched and written as they are read."""
    if progress is not None:
        progress("读取", 0.0)
    long_list = path.is_file() and path.stat().st_size > REGISTER_AHEAD_BYTES
    listed = SampleList()
    with _collector_paused(), ExitStack() as reading:
        with ThreadPoolExecutor(max_workers=1) as pool:
            ahead = read_register_ahead(pool, round_id) if long_list else None
            if ahead is not None and path.suffix.lower() not in (".csv", ".txt"):
                blocks = reading.enter_context(closing(xlsx_blocks(path, progress, listed)))
                first = next(blocks, [])  # the file checked and parsed, the register read
                rows: Iterable[SampleRow] = itertools.chain(first,
                                                            itertools.chain.from_iterable(blocks))
            else:
                listed = read_sample_list(path, progress)
                rows = listed.rows
            register = ahead.result() if ahead is not None else None
        result = import_samples(round_id, rows, dry_run=dry_run, source=path.name,
                                progress=progress, register=register)
    order = {sheet: n for n, sheet in enumerate(listed.sheets)}
    result.unmatched = sorted([*listed.refused, *result.unmatched],
                              key=lambda u: (order.get(u.sheet, 0), u.row))
    return result


MARK_SYNONYMS: dict[str, Sequence[str]] = {
    "id_number": SYNONYMS["id_number"],
    "name": SYNONYMS["name"],
    "away_from": ("外出日期", "外出时间", "离开日期", "外出开始日期"),
    "away_to": ("返回日期", "返回时间", "预计返回日期", "外出结束日期"),
    "immobile": ("行动不便", "是否行动不便", "需上门采样"),
}


def read_marks(path: Path) -> list[MarkRow]:
    """A list marking residents 外出 (from/to) or 行动不便, as xlsx or csv, by ID number."""
    words = "“身份证号码”“外出日期”“行动不便”"
    if path.suffix.lower() in (".csv", ".txt"):
        fields, _headers, rows = csv_table(path, MARK_SYNONYMS, ("id_number",), words)
        tables = [(CSV_SHEET, fields, rows)]
    else:
        sheets = read_tables(path, MARK_SYNONYMS, ("id_number",))
        tables = [(t.sheet_name, t.fields, t.rows) for t in sheets.tables]
    marks: list[MarkRow] = []
    for sheet, fields, rows in tables:
        for number, values in rows:
            cells = {name: values[i] if i < len(values) else None for name, i in fields.items()}
            marks.append(MarkRow(sheet, number, cells.get("id_number"), cells.get("away_from"),
                                 cells.get("away_to"), cells.get("immobile"),
                                 "away_from" in fields or "away_to" in fields,
                                 "immobile" in fields))
    return marks
