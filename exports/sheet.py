"""The one sheet writer every report is built on: the office conventions of ../shared/FORMATS.md.

Merged title, the 填报单位/填报日期 line, a one- or two-row bordered header, bordered data with
IDs and phones as text, dates as real dates, money with two decimals, an optional 合计 row, the
sign-off line, footnotes, and A4 print setup (fit to one page wide, header rows repeated, page
numbers). Sheets are written by xlsxwriter in constant_memory mode (exports/book.py), a row
at a time, so 100,000 rows take no more memory than one.
No text ever becomes a formula: a value starting with = + - @ is written as text.

Paper is a first-class output: LibreOffice and WPS do not grow a row for wrapped text when they
print, so every row gets its height from its tallest wrapped cell (``text_lines``), and
``fit_scale`` tells what fitting a sheet to one A4 page width does to its type.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from exports.book import PAPER_A4, Book, Sheet, Style

if TYPE_CHECKING:
    from openpyxl import Workbook
    from xlsxwriter.format import Format

FONT_NAME = "宋体"
ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
FORMULA_START = ("=", "+", "-", "@")
CENTER, LEFT, RIGHT = "center", "left", "right"  # every cell is centred vertically and wraps
RED = "C00000"
NUMBER_FORMATS = {"text": "@", "date": "yyyy-mm-dd", "money": "#,##0.00", "int": "0",
                  "number": "0.0", "quantity": "General", "datetime": "yyyy-mm-dd hh:mm"}

# Paper. A4 is 595.3 × 841.9 pt; the side margins below are 0.4 in (28.8 pt) each.
A4_POINTS = (595.3, 841.9)
SIDE_MARGINS_PT = 2 * 0.4 * 72
LINE_SPACING = 1.3  # a printed line is about 1.3 × the font size (宋体, and LibreOffice's substitute)
ROW_PADDING_PT = 3.0
MIN_PRINTED_PT = 8.0  # no body text prints smaller than this
POINTS_PER_CHARACTER = 5.75  # a column's width unit on paper (see column_points)
SHEET_NAME_CHARS = str.maketrans({":": "：", "/": "／", "\\": "＼", "?": "？", "*": "＊",
                                  "[": "［", "]": "］", "\t": " ", "\n": " ", "\r": " "})
_TOKENS = re.compile(r"[^\s\u2e80-\uffff]+|.", re.S)  # a run of Latin/digits, or one character


@dataclass(frozen=True)
class Column:
    """One column of a report: its header text, width in characters and kind of value."""

    title: str
    width: float = 10
    kind: str = "text"  # text | int | number | quantity | date | datetime | money
    group: str | None = None  # a merged group cell over this column in a two-row header


@dataclass
class Report:
    """What a report module says about its sheet; the writer does the rest."""

    title: str
    columns: Sequence[Column]
    unit_line: str = ""  # 填报单位：…（盖章）
    date_line: str = ""  # 填报日期：2022年4月11日
    signoff: str = ""
    footnotes: Sequence[str] = ()
    font_size: int = 11
    landscape: bool | None = None  # None: landscape when wider than nine columns
    row_height: float | None = None  # the least height of a data row (content may need more)
    extra_lines: Sequence[str] = field(default_factory=tuple)  # after the sign-off, right
    intro: Sequence[str] = ()  # lines between the unit/date line and the header
    show_header: bool = True
    one_page: bool = False  # a form on one sheet of paper (the daily report): fit its height too
    paper: int = PAPER_A4  # PAPER_A5 for a receipt

    @property
    def is_landscape(self) -> bool:
        return self.ncols > 9 if self.landscape is None else self.landscape

    @property
    def ncols(self) -> int:
        return len(self.columns)

    def print_scale(self) -> float:
        """The scale fitting this sheet to one A4 page width gives (1.0 when it fits)."""
        return fit_scale([c.width for c in self.columns], self.is_landscape)


def cn_date(day: dt.date) -> str:
    """2022年4月11日, as GB/T 9704 writes dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def display_width(text: str) -> int:
    """Columns a text takes in a sheet: CJK characters count two."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def safe_text(value: str) -> str:
    return ILLEGAL.sub("", value)


def safe_sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """A sheet name Excel, LibreOffice and WPS accept, made from data.

    ``: / \\ ? * [ ]`` become their full-width forms, at most 31 characters are kept (from the
    front: the end is cut, never the beginning), no apostrophe at either end, and a name already
    in ``taken`` (case-insensitively, as Excel compares them) gets （2）, （3）… appended.
    """
    text = safe_text(name).translate(SHEET_NAME_CHARS).strip().strip("'").strip()
    text = text[:31].rstrip("'").rstrip() or "Sheet"
    used = {t.casefold() for t in taken}
    candidate, n = text, 2
    while candidate.casefold() in used:
        suffix = f"（{n}）"
        candidate = text[:31 - len(suffix)].rstrip("'") + suffix
        n += 1
    return candidate


def column_points(width: float) -> float:
    """Printed width in points of a column ``width`` characters wide, before scaling.

    Excel lays a character out at 7 px (5.25 pt); LibreOffice, measured with Carlito standing in
    for Calibri, at about 5.7 pt. The larger is used, so what fits here fits in both.
    """
    return width * POINTS_PER_CHARACTER


def fit_scale(widths: Iterable[float], landscape: bool) -> float:
    """What "fit to one page wide" scales a sheet of these column widths to on A4."""
    paper = A4_POINTS[1] if landscape else A4_POINTS[0]
    total = sum(column_points(w) for w in widths)
    return min(1.0, (paper - SIDE_MARGINS_PT) / total) if total else 1.0


def line_capacity(width: float, size: float) -> float:
    """How many half-characters (a CJK character is two) fit on one line of a cell ``width``
    characters wide at ``size`` pt: Excel's text room, 7 px a character less 5 px of padding."""
    return max(1.0, (width * 7 - 5) * 0.75 / (size / 2))


