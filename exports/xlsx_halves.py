"""A long sheet read by two calamines at once, one half of its rows each.

Parsing is most of what calamine does to read a long list (300,000 rows: 1.8 s of 2 s), and
calamine lets other threads run while it parses. When the check (:mod:`exports.xlsx_check`)
has proved a workbook's only sheet plain on its fast path — every cell carries its own
reference, so calamine places a cell without looking at the rows before it — the sheet's XML,
already inflated by the check, is cut at a row tag near its middle into two workbooks of stored
(uncompressed) parts, and the halves are parsed side by side. They are joined back into one
sheet with the rows and columns calamine gives for the whole. If either half cannot be read,
or their rows meet (a file whose rows are not in order), the whole sheet is read as usual.

Costs: the halves are in memory (about twice the sheet's XML, for the moment it takes to open
them); a machine with one core reads the whole sheet instead.
"""

from __future__ import annotations

import io
import itertools
import os
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from python_calamine import CalamineSheet, CalamineWorkbook

HALVE_BYTES = 16 * 2**20  # a sheet's XML from this size on (about 45,000 rows) is halved
_CUT_AT = (b"<row ", b"<row>")
_NOT_PLAIN = (b"!", b"?")  # after "<": a comment, CDATA or instruction may hold "<row " as text


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _cut(xml: bytes) -> tuple[int, int, int] | None:
    """(where the rows start, where the second half starts, where the rows end), or None when
    the sheet has no row tag to cut at past its middle, or text that could hide one."""
    start = xml.find(b"<sheetData>")
    end = xml.rfind(b"</sheetData>")
    if start < 0 or end < start:
        return None
    start += len(b"<sheetData>")
    if any(_opens(xml, odd, start, end) for odd in _NOT_PLAIN):
        return None
    middle = (start + end) // 2
    found = [at for at in (xml.find(tag, middle, end) for tag in _CUT_AT) if at >= 0]
    return (start, min(found), end) if found else None


def _opens(xml: bytes, mark: bytes, start: int, end: int) -> bool:
    """Does "<" + ``mark`` occur in ``xml[start:end]``? (Looking for the rare ``mark`` first:
    a search for "<!" stops at every tag.)"""
    at = xml.find(mark, start, end)
    while at >= 0:
        if xml[at - 1:at] == b"<":
            return True
        at = xml.find(mark, at + 1, end)
    return False


