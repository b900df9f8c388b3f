"""Checking an .xlsx before the sheet reader sees it: the real uncompressed size of every zip
member (zip bombs), each sheet's declared dimension and real extent, and stray far-away cells.

python-calamine builds the dense rectangle of a sheet: one value in XFD5 of a 2,000-row sheet
costs it a gigabyte, and a failed allocation aborts the process. So every member is inflated here
first, in chunks, counting what really comes out (a member that inflates past what it declares is
refused), and every sheet's cells are placed as calamine places them (by each cell's own
r="…"). Cells far away from the table (a gap of more than :data:`GAP_COLUMNS` columns, or of
:data:`GAP_ROWS` rows when the sheet would otherwise be too big) are left out of a rewritten copy
of the workbook, which is what the reader then opens; the clerk is told which cells were ignored.

Most sheets are proved clean without placing each cell (:func:`_fast`: byte counts and one search
per piece, about a third of calamine's own read); whatever that cannot prove goes through the
full scan, which decides alone."""

from __future__ import annotations

import functools
import html
import io
import itertools
import re
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from db.validate import Invalid

MAX_SHEET_BYTES = 128 * 2**20  # one sheet's XML: a 100,000-row register is ~80 MB
MAX_MEMBER_BYTES = 64 * 2**20  # any other part (shared strings, styles…)
MAX_TOTAL_BYTES = 256 * 2**20
MAX_MEMBERS = 10_000
MAX_INDEX_BYTES = 16 * 2**20  # workbook.xml and its relationships
MAX_CELLS = 3_000_000  # filled cells, and rows × columns of the rectangle the reader builds
GAP_COLUMNS = 64
GAP_ROWS = 10_000
CHUNK = 2**21  # most bytes handed on at once
SLICE = 2**22  # the unit of rows × columns, and of one pattern's findings (see _fast)
READ = 2**16  # compressed bytes fed to zlib at once: its unconsumed tail, copied on every
# call, stays small (1 MB of input made inflating 105 MB take 0.29 s of CPU, 64 KB 0.19 s)
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
_FAST_REF = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"')
_FAST_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})')
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
    fast: bool = False  # proved by _fast, without placing each cell
    plain: bool = False  # every cell tag written the plain way (see _plain)
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
    parts: dict[str, bytes] = field(default_factory=dict)  # see check_workbook's ``keep``
    sheet_part: str = ""  # the one sheet among ``parts``


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
            pending = fh.read(min(READ, left))
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


def _whole(chunks: Iterator[bytes], size: int) -> bytearray:
    """A sheet's XML in one buffer of the ``size`` its member declares (_inflate refuses more
    and keeps it under MAX_SHEET_BYTES; growing a buffer instead cost 0.1 s a 100 MB sheet).
    Pieces cut after "</row>" could split a tag: calamine takes "<" and "</row>" inside a value
    as text."""
    xml = bytearray(size)
    end = 0
    for chunk in chunks:
        xml[end:end + len(chunk)] = chunk
        end += len(chunk)
    del xml[end:]
    return xml