def as_written(value: object, kind: str) -> object:
    """A value as its column's kind writes it: money to the cent, a whole quantity as 50, not
    50.0."""
    if kind == "money" and isinstance(value, (int, float, Decimal)):
        return Decimal(str(value)).quantize(Decimal("0.01"))
    if kind == "quantity" and isinstance(value, (float, Decimal)):
        return int(value) if value == int(value) else float(value)
    return value


def text_lines(text: str, width: float, size: float) -> int:
    """Lines ``text`` wraps to in a cell ``width`` characters wide at ``size`` pt.

    A CJK character is ``size`` pt wide, anything else half that; a run of Latin letters or
    digits moves to the next line whole, as spreadsheet programs wrap it.
    """
    capacity = line_capacity(width, size)
    if "\n" not in text and len(text) * 2 <= capacity:
        return 1
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for token in _TOKENS.findall(paragraph):
            w = display_width(token)
            if used + w <= capacity:
                used += w
            elif token.isspace():
                continue
            elif w <= capacity:
                lines += 1
                used = w
            else:  # a run longer than the line is broken where the line ends
                lines += math.ceil((used + w) / capacity) - 1
                used = (used + w) % capacity
    return lines


def width_for(text: str, size: float) -> float:
    """The least column width that holds ``text`` on one line at ``size`` pt (see text_lines)."""
    return math.ceil(((display_width(text) * size / 2) / 0.75 + 5) / 7 * 2) / 2


def line_height(lines: int, size: float) -> float:
    """Row height in points for ``lines`` lines of ``size`` pt type."""
    return round(lines * size * LINE_SPACING + ROW_PADDING_PT, 1)


class Font(NamedTuple):
    """A cell's type: size in points, bold, colour (RRGGBB); always 宋体."""

    size: float
    bold: bool = False
    color: str | None = None


Cell = tuple[object, "Format"]


