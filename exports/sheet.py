"""The one sheet writer every report is built on: the office conventions of ../shared/FORMATS.md.

Merged title, the 填报单位/填报日期 line, a one- or two-row bordered header, bordered data with
IDs and phones as text, dates as real dates, money with two decimals, an optional 合计 row, the
sign-off line, footnotes, and A4 print setup (fit to one page wide, header rows repeated, page
numbers). Sheets are written in openpyxl's write-only mode so 100,000 rows stay cheap.
No text ever becomes a formula: a value starting with = + - @ is written as text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

FONT_NAME = "宋体"
ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
FORMULA_START = ("=", "+", "-", "@")
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
NUMBER_FORMATS = {"text": "@", "date": "yyyy-mm-dd", "money": "#,##0.00", "int": "0",
                  "number": "0.0", "datetime": "yyyy-mm-dd hh:mm"}


@dataclass(frozen=True)
class Column:
    """One column of a report: its header text, width in characters and kind of value."""

    title: str
    width: float = 10
    kind: str = "text"  # text | int | number | date | datetime | money
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
    row_height: float | None = None
    extra_lines: Sequence[str] = field(default_factory=tuple)  # after the sign-off, right
    intro: Sequence[str] = ()  # lines between the unit/date line and the header
    show_header: bool = True


def cn_date(day: dt.date) -> str:
    """2022年4月11日, as GB/T 9704 writes dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def cn_month_day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日"


