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

import functools
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


@dataclass(frozen=True)
class _Patterns:
    """The scans for one sheet, built for the namespace prefix its tags use (<c> or <x:c>):
    a literal start keeps each scan a fast search rather than a try at every "<"."""

    cell_column: re.Pattern[bytes]  # column letters of each cell that holds something
    cell_column_any_space: re.Pattern[bytes]  # the same, attributes parted by tabs or newlines
    filled_row: re.Pattern[bytes]  # number of each row with at least one such cell
    unreferenced: tuple[re.Pattern[bytes], ...]  # a cell or row tag without r="…" (valid, rare)
    token: re.Pattern[bytes]


@functools.lru_cache(maxsize=8)
def _patterns(prefix: bytes) -> _Patterns:
    """Patterns for tags written ``<{prefix}c …>``; an empty formatted cell is self-closed
    (<c r="A6" s="1"/>) and does not count as holding something."""
    p = re.escape(prefix)
    return _Patterns(
        # only a cell's r="…" starts with letters (a row's is a number)
        cell_column=re.compile(rb' r="([A-Z]{1,3})[0-9]{1,7}"[^>/]*>'),
        cell_column_any_space=re.compile(rb'\sr="([A-Z]{1,3})[0-9]{1,7}"[^>/]*>'),
        filled_row=re.compile(rb"<" + p + rb'row\s[^>]*?r="([0-9]{1,7})"[^>/]*>(?:<' + p
                              + rb"c\s[^>]*/>)*<" + p + rb"c\s[^>/]*>"),
        # one pattern per tag: a literal start ("<c", "<row") is searched for in C, where an
        # alternation would try every "<" of the sheet
        unreferenced=tuple(re.compile(rb"<" + p + tag + rb'(?:\s+(?!r=)[\w:]+="[^"]*")*\s*/?>')
                           for tag in (rb"c", rb"row")),
        token=re.compile(rb"<" + p + rb"(row|c)(?=[\s>/])([^>]*)>"),
    )


_PREFIX = re.compile(rb"<(\w+:)?sheetData[\s>/]")
_REF = re.compile(rb'\br="([A-Z]{0,3})([0-9]{0,7})"')
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
    unplaced: bool = False  # some rows or cells were written without a reference (r="…")
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
    patterns = _patterns(b"")
    for n, segment in enumerate(_row_segments(chunks, file_name)):
        if n == 0:  # the dimension and <sheetData> come before the first row
            dimension = _DIMENSION.search(segment)
            if dimension:
                extent.declared = _area(dimension.group(2))
            prefix = _PREFIX.search(segment)
            if prefix:
                extent.prefix = prefix.group(1) or b""
                patterns = _patterns(extent.prefix)
        if any(pattern.search(segment) for pattern in patterns.unreferenced):
            extent.unplaced = True
            placed = _placed_cells(segment, patterns)
            columns = [c for c, _r in placed]
            rows = [r for _c, r in placed]
        else:
            odd_spaces = b'\nr="' in segment or b'\tr="' in segment or b'\rr="' in segment
            columns = (patterns.cell_column_any_space if odd_spaces
                       else patterns.cell_column).findall(segment)
            rows = patterns.filled_row.findall(segment)
        extent.cells += len(columns)
        if extent.cells > MAX_CELLS:
            raise SheetError(f"“{file_name}”的工作表“{sheet}”有超过{MAX_CELLS:,}个单元格，"
                             "超出一次可导入的范围，请拆分成几个文件后再导入")
        for letters, count in Counter(columns).items():
            extent.columns[column_number(letters.decode())] += count
        extent.rows.update(map(int, rows))
    if not extent.cells:
        return extent
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
    return extent


def _area(ref: bytes) -> int:
    """Cells in a range reference such as A1:XFD1048576 (0 when it cannot be read)."""
    match = re.fullmatch(rb"([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?", ref)
    if match is None or match.group(3) is None:
        return 0
    columns = column_number(match.group(3).decode()) - column_number(match.group(1).decode())
    return (abs(columns) + 1) * (abs(int(match.group(4)) - int(match.group(2))) + 1)