def _slices(xml: bytearray, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(from, to) of consecutive pieces of ``xml[start:end]``, each about SLICE bytes and ending
    after a "</row>" (which may lie inside a value: whoever reads a piece must allow for that)."""
    while start < end:
        cut = xml.find(b"</row>", min(start + SLICE, end), end)
        stop = end if cut < 0 else cut + len(b"</row>")
        yield start, stop
        start = stop


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


def scan_sheet(part: str, inflate: Callable[[], Iterator[bytes]], size: int, file_name: str,
               sheet: str) -> Extent:
    """Find the filled cells of one sheet's XML (``size`` bytes at most, each ``inflate()``
    giving it afresh) and decide which of them the reader gets."""
    extent = Extent(part)
    if _fast(extent, inflate()):
        return extent
    xml = _whole(inflate(), size)
    _head(extent, xml)
    slices = list(_slices(xml, 0, len(xml)))
    extent.plain = all(_plain(xml, start, end) for start, end in slices)
    if extent.plain:
        for start, end in slices:  # one pattern over the cells, no look at each tag
            _count(extent, _plain_cells(xml, start, end), file_name, sheet)
    else:
        _count(extent, _Placer(file_name, sheet).filled(xml), file_name, sheet)
    _decide(extent, file_name, sheet)
    return extent


def _head(extent: Extent, xml: bytes | bytearray) -> None:
    prefix = _PREFIX.search(xml)
    if prefix:
        extent.prefix = prefix.group(1) or b""
    dimension = _DIMENSION.search(xml, 0, prefix.start() if prefix else len(xml))
    if dimension:
        extent.declared = _area(dimension.group(2))


Segment = tuple[bytes, int, int]  # bytes, and from where to where in them


def _pieces(chunks: Iterator[bytes]) -> Iterator[list[Segment]]:
    """The XML as inflated, in pieces of about SLICE bytes, each a list of segments read where
    they lie: every chunk from its first "</row>" to its last one, led by the row cut between it
    and the chunk before (a small copy). A chunk without "</row>" is held over."""
    piece: list[Segment] = []
    size = 0
    carry = b""
    for chunk in chunks:
        first, last = chunk.find(b"</row>"), chunk.rfind(b"</row>")
        if first < 0:
            carry += chunk
            if len(carry) < SLICE:
                continue
            piece.append((carry, 0, len(carry)))
            size += len(carry)
            carry = b""
        else:
            first, last = first + len(b"</row>"), last + len(b"</row>")
            lead = carry + chunk[:first]
            piece += [(lead, 0, len(lead)), (chunk, first, last)]
            size += len(lead) + last - first
            carry = chunk[last:]
        if size >= SLICE:
            yield piece
            piece, size = [], 0
    if carry:
        piece.append((carry, 0, len(carry)))
    if piece:
        yield piece


def _fast(extent: Extent, chunks: Iterator[bytes]) -> bool:
    """Prove, without placing each cell, that the reader can have the whole sheet as it is; or
    leave it to the full scan (False). Proved when, inside <sheetData> (and no cell or row tag
    outside it, no tab or line break, no prefixed ":c" tag inside):

    - every "<c" starts a cell written <c r="… (the counts of both agree);
    - every r attribute led by a space names one of the columns the first cells use (no more
      than GAP_COLUMNS apart) and, in each piece of about SLICE bytes, a row between the
      piece's first and last cells' rows; but a row's own (calamine does not need it when every
      cell has its own): so whichever r="…" of a cell calamine takes (the last), it is near,
      and none is lower-case, quoted otherwise or far;
    - pieces follow each other in rows and hold no more cells than their rows × columns (more
      means a cell written twice), and rows × the last column stay within MAX_CELLS. Unlike the
      full scan, which counts the distinct rows, this does not see rows overwritten by copies
      of others inside one piece without more cells: calamine then keeps the last copy, within
      the same bounds.

    One search per piece, and byte counts, as the XML is inflated (a tag cut in two between
    pieces fails them: a lookbehind does not see the piece before); everything else is the full
    scan's to decide."""
    pieces = _pieces(chunks)
    opened = next(pieces, [(b"", 0, 0)])
    head = opened[0][0]
    _head(extent, head)
    opening = _PREFIX.search(head)
    if (extent.prefix or extent.declared > MAX_CELLS or opening is None
            or _TAG.search(head, 0, opening.start())):
        return False
    start = head.find(b">", opening.start()) + 1
    opened[0] = (head, start, len(head))
    used = [column_number(letters.decode())  # from the first rows: any other column fails
            for buffer, begin, end in opened
            for letters in set(_FAST_COLUMN.findall(buffer, begin, min(end, begin + 2**16)))]
    first, last = min(used, default=1), max(used, default=1)
    if last - first > GAP_COLUMNS:
        return False
    columns = _columns_pattern(first, last)
    width = last - first + 1
    cells = tags = previous = 0
    for piece, is_last in _with_last(itertools.chain([opened], pieces)):
        if is_last:  # the last piece holds </sheetData> and what follows it
            buffer, begin, stop = piece[-1]
            end = buffer.rfind(b"</sheetData>", begin, stop)
            if end < 0 or _TAG.search(buffer, end, stop):
                return False
            piece[-1] = (buffer, begin, end)
        for buffer, begin, end in piece:
            if any(buffer.find(odd, begin, end) >= 0 for odd in (b"\t", b"\n", b"\r")):
                return False
            colon = buffer.find(b":", begin, end)
            if colon >= 0 and buffer.find(b":c", colon, end) >= 0:
                return False
        tags += sum(buffer.count(b"<c", begin, end) for buffer, begin, end in piece)
        count = sum(buffer.count(b'<c r="', begin, end) for buffer, begin, end in piece)
        if count:
            refs = [(buffer, buffer.find(b'<c r="', begin, end), buffer.rfind(b'<c r="', begin, end))
                    for buffer, begin, end in piece]
            refs = [(buffer, low, high) for buffer, low, high in refs if low >= 0]
            low = _FAST_REF.match(refs[0][0], refs[0][1])
            high = _FAST_REF.match(refs[-1][0], refs[-1][2])
            if low is None or high is None:
                return False
            lo, hi = int(low.group(2)), int(high.group(2))
            cells += count
            if (not previous < lo <= hi or hi * last > MAX_CELLS or cells > MAX_CELLS
                    or count > (hi - lo + 1) * width):
                return False
            odd = re.compile(rb" r(?=[ =])(?!=\"" + columns + _number_range(lo, hi)
                             + rb'")(?<!<row r)')
            if any(odd.search(buffer, begin, end) for buffer, begin, end in piece):
                return False
            previous = hi
    if not cells or tags != cells:
        return False
    extent.fast, extent.cells = True, cells
    extent.columns = Counter({first: cells})
    extent.keep_columns, extent.keep_rows = (first, last), (1, previous)
    return True