def display_width(text: str) -> int:
    """Columns a text takes in a sheet: CJK characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def safe_text(value: str) -> str:
    return ILLEGAL.sub("", value)


class SheetWriter:
    """Writes one report into a new sheet of a write-only workbook, row by row."""

    def __init__(self, workbook: Workbook, sheet_name: str, report: Report) -> None:
        self.report = report
        self.ws = workbook.create_sheet(title=sheet_name[:31])
        self.ncols = len(report.columns)
        self.row = 0
        size = report.font_size
        self.font = Font(name=FONT_NAME, size=size)
        self.bold = Font(name=FONT_NAME, size=size, bold=True)
        self.title_font = Font(name=FONT_NAME, size=18, bold=True)
        self.red_font = Font(name=FONT_NAME, size=size, bold=True, color="FFC00000")
        self._styles: dict[tuple[int, int, bool, str], StyleArray] = {}
        self._setup()

    # --- layout -----------------------------------------------------------------------------

    def _setup(self) -> None:
        ws = self.ws
        for n, column in enumerate(self.report.columns, start=1):
            ws.column_dimensions[get_column_letter(n)].width = column.width
        landscape = self.report.landscape
        if landscape is None:
            landscape = self.ncols > 9
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6,
                                      header=0.3, footer=0.3)
        ws.print_options.horizontalCentered = True
        ws.HeaderFooter.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.HeaderFooter.oddFooter.center.size = 10

    def _merge(self, row: int, first: int, last: int, to_row: int | None = None) -> None:
        if last > first or (to_row or row) > row:
            self.ws.merged_cells.add(
                f"{get_column_letter(first)}{row}:{get_column_letter(last)}{to_row or row}"
            )

    def _append(self, cells: list[WriteOnlyCell], height: float | None = None) -> None:
        self.row += 1
        if height:
            self.ws.row_dimensions[self.row].height = height
        self.ws.append(cells)

    def cell(self, value: object, kind: str = "text", font: Font | None = None,
             align: Alignment | None = None, border: bool = True) -> WriteOnlyCell:
        """A styled cell; text can never turn into a formula.

        Styles are resolved once per combination and copied, which keeps 100,000-row sheets fast.
        """
        if isinstance(value, str):
            value = safe_text(value)
        if kind == "money" and isinstance(value, (int, float, Decimal)):
            value = Decimal(str(value)).quantize(Decimal("0.01"))
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        font = font or self.font
        align = align or (CENTER if kind != "text" or value is None else LEFT)
        number_format = NUMBER_FORMATS.get(kind, "General") if value is not None else "General"
        key = (id(font), id(align), border, number_format)
        style = self._styles.get(key)
        if style is None:
            cell.font = font
            if border:
                cell.border = BORDER
            cell.alignment = align
            cell.number_format = number_format
            self._styles[key] = copy(cell._style)
        else:
            cell._style = copy(style)
        return cell

    def _line(self, text: str, align: Alignment, font: Font | None = None) -> None:
        """A line across the whole table, tall enough for its text to wrap."""
        capacity = max(1.0, sum(c.width for c in self.report.columns) - 2)
        lines = max(1, -(-display_width(text) // int(capacity)))
        self._append([self.cell(text, font=font, align=align, border=False)]
                     + [self.cell(None, border=False) for _ in range(self.ncols - 1)],
                     height=(self.report.font_size + 7) * lines if lines > 1 else None)
        self._merge(self.row, 1, self.ncols)

    def begin(self) -> None:
        """Title, unit/date line and header; freezes and repeats them on every page."""
        r = self.report
        grouped = any(c.group for c in r.columns)
        header_rows = (2 if grouped else 1) if r.show_header else 0
        header_end = 1 + bool(r.unit_line or r.date_line) + len(r.intro) + header_rows
        # Sheet views and print titles are written before the first row in write-only mode.
        if header_rows:
            self.ws.print_title_rows = f"{header_end - header_rows + 1}:{header_end}" if r.intro \
                else f"1:{header_end}"
            self.ws.freeze_panes = f"A{header_end + 1}"
        self._append([self.cell(r.title, font=self.title_font, align=CENTER, border=False)]
                     + [self.cell(None, border=False) for _ in range(self.ncols - 1)], height=32)
        self._merge(1, 1, self.ncols)
        if r.unit_line or r.date_line:
            half = max(1, self.ncols // 2)
            cells = [self.cell(r.unit_line, align=LEFT, border=False)]
            cells += [self.cell(None, border=False) for _ in range(half - 1)]
            cells += [self.cell(r.date_line, align=Alignment(horizontal="right"), border=False)]
            cells += [self.cell(None, border=False) for _ in range(self.ncols - half - 1)]
            self._append(cells, height=20)
            self._merge(self.row, 1, half)
            self._merge(self.row, half + 1, self.ncols)
        for line in r.intro:
            self._line(line, LEFT)
        first_header = self.row + 1
        if header_rows == 2:
            top, bottom = [], []
            for c in r.columns:
                top.append(self.cell(c.group or c.title, font=self.bold, align=CENTER))
                bottom.append(self.cell(c.title if c.group else None, font=self.bold,
                                        align=CENTER))
            self._append(top, height=20)
            self._append(bottom, height=20)
            n = 0
            while n < self.ncols:
                c = r.columns[n]
                if not c.group:
                    self._merge(first_header, n + 1, n + 1, first_header + 1)
                    n += 1
                    continue
                end = n
                while end + 1 < self.ncols and r.columns[end + 1].group == c.group:
                    end += 1
                self._merge(first_header, n + 1, end + 1)
                n = end + 1
        elif header_rows == 1:
            self._append([self.cell(c.title, font=self.bold, align=CENTER) for c in r.columns],
                         height=30)
        self.header_rows = (first_header, self.row)

    def add_row(self, values: Sequence[object], height: float | None = None,
                red: frozenset[int] = frozenset()) -> None:
        """A data row; the columns (0-based) in ``red`` are shown in red (e.g. a fever)."""
        kinds = [c.kind for c in self.report.columns]
        self._append([self.cell(v, k, font=self.red_font if n in red else None)
                      for n, (v, k) in enumerate(zip(values, kinds, strict=True))],
                     height=height or self.report.row_height)

    def add_total(self, values: Sequence[object]) -> None:
        kinds = [c.kind for c in self.report.columns]
        self._append([self.cell(v, k, font=self.bold) for v, k in zip(values, kinds, strict=True)])

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
        self._append(row, height=height)
        for first, last in spans:
            self._merge(self.row, first, last)

    def end(self) -> None:
        """Sign-off, footnotes and any closing lines below the table."""
        r = self.report
        if r.signoff:
            self._append([])
            self._line(r.signoff, LEFT)
        for note in r.footnotes:
            self._line(note, LEFT)
        for line in r.extra_lines:
            self._line(line, RIGHT)


def new_workbook() -> Workbook:
    from exports.output import private_tempdir

    private_tempdir()
    return Workbook(write_only=True)


def save_workbook(workbook: Workbook, path: Path, report: str, scope: str = "") -> Path:
    """Save a report as ``path``, stamped as eprc's for this report and scope.

    Refused (before anything is written) when ``path`` is a file eprc must not replace; written
    through a temporary file, so a half-written file never replaces a good one."""
    from exports.output import check_output, private_tempdir, stamp_text, write_file

    try:
        check_output(path, report, scope)
    except Exception:
        for sheet in workbook.worksheets:  # finish the streaming writers: no noise at exit
            if getattr(sheet, "_rows", None) is not None:
                sheet.close()
        raise
    workbook.properties.creator = "eprc"
    workbook.properties.identifier = stamp_text(report, scope)
    private_tempdir()
    return write_file(path, workbook.save)