def _book(parts: dict[str, bytes], sheet: str, pieces: list[memoryview]) -> io.BytesIO:
    """A workbook of stored parts: ``parts`` as they are, ``sheet`` made of ``pieces``."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as book:
        for name, data in parts.items():
            if name != sheet:
                book.writestr(name, data)
        with book.open(sheet, "w", force_zip64=True) as member:
            for piece in pieces:
                member.write(piece)
    out.seek(0)
    return out


class HalvedSheet:
    """Two halves of a sheet's rows as one sheet: what the readers use of calamine's."""

    def __init__(self, first: CalamineSheet, second: CalamineSheet) -> None:
        self.first, self.second = first, second
        corners = [s for s in (first.start, second.start) if s is not None]
        ends = [e for e in (first.end, second.end) if e is not None]
        self.start: tuple[int, int] | None = (
            (min(r for r, _c in corners), min(c for _r, c in corners)) if corners else None)
        self.end: tuple[int, int] | None = (
            (max(r for r, _c in ends), max(c for _r, c in ends)) if ends else None)

    @property
    def merged_cell_ranges(self) -> Any:
        return self.first.merged_cell_ranges  # both halves carry the sheet's <mergeCells>

    def iter_rows(self) -> Iterator[list[Any]]:
        """Rows from row 1, columns from the first used one (as calamine gives them); the
        second half's rows before its own start are the first half's."""
        first_rows = (self.first.end[0] + 1) if self.first.end else 0
        rows = self._padded(self.first, self.first.iter_rows())
        rest = itertools.islice(self.second.iter_rows(), first_rows, None)
        return itertools.chain(rows, self._padded(self.second, rest))

    def _padded(self, half: CalamineSheet, rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
        lead = (half.start[1] - self.start[1]) if half.start and self.start else 0
        if not lead:
            return rows
        pad: list[Any] = [""] * lead
        return (pad + values for values in rows)


def _failed(exc: BaseException) -> bool:
    """Is this calamine failing (an error, or a Rust panic, which pyo3 makes a BaseException),
    rather than the process being stopped?"""
    return not isinstance(exc, (KeyboardInterrupt, SystemExit))


class HalvedWorkbook:
    """A workbook whose only sheet is read in halves (see the module's text); every other use
    goes to the first half's workbook, which holds everything but the second half's rows."""

    def __init__(self, path: Path, parts: dict[str, bytes], sheet_part: str,
                 cut: tuple[int, int, int], whole: Callable[[Path], CalamineWorkbook]) -> None:
        """``parts``: the workbook's XML parts as the check inflated them; ``cut``: see
        :func:`_cut`; ``whole`` opens the file itself, when the halves will not do."""
        self.path, self.whole = path, whole
        start, middle, end = cut
        view = memoryview(parts[sheet_part])
        others = {name: data for name, data in parts.items() if name != sheet_part}
        head, tail = view[:start], view[end:]
        self._asked = False
        self._second: list[Any] = []  # the second half's sheet, or why it could not be read
        self._thread = threading.Thread(
            target=self._read_second, args=([others, sheet_part, [head, view[middle:end], tail]],),
            name="eprc-second-half", daemon=True)
        self._thread.start()
        try:
            self.workbook = CalamineWorkbook.from_filelike(
                _book(others, sheet_part, [head, view[start:middle], tail]))
        except BaseException:
            self._thread.join()
            raise
        self._opened: CalamineWorkbook | None = None

    def _read_second(self, making: list[Any]) -> None:
        """Open and parse the second half at once: the workbook's first sheet is the sheet
        asked for later, as the workbook has one sheet part (a name that points elsewhere
        cannot be opened; one that points at the same part has the same rows)."""
        try:
            workbook = CalamineWorkbook.from_filelike(_book(*making))
            making.clear()  # the halves' XML is not needed past this point
            self._second.append(workbook.get_sheet_by_index(0))
            workbook.close()
        except BaseException as exc:  # noqa: BLE001 - any failure means: read the whole sheet
            self._second.append(exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.workbook, name)

    def get_sheet_by_name(self, name: str) -> CalamineSheet | HalvedSheet:
        if not self._asked:
            self._asked = True
            first: CalamineSheet | None = None
            try:
                first = self.workbook.get_sheet_by_name(name)
            except BaseException as exc:
                if not _failed(exc):
                    raise
            finally:
                self._thread.join()
            second = self._second[0] if self._second else None
            if (first is not None and isinstance(second, CalamineSheet)
                    and first.end is not None and second.start is not None
                    and first.end[0] < second.start[0]):
                return HalvedSheet(first, second)
        if self._opened is None:
            self._opened = self.whole(self.path)
        return self._opened.get_sheet_by_name(name)

    def close(self) -> None:
        self._thread.join()
        self.workbook.close()
        if self._opened is not None:
            self._opened.close()


def halved(path: Path, parts: dict[str, bytes], sheet_part: str,
           whole: Callable[[Path], CalamineWorkbook]) -> HalvedWorkbook | None:
    """The workbook read in halves, or None when its sheet is short, this machine has one
    core, or the sheet cannot be cut (see :func:`_cut`) or its halves opened."""
    xml = parts[sheet_part]
    if len(xml) < HALVE_BYTES or cores() < 2:
        return None
    cut = _cut(xml)
    if cut is None:
        return None
    try:
        return HalvedWorkbook(path, parts, sheet_part, cut, whole)
    except BaseException as exc:
        if not _failed(exc):
            raise
        return None
