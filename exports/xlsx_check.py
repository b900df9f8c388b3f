"""Checking an .xlsx before the sheet reader sees it: the real uncompressed size of every zip
member (zip bombs), each sheet's declared dimension and real extent, and stray far-away cells.

python-calamine builds the dense rectangle of a sheet: one value in XFD5 of a 2,000-row sheet
costs it a gigabyte, and a failed allocation aborts the process. So every member is inflated here
first, in chunks, counting what really comes out (a member that inflates past what it declares is
refused), and every sheet's XML is scanned with a regular expression for the cells that hold
something. Cells far away from the table (a gap of more than :data:`GAP_COLUMNS` columns, or of
:data:`GAP_ROWS` rows when the sheet would otherwise be too big) are left out of a rewritten copy
of the workbook, which is what the reader then opens; the clerk is told which cells were ignored.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from db.validate import Invalid

MAX_SHEET_BYTES = 128 * 2**20  # one sheet's XML: a 100,000-row register is ~80 MB
MAX_MEMBER_BYTES = 64 * 2**20  # any other part (shared strings, styles…)
MAX_TOTAL_BYTES = 256 * 2**20
MAX_ROW_BYTES = 32 * 2**20  # one row's XML
MAX_MEMBERS = 10_000
MAX_INDEX_BYTES = 16 * 2**20  # workbook.xml and its relationships
MAX_CELLS = 3_000_000  # filled cells, and rows × columns of the rectangle the reader builds
GAP_COLUMNS = 64
GAP_ROWS = 10_000
CHUNK = 2**20
SHEET_PART = re.compile(r"^xl/worksheets/[^/]+\.xml$")


# A tag named row or c, whatever its namespace prefix (calamine goes by the local name: <y:c> is
# a cell even under an unprefixed <sheetData>), its attributes read quote by quote (a ">" or "/"
# inside a value does not end the tag, as it does not for calamine)
_TAG = re.compile(rb"""<(?:[\w.-]+:)?(row|c)(?=[\s>/])((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_R = re.compile(rb"""(?:^|\s)r\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,20})")
_CELL_END = re.compile(rb"</(?:[\w.-]+:)?c\s*>")
# How Excel, WPS, openpyxl and xlsxwriter write cells and rows: r="…" first, in capitals
_ATTRIBUTES = rb'(?: (?:s|t|cm|vm|ph)="[^"<>]*")* ?'
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"' + _ATTRIBUTES + rb"(/?)>")
_ODD_CELL = re.compile(rb'<c(?=[\s>/])(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}"' + _ATTRIBUTES + rb"/?>)")
_ODD_ROW = re.compile(rb'<row(?=[\s>/])(?! r="[1-9][0-9]{0,6}")')
_LAST_ROW = re.compile(rb'<row r="([0-9]+)"')
_PREFIX = re.compile(rb"<(\w+:)?sheetData[\s>/]")
_DIMENSION = re.compile(rb'<((?:\w+:)?dimension)\s+ref="([^"]*)"\s*/>')


class SheetError(Invalid):
    """The file cannot be read as the expected sheet; ``str()`` says why, in Chinese."""


def column_number(letters: str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class Extent:
    """Where a sheet's filled cells are, and which part of it the reader gets."""

    part: str
    declared: int = 0  # cells in the dimension the sheet claims (<dimension ref="A1:XFD1048576"/>)
    prefix: bytes = b""  # the namespace prefix of its tags (b"x:" for <x:c>), usually none
    cells: int = 0
    columns: Counter[int] = field(default_factory=Counter)
    rows: Counter[int] = field(default_factory=Counter)
    keep_columns: tuple[int, int] = (1, 1)
    keep_rows: tuple[int, int] = (1, 1)
    ignored: list[str] = field(default_factory=list)

    @property
    def trimmed(self) -> bool:
        return bool(self.ignored)

    @property
    def rewrite(self) -> bool:
        """Far cells to leave out, or a claimed dimension no reader should trust: calamine
        ignores it, but openpyxl (the formula check) sizes its rows by it."""
        return self.trimmed or self.declared > MAX_CELLS

    def note(self) -> str:
        """What the clerk is told about the cells left out."""
        shown = "、".join(self.ignored[:5]) + ("等" if len(self.ignored) > 5 else "")
        return f"远离表格的单元格（{shown}）已忽略"


@dataclass
class CheckedFile:
    """A workbook that passed the checks: the file itself, or a trimmed copy in memory."""

    source: Path | io.BytesIO
    notes: dict[str, str]  # sheet name -> what was ignored in it


def _bomb(name: str) -> SheetError:
    return SheetError(f"“{name}”解压后大小异常（疑似“压缩炸弹”或已损坏），已拒绝导入；"
                      "请在 Excel 中打开并另存为新的 .xlsx 后再导入")


def _is_sheet(name: str, sheets: dict[str, str]) -> bool:
    return name in sheets or SHEET_PART.match(name) is not None


def _sheet_name(part: str, names: dict[str, str]) -> str:
    return names.get(part, part.rsplit("/", 1)[-1])


def _inflate(fh: BinaryIO, info: zipfile.ZipInfo, file_name: str,
             cap: int = MAX_MEMBER_BYTES) -> Iterator[bytes]:
    """The member's bytes in chunks, refusing it as soon as it inflates past its declared size
    (or ``cap``)."""
    if info.flag_bits & 0x1:
        raise SheetError(f"“{file_name}”设置了密码，请在 Excel 中取消密码并另存为 .xlsx 后再导入")
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise SheetError(f"“{file_name}”已损坏或不是有效的 .xlsx 文件")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    fh.seek(info.header_offset + 30 + name_length + extra_length)
    limit = min(info.file_size, cap)
    left = info.compress_size
    produced = 0
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size > limit:
            raise _bomb(file_name)
        while left:
            data = fh.read(min(CHUNK, left))
            if not data:
                raise SheetError(f"“{file_name}”已损坏（文件不完整）")
            left -= len(data)
            yield data
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise SheetError(f"“{file_name}”使用了不支持的压缩方式，请在 Excel 中另存为 .xlsx 后再导入")
    inflater = zlib.decompressobj(-15)
    pending = b""
    while not inflater.eof:
        if not pending:
            if not left:
                break
            pending = fh.read(min(CHUNK, left))
            if not pending:
                raise SheetError(f"“{file_name}”已损坏（文件不完整）")
            left -= len(pending)
        try:
            data = inflater.decompress(pending, CHUNK)
        except zlib.error:
            raise SheetError(f"“{file_name}”已损坏（压缩数据有误）") from None
        pending = inflater.unconsumed_tail
        produced += len(data)
        if produced > limit:
            raise _bomb(file_name)
        if data:
            yield data


def _row_segments(chunks: Iterator[bytes], file_name: str) -> Iterator[bytes]:
    """The XML cut after ``</row>`` tags, so no cell is ever split between two pieces."""
    carry = b""
    for chunk in chunks:
        carry += chunk
        if len(carry) > MAX_ROW_BYTES:
            raise _bomb(file_name)
        # "<" cannot appear unescaped in text, so "</row>" or "</x:row>" always ends a row
        end = max(carry.rfind(b"</row>"), carry.rfind(b":row>"))
        if end >= 0:
            cut = carry.index(b">", end) + 1
            yield carry[:cut]
            carry = carry[cut:]
    if carry:
        yield carry


def _clusters(counts: Counter[int], gap: int) -> list[tuple[int, int, int]]:
    """(first, last, filled cells) of each run of numbers no more than ``gap`` apart."""
    runs: list[tuple[int, int, int]] = []
    for number in sorted(counts):
        if runs and number - runs[-1][1] <= gap:
            first, _last, total = runs[-1]
            runs[-1] = (first, number, total + counts[number])
        else:
            runs.append((number, number, counts[number]))
    return runs


def _densest(counts: Counter[int], gap: int) -> tuple[int, int]:
    first, last, _total = max(_clusters(counts, gap), key=lambda run: run[2])
    return first, last


def scan_sheet(part: str, chunks: Iterator[bytes], file_name: str, sheet: str) -> Extent:
    """Find the filled cells of one sheet's XML and decide which of them the reader gets."""
    extent = Extent(part)
    placer = _Placer(file_name, sheet)
    for n, segment in enumerate(_row_segments(chunks, file_name)):
        if n == 0:  # the dimension and <sheetData> come before the first row
            _head(extent, segment)
        _count(extent, placer.filled(segment), file_name, sheet)
    _decide(extent, file_name, sheet)
    return extent


def _head(extent: Extent, segment: bytes) -> None:
    dimension = _DIMENSION.search(segment)
    if dimension:
        extent.declared = _area(dimension.group(2))
    prefix = _PREFIX.search(segment)
    if prefix:
        extent.prefix = prefix.group(1) or b""


def _too_many(file_name: str, sheet: str) -> SheetError:
    return SheetError(f"“{file_name}”的工作表“{sheet}”有超过{MAX_CELLS:,}个单元格，"
                      "超出一次可导入的范围，请拆分成几个文件后再导入")


def _count(extent: Extent, filled: tuple[int, Counter[int], Counter[int]], file_name: str,
           sheet: str) -> None:
    cells, columns, rows = filled
    extent.cells += cells
    if extent.cells > MAX_CELLS:
        raise _too_many(file_name, sheet)
    extent.columns.update(columns)
    extent.rows.update(rows)


def _decide(extent: Extent, file_name: str, sheet: str) -> None:
    """The columns and rows the reader gets, or the sheet refused."""
    if not extent.cells:
        return
    extent.keep_columns = _densest(extent.columns, GAP_COLUMNS)
    extent.keep_rows = (1, max(extent.rows, default=1))
    width = extent.keep_columns[1]  # the reader pads columns back from A
    if extent.keep_rows[1] * width > MAX_CELLS:
        extent.keep_rows = (1, _densest(extent.rows, GAP_ROWS)[1])
    if extent.keep_rows[1] * width > MAX_CELLS:
        raise SheetError(f"“{file_name}”的工作表“{sheet}”有{extent.keep_rows[1]:,}行、"
                         f"{width:,}列，超出一次可导入的范围，请拆分成几个文件后再导入")
    first, last = extent.keep_columns
    kept = sum(n for column, n in extent.columns.items() if first <= column <= last)
    if kept > len(extent.rows) * (last - first + 1):
        raise SheetError(f"“{file_name}”的工作表“{sheet}”已损坏（同一单元格出现多次），"
                         "请在 Excel 中打开并另存为 .xlsx 后再导入")


def _plain(segment: bytes) -> bool:
    """Whether every cell and row tag in ``segment`` is written the plain way, unprefixed."""
    return (b":c" not in segment and b":row" not in segment
            and _ODD_CELL.search(segment) is None and _ODD_ROW.search(segment) is None)


class _Placer:
    """Places cells as calamine does: by the cell's own reference (r="…", any case, either
    quote) when it has one, whatever its row's says; a cell without one follows the previous
    cell, a row without one the previous row. Its state runs on from one piece to the next."""

    def __init__(self, file_name: str, sheet: str) -> None:
        self.file_name, self.sheet = file_name, sheet
        self.row = self.column = 0

    def _reference(self, attributes: bytes) -> bytes | None:
        found = _R.findall(attributes)
        if len(found) > 1:
            raise self.broken("同一单元格写了两个位置")
        if not found:
            return None
        double, single = found[0]
        return double or single

    def broken(self, why: str) -> SheetError:
        return SheetError(f"“{self.file_name}”的工作表“{self.sheet}”已损坏（{why}），"
                          "请在 Excel 中打开并另存为 .xlsx 后再导入")

    def place(self, tag: re.Match[bytes]) -> tuple[int, int] | None:
        """(column, row) of a cell tag; None for a row tag."""
        reference = self._reference(tag.group(2))
        if tag.group(1) == b"row":
            if reference is None:
                self.row += 1
            elif reference.strip().isdigit():
                self.row = int(reference)
            else:
                raise self.broken(f"行号“{reference.decode('utf-8', 'replace')}”无法识别")
            self.column = 0
            return None
        if reference is None:
            self.column += 1
            return self.column, max(self.row, 1)
        cell = _CELL_REF.fullmatch(reference)
        if cell is None:
            raise self.broken(f"单元格位置“{reference.decode('utf-8', 'replace')}”无法识别")
        self.column = column_number(cell.group(1).upper().decode())
        return self.column, int(cell.group(2))

    def filled(self, segment: bytes) -> tuple[int, Counter[int], Counter[int]]:
        """How many cells in ``segment`` hold something (an empty formatted cell is self-closed,
        <c r="A6" s="1"/>, and calamine does not count it), and how many in each column and row."""
        if _plain(segment):  # one pattern over the cells, no look at each tag
            last_row = segment.rfind(b"<row ")
            if last_row >= 0:
                self.row = int(_LAST_ROW.match(segment, last_row).group(1))
            found = [(letters, row) for letters, row, closed in _PLAIN_CELL.findall(segment)
                     if not closed]
            columns = Counter(letters for letters, _row in found)
            rows = Counter(row for _letters, row in found)
            return (len(found), Counter({column_number(k.decode()): n for k, n in columns.items()}),
                    Counter({int(k): n for k, n in rows.items()}))
        cells = []
        for tag in _TAG.finditer(segment):
            at = self.place(tag)
            if at is not None and not tag.group(2).endswith(b"/"):
                cells.append(at)
        return (len(cells), Counter(column for column, _row in cells),
                Counter(row for _column, row in cells))


def _area(ref: bytes) -> int:
    """Cells in a range reference such as A1:XFD1048576 (0 when it cannot be read)."""
    match = re.fullmatch(rb"([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?", ref)
    if match is None or match.group(3) is None:
        return 0
    columns = column_number(match.group(3).decode()) - column_number(match.group(1).decode())
    return (abs(columns) + 1) * (abs(int(match.group(4)) - int(match.group(2))) + 1)


def _trimmed_sheet(chunks: Iterator[bytes], extent: Extent, file_name: str,
                   sheet: str) -> Iterator[bytes]:
    """The sheet's XML without the far cells, its dimension set to what is left.

    Rows are in ascending order in a sheet, so the rows past the last one kept are cut whole;
    every cell left is placed as the scan placed it and cut when it lies outside."""
    first_column, last_column = extent.keep_columns
    last_row = extent.keep_rows[1]
    ref = f"{column_letters(first_column)}1:{column_letters(last_column)}{last_row}".encode()
    placer = _Placer(file_name, sheet)
    row_start = re.compile(rb"<" + re.escape(extent.prefix) + rb'row\s[^>]*?r="([0-9]{1,7})"')
    data_end = b"</" + extent.prefix + b"sheetData>"
    dropping = False
    for segment in _row_segments(chunks, file_name):
        if dropping:
            end = segment.find(data_end)
            if end < 0:
                continue
            segment, dropping = segment[end:], False
        else:
            for row in row_start.finditer(segment):
                if int(row.group(1)) > last_row:
                    end = segment.find(data_end, row.start())
                    dropping = end < 0
                    segment = segment[:row.start()] + (b"" if dropping else segment[end:])
                    break
        segment = _DIMENSION.sub(lambda m: b"<" + m.group(1) + b' ref="' + ref + b'"/>', segment)
        pieces, position = [], 0
        for tag in _TAG.finditer(segment):
            at = placer.place(tag)
            if at is None or tag.start() < position or (
                    first_column <= at[0] <= last_column and at[1] <= last_row):
                continue
            end = tag.end()
            if not tag.group(2).endswith(b"/"):
                close = _CELL_END.search(segment, end)
                if close is None:
                    raise placer.broken("单元格没有结束标记")
                end = close.end()
            pieces.append(segment[position:tag.start()])
            position = end
        pieces.append(segment[position:])
        yield b"".join(pieces)


def _attribute(name: bytes, attributes: bytes) -> bytes | None:
    found = re.search(rb"(?:^|\s)" + name + rb'="([^"]*)"', attributes)
    return found.group(1) if found else None


def _sheet_names(archive: zipfile.ZipFile, fh: BinaryIO, file_name: str) -> dict[str, str]:
    """Sheet part (xl/worksheets/sheet1.xml) -> the sheet's name on its tab."""

    def text(part: str) -> bytes:
        try:
            info = archive.getinfo(part)
        except KeyError:
            return b""
        if info.file_size > MAX_INDEX_BYTES:
            raise _bomb(file_name)
        return b"".join(_inflate(fh, info, file_name))

    targets: dict[bytes | None, bytes | None] = {}
    for match in re.finditer(rb"<(?:\w+:)?Relationship\s([^>]*)>", text("xl/_rels/workbook.xml.rels")):
        targets[_attribute(rb"Id", match.group(1))] = _attribute(rb"Target", match.group(1))
    names: dict[str, str] = {}
    for match in re.finditer(rb"<(?:\w+:)?sheet\s([^>]*)>", text("xl/workbook.xml")):
        name = _attribute(rb"name", match.group(1))
        target = targets.get(_attribute(rb"\w+:id", match.group(1)))
        if name is not None and target:
            part = target.decode("utf-8", "replace").lstrip("/")
            part = part if part.startswith("xl/") else f"xl/{part}"
            names[part] = html.unescape(name.decode("utf-8", "replace"))
    return names


def check_workbook(path: Path) -> CheckedFile:
    """Check ``path`` (already known to be a zip) and return what the reader should open."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise SheetError(f"“{path.name}”已损坏或不是有效的 .xlsx 文件（{exc}）") from None
    with archive, path.open("rb") as fh:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
            raise _bomb(path.name)
        if "xl/workbook.xml" not in archive.namelist():
            raise SheetError(f"“{path.name}”不是 Excel（.xlsx）文件（可能是 Word 文档或其他压缩包），"
                             "请在 Excel 中另存为 .xlsx 后再导入")
        names = _sheet_names(archive, fh, path.name)
        caps = {i.filename: MAX_SHEET_BYTES if _is_sheet(i.filename, names) else MAX_MEMBER_BYTES
                for i in infos}
        if any(i.file_size > caps[i.filename] for i in infos):
            raise _bomb(path.name)
        extents: dict[str, Extent] = {}
        for info in infos:
            chunks = _inflate(fh, info, path.name, caps[info.filename])
            if _is_sheet(info.filename, names):
                extents[info.filename] = scan_sheet(info.filename, chunks, path.name,
                                                    _sheet_name(info.filename, names))
            else:
                for _chunk in chunks:
                    pass
        for extent in extents.values():
            _list_ignored(extent)
        rewrite = {part: e for part, e in extents.items() if e.rewrite}
        if not rewrite:
            return CheckedFile(path, {})
        return CheckedFile(_rewrite(archive, fh, path.name, rewrite, names),
                           {names.get(part, part): e.note() for part, e in rewrite.items()
                            if e.trimmed})


def _list_ignored(extent: Extent) -> None:
    """The columns and rows with filled cells outside what the reader gets."""
    outside_columns = [c for c in extent.columns
                       if not extent.keep_columns[0] <= c <= extent.keep_columns[1]]
    outside_rows = [r for r in extent.rows if r > extent.keep_rows[1]]
    extent.ignored = [f"{column_letters(c)}列" for c in sorted(outside_columns)]
    extent.ignored += [f"第{r}行" for r in sorted(outside_rows)]


def _rewrite(archive: zipfile.ZipFile, fh: BinaryIO, file_name: str,
             trimmed: dict[str, Extent], names: dict[str, str]) -> io.BytesIO:
    """A copy of the workbook's XML parts, the trimmed sheets rewritten; pictures left out."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
        for info in archive.infolist():
            if not info.filename.endswith((".xml", ".rels")):
                continue
            chunks = _inflate(fh, info, file_name, MAX_SHEET_BYTES)
            if info.filename in trimmed:
                chunks = _trimmed_sheet(chunks, trimmed[info.filename], file_name,
                                        _sheet_name(info.filename, names))
            with copy.open(info.filename, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    out.seek(0)
    return out