def _placed_cells(segment: bytes, patterns: _Patterns) -> list[tuple[bytes, bytes]]:
    """The filled cells of a piece written without some references (r="…"), placed as Excel
    does: a row without one follows the previous row, a cell without one the previous cell, and
    a cell's own reference wins over its row's."""
    cells: list[tuple[bytes, bytes]] = []
    row = column = 0
    for match in patterns.token.finditer(segment):
        ref = _REF.search(match.group(2))
        if match.group(1) == b"row":
            row = int(ref.group(2)) if ref and ref.group(2) else row + 1
            column = 0
            continue
        if ref and ref.group(1):
            column = column_number(ref.group(1).decode())
        else:
            column += 1
        if not match.group(2).endswith(b"/"):
            at = ref.group(2) if ref and ref.group(2) else str(max(row, 1)).encode()
            cells.append((column_letters(column).encode(), at))
    return cells


def _trimmed_sheet(chunks: Iterator[bytes], extent: Extent, file_name: str) -> Iterator[bytes]:
    """The sheet's XML without the far cells, its dimension set to what is left.

    Rows are in ascending order in a sheet, so the rows past the last one kept are cut whole;
    the cells of far columns are found by their references and cut one by one (every cell is
    looked at when some rows had no number, as they cannot be cut whole)."""
    first_column, last_column = extent.keep_columns
    last_row = extent.keep_rows[1]
    ref = f"{column_letters(first_column)}1:{column_letters(last_column)}{last_row}".encode()
    far = sorted((column_letters(c).encode() for c in extent.columns
                  if not first_column <= c <= last_column), key=len, reverse=True)
    if extent.unplaced:
        far_cell: re.Pattern[bytes] | None = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
    else:
        far_cell = re.compile(rb'\sr="(' + b"|".join(far) + rb')([0-9]{1,7})"') if far else None

    def kept(cell: re.Match[bytes]) -> bool:
        return (first_column <= column_number(cell.group(1).decode()) <= last_column
                and int(cell.group(2)) <= last_row)

    row_start = re.compile(rb"<" + re.escape(extent.prefix) + rb'row\s[^>]*?r="([0-9]{1,7})"')
    data_end = b"</" + extent.prefix + b"sheetData>"
    cell_end = b"</" + extent.prefix + b"c>"
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
        if far_cell is None:
            yield segment
            continue
        pieces, position = [], 0
        for cell in far_cell.finditer(segment):
            if cell.start() < position or kept(cell):
                continue
            start = segment.rfind(b"<", 0, cell.start())
            close = segment.find(b">", cell.end())
            end = close + 1 if segment[close - 1:close] == b"/" else (
                segment.find(cell_end, close) + len(cell_end))
            pieces.append(segment[position:start])
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
                sheet = names.get(info.filename, info.filename.rsplit("/", 1)[-1])
                extents[info.filename] = scan_sheet(info.filename, chunks, path.name, sheet)
            else:
                for _chunk in chunks:
                    pass
        for extent in extents.values():
            _list_ignored(extent)
        rewrite = {part: e for part, e in extents.items() if e.rewrite}
        if not rewrite:
            return CheckedFile(path, {})
        return CheckedFile(_rewrite(archive, fh, path.name, rewrite),
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
             trimmed: dict[str, Extent]) -> io.BytesIO:
    """A copy of the workbook's XML parts, the trimmed sheets rewritten; pictures left out."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
        for info in archive.infolist():
            if not info.filename.endswith((".xml", ".rels")):
                continue
            chunks = _inflate(fh, info, file_name, MAX_SHEET_BYTES)
            if info.filename in trimmed:
                chunks = _trimmed_sheet(chunks, trimmed[info.filename], file_name)
            with copy.open(info.filename, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    out.seek(0)
    return out