class SheetWriter:
    """Writes one report into a new sheet of a workbook from :func:`new_workbook`, row by row."""

    def __init__(self, workbook: Book, sheet_name: str, report: Report) -> None:
        self.report = report
        self.book = workbook
        self.ncols = report.ncols
        self.sheet: Sheet = workbook.add_sheet(safe_sheet_name(sheet_name, workbook.sheetnames),
                                               self.ncols)
        self.widths = [c.width for c in report.columns]
        self.kinds = [c.kind for c in report.columns]
        size = report.font_size
        self.font = Font(size)
        self.bold = Font(size, bold=True)
        self.title_font = Font(18, bold=True)
        self.red_font = Font(size, bold=True, color=RED)
        self._formats: dict[tuple[Font, str, bool, str], Format] = {}
        # a data cell's format by column: (with a value, blank), plain and in red
        self._data = [(self._format(self.font, LEFT if k == "text" else CENTER, True,
                                    NUMBER_FORMATS.get(k, "General")),
                       self._format(self.font, CENTER, True, "General")) for k in self.kinds]
        self._red = [(self._format(self.red_font, LEFT if k == "text" else CENTER, True,
                                   NUMBER_FORMATS.get(k, "General")),
                      self._format(self.red_font, CENTER, True, "General")) for k in self.kinds]
        # a text of no more characters than this fits its column on one line whatever they
        # are (twice as many if they are all ASCII: see text_lines)
        self._one_line = [line_capacity(w, size) / 2 for w in self.widths]
        self._setup()

    @property
    def row(self) -> int:
        return self.sheet.row

    # --- layout -----------------------------------------------------------------------------

    def _setup(self) -> None:
        r = self.report
        self.sheet.set_widths(self.widths)
        self.sheet.page(paper=r.paper, landscape=r.is_landscape, fit_height=1 if r.one_page else 0)

    def _format(self, font: Font, align: str, border: bool, number_format: str) -> Format:
        key = (font, align, border, number_format)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = self._formats[key] = self.book.format(Style(
                FONT_NAME, font.size, font.bold, font.color, align, True, border, number_format))
        return fmt

    def _merge(self, row: int, first: int, last: int, to_row: int | None = None) -> None:
        if last > first or (to_row or row) > row:
            self.sheet.merge(row, first, last, to_row)

    def needed_height(self, values: Sequence[object], size: float,
                      spans: Sequence[tuple[int, int]] | None = None) -> float:
        """The height the tallest wrapped value of a row needs; ``spans`` are the (first, last)
        1-based columns each value covers (default: one column each)."""
        if spans is None:
            spans = [(n, n) for n in range(1, len(values) + 1)]
        lines = 1
        for value, (first, last) in zip(values, spans, strict=True):
            if isinstance(value, str) and value:
                width = sum(self.widths[first - 1:last])
                lines = max(lines, text_lines(value, width, size))
        return line_height(lines, size)

    def _append(self, cells: Sequence[Cell], height: float | None = None) -> None:
        self.sheet.write_row(cells, height)

    def cell(self, value: object, kind: str = "text", font: Font | None = None,
             align: str | None = None, border: bool = True) -> Cell:
        """A styled cell; text can never turn into a formula (it is always written as text)."""
        value = safe_text(value) if isinstance(value, str) else as_written(value, kind)
        align = align or (CENTER if kind != "text" or value is None else LEFT)
        number_format = NUMBER_FORMATS.get(kind, "General") if value is not None else "General"
        return value, self._format(font or self.font, align, border, number_format)

    def _line(self, text: str, align: str, font: Font | None = None) -> None:
        """A line across the whole table, as tall as its text wraps."""
        font = font or self.font
        self._append([self.cell(text, font=font, align=align, border=False)]
                     + [self.cell(None, border=False) for _ in range(self.ncols - 1)],
                     height=self.needed_height([text], font.size, [(1, self.ncols)]))
        self._merge(self.row, 1, self.ncols)

    def begin(self) -> None:
        """Title, unit/date line and header; freezes and repeats them on every page."""
        r = self.report
        size = r.font_size
        grouped = any(c.group for c in r.columns)
        header_rows = (2 if grouped else 1) if r.show_header else 0
        header_end = 1 + bool(r.unit_line or r.date_line) + len(r.intro) + header_rows
        if header_rows:
            self.sheet.repeat_rows(header_end - header_rows + 1 if r.intro else 1, header_end)
            self.sheet.freeze(header_end)
        self._append([self.cell(r.title, font=self.title_font, align=CENTER, border=False)]
                     + [self.cell(None, border=False) for _ in range(self.ncols - 1)],
                     height=max(32, self.needed_height([r.title], 18, [(1, self.ncols)])))
        self._merge(1, 1, self.ncols)
        if r.unit_line or r.date_line:
            half = max(1, self.ncols // 2)
            cells = [self.cell(r.unit_line, align=LEFT, border=False)]
            cells += [self.cell(None, border=False) for _ in range(half - 1)]
            cells += [self.cell(r.date_line, align=RIGHT, border=False)]
            cells += [self.cell(None, border=False) for _ in range(self.ncols - half - 1)]
            spans = [(1, half), (half + 1, self.ncols)]
            self._append(cells, height=max(20, self.needed_height(
                [r.unit_line, r.date_line], size, spans)))
            self._merge(self.row, 1, half)
            self._merge(self.row, half + 1, self.ncols)
        for line in r.intro:
            self._line(line, LEFT)
        first_header = self.row + 1
        if header_rows == 2:
            self._two_row_header(first_header)
        elif header_rows == 1:
            titles = [c.title for c in r.columns]
            self._append([self.cell(t, font=self.bold, align=CENTER) for t in titles],
                         height=max(30, self.needed_height(titles, size)))
        self.header_rows = (first_header, self.row)

    def _two_row_header(self, first: int) -> None:
        """Group cells over their columns' titles; an ungrouped title spans both rows."""
        columns = self.report.columns
        size = self.report.font_size
        groups: list[tuple[int, int]] = []  # (first, last) 1-based columns of each group
        n = 0
        while n < self.ncols:
            end = n
            while columns[n].group and end + 1 < self.ncols \
                    and columns[end + 1].group == columns[n].group:
                end += 1
            groups.append((n + 1, end + 1))
            n = end + 1
        grouped = [(a, b) for a, b in groups if columns[a - 1].group]
        top_height = max([20.0] + [self.needed_height([columns[a - 1].group], size, [(a, b)])
                                   for a, b in grouped])
        bottom_height = max([20.0] + [self.needed_height([c.title], size, [(n, n)])
                                      for n, c in enumerate(columns, start=1) if c.group])
        spanning = max([0.0] + [self.needed_height([c.title], size, [(n, n)])
                                for n, c in enumerate(columns, start=1) if not c.group])
        if spanning > top_height + bottom_height:
            top_height = bottom_height = spanning / 2
        self._append([self.cell(c.group or c.title, font=self.bold, align=CENTER)
                      for c in columns], height=top_height)
        self._append([self.cell(c.title if c.group else None, font=self.bold, align=CENTER)
                      for c in columns], height=bottom_height)
        for a, b in groups:
            if columns[a - 1].group:
                self._merge(first, a, b)
            else:
                self._merge(first, a, a, first + 1)

    def add_row(self, values: Sequence[object], height: float | None = None,
                red: frozenset[int] = frozenset()) -> None:
        """A data row, as tall as its tallest wrapped value (and at least ``height`` or the
        report's ``row_height``); the columns (0-based) in ``red`` are shown in red (e.g. a
        fever).

        The same cells as ``cell`` makes, worked out per column once: this is the loop a
        100,000-row register spends its time in."""
        if len(values) != self.ncols:
            raise ValueError(f"{len(values)} values for {self.ncols} columns")
        size = self.report.font_size
        cells: list[Cell] = []
        lines = 1
        for n, value in enumerate(values):
            formats = self._red[n] if red and n in red else self._data[n]
            if value is None:
                cells.append((None, formats[1]))
                continue
            if isinstance(value, str):
                if not value.isprintable():  # a line break, a control or a zero-width character
                    value = safe_text(value)
                    lines = max(lines, text_lines(value, self.widths[n], size))
                elif len(value) > self._one_line[n] and (
                        not value.isascii() or len(value) > 2 * self._one_line[n]):
                    lines = max(lines, text_lines(value, self.widths[n], size))
            else:
                value = as_written(value, self.kinds[n])
            cells.append((value, formats[0]))
        least = height or self.report.row_height or 0
        self._append(cells, height=max(least, line_height(lines, size)))

    def add_total(self, values: Sequence[object]) -> None:
        self._append([self.cell(v, k, font=self.bold)
                      for v, k in zip(values, self.kinds, strict=True)],
                     height=self.needed_height(values, self.report.font_size))

    def add_merged_row(self, cells: Sequence[tuple[object, int]], height: float | None = None,
                       bold: bool = False) -> None:
        """A bordered row of cells each spanning ``n`` columns (for section tables)."""
        row = []
        spans = []
        col = 1
        for value, span in cells:
            kind = "money" if isinstance(value, (float, Decimal)) else (
                "int" if isinstance(value, int) else "text")
            row.append(self.cell(value, kind, font=self.bold if bold else None, align=CENTER))
            row += [self.cell(None) for _ in range(span - 1)]
            spans.append((col, col + span - 1))
            col += span
        needed = self.needed_height([v for v, _span in cells], self.report.font_size, spans)
        self._append(row, height=max(height or 0, needed))
        for first, last in spans:
            self._merge(self.row, first, last)

    def end(self) -> None:
        """Sign-off, footnotes and any closing lines below the table."""
        r = self.report
        if r.signoff:
            self.sheet.skip_row()
            self._line(r.signoff, LEFT)
        for note in r.footnotes:
            self._line(note, LEFT)
        for line in r.extra_lines:
            self._line(line, RIGHT)


def new_workbook() -> Book:
    """A new workbook; its rows wait in eprc's owner-only temporary folder until saved."""
    from exports.output import private_tempdir

    return Book(str(private_tempdir()))


def save_workbook(workbook: Book | Workbook, path: Path, report: str, scope: str = "") -> Path:
    """Save a report as ``path``, stamped as eprc's for this report and scope.

    ``workbook`` is a new one (:func:`new_workbook`) or a district's workbook edited in place
    with openpyxl (the pushed list's feedback). Refused (before anything is written) when
    ``path`` is a file eprc must not replace; written through a temporary file, so a
    half-written file never replaces a good one."""
    from exports.output import (
        check_output,
        full_ids_exported,
        private_tempdir,
        stamp_text,
        write_file,
    )

    try:
        check_output(path, report, scope)
        private_tempdir()
        if isinstance(workbook, Book):
            workbook.creator = "eprc"
            workbook.identifier = stamp_text(report, scope)
        else:
            workbook.properties.creator = "eprc"
            workbook.properties.identifier = stamp_text(report, scope)
        write_file(path, workbook.save)
    finally:
        if isinstance(workbook, Book):  # its row files go, saved or refused
            workbook.discard()
    full_ids_exported(path, report, scope)
    return path