def _with_last(pieces: Iterator[list[Segment]]) -> Iterator[tuple[list[Segment], bool]]:
    """Each piece, and whether it is the last."""
    held = next(pieces, None)
    if held is None:
        return
    for piece in pieces:
        yield held, False
        held = piece
    yield held, True


def _columns_pattern(first: int, last: int) -> bytes:
    """A pattern for the column letters from ``first`` to ``last`` (numbers)."""
    tails: dict[str, str] = {}
    for number in range(first, last + 1):
        letters = column_letters(number)
        tails[letters[:-1]] = tails.get(letters[:-1], "") + letters[-1]
    return ("(?:" + "|".join(f"{head}[{tail}]" for head, tail in tails.items()) + ")").encode()


def _number_range(lo: int, hi: int) -> bytes:
    """A pattern for the whole numbers from ``lo`` to ``hi`` (no leading zeros)."""
    parts = []
    for length in range(len(str(lo)), len(str(hi)) + 1):
        first = lo if length == len(str(lo)) else 10 ** (length - 1)
        last = hi if length == len(str(hi)) else 10 ** length - 1
        parts.append(_digits_range(str(first), str(last)))
    return ("(?:" + "|".join(parts) + ")").encode()


def _digits_range(lo: str, hi: str) -> str:
    """A pattern for the numbers between ``lo`` and ``hi``, both written with as many digits."""
    if lo == hi:
        return lo
    if len(lo) == 1:
        return f"[{lo}-{hi}]"
    if lo[0] == hi[0]:
        return lo[0] + "(?:" + _digits_range(lo[1:], hi[1:]) + ")"
    rest = len(lo) - 1
    low, high = int(lo[0]), int(hi[0])
    parts = []
    if lo[1:] == "0" * rest:
        low -= 1
    else:
        parts.append(lo[0] + "(?:" + _digits_range(lo[1:], "9" * rest) + ")")
    if hi[1:] == "9" * rest:
        high += 1
    if low + 1 <= high - 1:
        parts.append(f"[{low + 1}-{high - 1}][0-9]{{{rest}}}")
    if hi[1:] != "9" * rest:
        parts.append(hi[0] + "(?:" + _digits_range("0" * rest, hi[1:]) + ")")
    return "|".join(parts)


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


def _plain(xml: bytearray, start: int, end: int) -> bool:
    """Whether every cell tag in ``xml[start:end]`` is written the plain way, unprefixed."""
    return xml.find(b":c", start, end) < 0 and _ODD_CELL.search(xml, start, end) is None


def _plain_cells(xml: bytearray, start: int, end: int) -> tuple[int, Counter[int], Counter[int]]:
    """What :meth:`_Placer.filled` finds, for a piece where :func:`_plain` holds."""
    found = [(letters, row) for letters, row, closed in _PLAIN_CELL.findall(xml, start, end)
             if not closed]
    columns = Counter(letters for letters, _row in found)
    rows = Counter(row for _letters, row in found)
    return (len(found), Counter({column_number(k.decode()): n for k, n in columns.items()}),
            Counter({int(k): n for k, n in rows.items()}))


class _Placer:
    """Places cells as calamine does: by the cell's own reference (r="…", any case, either
    quote, the last of several) when it has one, whatever its row's says; a cell without one
    follows the previous cell, a row without one the previous row."""

    def __init__(self, file_name: str, sheet: str) -> None:
        self.file_name, self.sheet = file_name, sheet
        self.row = self.column = 0

    @staticmethod
    def _reference(attributes: bytes) -> bytes | None:
        """The tag's r="…"; the last one, as calamine takes it, when it has several."""
        found = _R.findall(attributes)
        if not found:
            return None
        double, single = found[-1]
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

    def filled(self, xml: bytearray) -> tuple[int, Counter[int], Counter[int]]:
        """How many cells in ``xml`` hold something (an empty formatted cell is self-closed,
        <c r="A6" s="1"/>, and calamine does not count it), and how many in each column and row."""
        cells, columns, rows = 0, Counter[int](), Counter[int]()
        for tag in _TAG.finditer(xml):
            at = self.place(tag)
            if at is not None and not tag.group(2).endswith(b"/"):
                cells += 1
                columns[at[0]] += 1
                rows[at[1]] += 1
        return cells, columns, rows


def _area(ref: bytes) -> int:
    """Cells in a range reference such as A1:XFD1048576 (0 when it cannot be read)."""
    match = re.fullmatch(rb"([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?", ref)
    if match is None or match.group(3) is None:
        return 0
    columns = column_number(match.group(3).decode()) - column_number(match.group(1).decode())
    return (abs(columns) + 1) * (abs(int(match.group(4)) - int(match.group(2))) + 1)


def _trimmed_sheet(xml: bytearray, extent: Extent, file_name: str,
                   sheet: str) -> Iterator[bytes]:
    """The sheet's XML without the far cells, its dimension set to what is left.

    Rows are in ascending order in a sheet, so the rows past the last one kept are cut whole;
    every cell left is placed as the scan placed it and cut when it lies outside."""
    first_column, last_column = extent.keep_columns
    last_row = extent.keep_rows[1]
    ref = f"{column_letters(first_column)}1:{column_letters(last_column)}{last_row}".encode()
    xml = bytearray(_DIMENSION.sub(lambda m: b"<" + m.group(1) + b' ref="' + ref + b'"/>', xml,
                                   count=1))
    row_start = re.compile(rb"<" + re.escape(extent.prefix) + rb'row\s[^>]*?r="([0-9]{1,7})"')
    beyond = next((row.start() for row in row_start.finditer(xml)
                   if int(row.group(1)) > last_row), None)
    if beyond is not None:
        end = xml.find(b"</" + extent.prefix + b"sheetData>", beyond)
        del xml[beyond:end if end >= 0 else len(xml)]
    placer = _Placer(file_name, sheet)
    position = 0
    for start, tag_end, column, row, closed in _cells(xml, extent.plain, placer):
        if start < position or (first_column <= column <= last_column and row <= last_row):
            continue
        end = tag_end
        if not closed:
            close = _CELL_END.search(xml, end)
            if close is None:
                raise placer.broken("单元格没有结束标记")
            end = close.end()
        yield bytes(xml[position:start])
        position = end
    yield bytes(xml[position:])


def _cells(xml: bytearray, plain: bool,
           placer: _Placer) -> Iterator[tuple[int, int, int, int, bool]]:
    """(start, end, column, row, self-closed) of every cell tag: by one pattern when the scan
    found them all written the plain way, else placed tag by tag."""
    if plain:
        numbers: dict[bytes, int] = {}
        for cell in _PLAIN_CELL.finditer(xml):
            letters = cell.group(1)
            if letters not in numbers:
                numbers[letters] = column_number(letters.decode())
            yield cell.start(), cell.end(), numbers[letters], int(cell.group(2)), bool(cell.group(3))
        return
    for tag in _TAG.finditer(xml):
        at = placer.place(tag)
        if at is not None:
            yield tag.start(), tag.end(), at[0], at[1], tag.group(2).endswith(b"/")


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


def check_workbook(path: Path, keep: int | None = None) -> CheckedFile:
    """Check ``path`` (already known to be a zip) and return what the reader should open.

    With ``keep``, a workbook whose only sheet's XML is at least that many bytes and was
    proved on the fast path comes back with its XML parts as inflated here (for
    :mod:`exports.xlsx_halves`)."""
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
        sheets = [i for i in infos if _is_sheet(i.filename, names)]
        keeping = keep is not None and len(sheets) == 1 and sheets[0].file_size >= keep
        kept: dict[str, bytes] = {}
        for info in infos:
            inflate = functools.partial(_inflate, fh, info, path.name, caps[info.filename])
            if keeping and info.filename.endswith((".xml", ".rels")):
                inflate = _keeping(inflate, kept, info.filename)
            if _is_sheet(info.filename, names):
                extents[info.filename] = scan_sheet(info.filename, inflate, info.file_size,
                                                    path.name, _sheet_name(info.filename, names))
            else:
                for _chunk in inflate():
                    pass
        for extent in extents.values():
            _list_ignored(extent)
        rewrite = {part: e for part, e in extents.items() if e.rewrite}
        if not rewrite:
            sheet = sheets[0] if keeping else None
            if sheet is None or not extents[sheet.filename].fast or len(
                    kept.get(sheet.filename, b"")) != sheet.file_size:
                return CheckedFile(path, {})
            return CheckedFile(path, {}, kept, sheet.filename)
        return CheckedFile(_rewrite(archive, fh, path.name, rewrite, names),
                           {names.get(part, part): e.note() for part, e in rewrite.items()
                            if e.trimmed})


def _keeping(inflate: Callable[[], Iterator[bytes]], kept: dict[str, bytes],
             part: str) -> Callable[[], Iterator[bytes]]:
    """``inflate``, each run of it to the end leaving the whole part in ``kept``."""

    def again() -> Iterator[bytes]:
        chunks: list[bytes] = []
        for chunk in inflate():
            chunks.append(chunk)
            yield chunk
        kept[part] = b"".join(chunks)

    return again


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
                chunks = _trimmed_sheet(_whole(chunks, info.file_size), trimmed[info.filename],
                                        file_name,
                                        _sheet_name(info.filename, names))
            with copy.open(info.filename, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    out.seek(0)
    return out
