"""The engine under every sheet eprc writes from scratch: xlsxwriter in constant_memory mode.

xlsxwriter keeps one row in memory and writes the package (styles, print setup, merged ranges,
print titles, document properties); it is pure Python and what pandas uses. eprc's own part is
the row: the sheet writer has already typed and styled every cell, so each row goes into
xlsxwriter's row file as one piece of XML instead of through its cell-by-cell calls (whose
checks and escaping are most of xlsxwriter's time: the whole register export, database reads
included, takes under half of what xlsxwriter alone takes for the same cells that way; see
bench/RESULTS.md). Nothing is written where the clerk can see it until ``save`` packs the
workbook into the file handle the atomic writer (exports/output.py) gives it.

What this leans on inside xlsxwriter, all checked by the export tests that read every file
back: a worksheet's row file (``fh``) in constant_memory mode, its ``merge`` list and
``_check_dimensions``, its page-fit counts (``fit_width``/``fit_height``), how it writes <cols>
(one a column here), and the packager's core properties (for the ``dc:identifier`` stamp,
which xlsxwriter has no public setting for). The version is pinned in pyproject.toml.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import BinaryIO

from xlsxwriter.core import Core
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.packager import Packager
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

PAPER_A4 = 9  # xlsxwriter's and Excel's paper numbers
PAPER_A5 = 11
# number formats Excel has built in, by the index openpyxl and Excel write them with
BUILTIN_FORMATS = {"0.00": 2, "#,##0": 3, "#,##0.00": 4, "@": 49}
_ESCAPE = re.compile(r"[&<>]")  # a carriage return stays (readers take CR LF as a line break)
_SPECIAL = re.compile(r"[&<>]|^\s|\s$")  # to escape, or to keep its edge spaces
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_EPOCH = dt.datetime(1899, 12, 30)


@dataclass(frozen=True)
class Style:
    """How a cell looks: font, alignment, border and number format."""

    font_name: str
    size: float
    bold: bool = False
    color: str | None = None  # "C00000"
    align: str = "left"  # left | center | right | "" (the program's general alignment)
    wrap: bool = True
    border: bool = False
    number_format: str = "General"


class _Core(Core):
    """Core properties with the ``dc:identifier`` eprc stamps its files with."""

    def _write_dc_creator(self) -> None:
        super()._write_dc_creator()
        identifier = self.properties.get("identifier")
        if identifier:
            self._xml_data_element("dc:identifier", identifier)


class _Packager(Packager):
    def _write_core_file(self) -> None:
        core = _Core()
        core._set_properties(self.workbook.doc_properties)
        core._set_xml_writer(self._filename("docProps/core.xml"))
        core._assemble_xml_file()


class _Worksheet(Worksheet):
    def _write_cols(self) -> None:
        """One <col> a column, as Excel and openpyxl write them (xlsxwriter joins equal
        neighbours into a range, which openpyxl reads as one column and WPS re-saves badly)."""
        if not self.col_info:
            return
        self._xml_start_tag("cols")
        for col in sorted(self.col_info):
            self._write_col_info(col, col, self.col_info[col])
        self._xml_end_tag("cols")


class _Workbook(Workbook):
    worksheet_class = _Worksheet

    def _get_packager(self) -> Packager:
        return _Packager()


class Sheet:
    """One worksheet, written top to bottom a whole row at a time."""

    def __init__(self, book: Book, ws: Worksheet, ncols: int) -> None:
        self.book = book
        self.ws = ws
        self.row = 0  # rows written so far (1-based number of the last one)
        self._letters = [xl_col_to_name(n) for n in range(max(ncols, 1))]
        self._max_col = 0
        self._styles: dict[Format, str] = {}  # ' s="7"': a format's index in the workbook
        self._write = ws.fh.write

    @property
    def title(self) -> str:
        return self.ws.name

    # --- layout (before the first row) -------------------------------------------------------

    def set_widths(self, widths: Sequence[float]) -> None:
        """Column widths as stored in the file (the unit openpyxl and Excel's XML use)."""
        for n, width in enumerate(widths):
            # xlsxwriter stores pixels and writes pixels / 7: hand it the stored width × 7
            self.ws.set_column_pixels(n, n, width * 7)

    def page(self, *, paper: int = PAPER_A4, landscape: bool = False, fit_height: int = 0,
             margins: tuple[float, float, float, float] = (0.4, 0.4, 0.5, 0.6),
             header_footer_margins: tuple[float, float] = (0.3, 0.3),
             footer: str | None = "&C&10 第 &P 页，共 &N 页") -> None:
        """A4 (or A5), fitted to one page wide (and ``fit_height`` pages tall, 0: as many as it
        takes), centred across the page, margins in inches (left, right, top, bottom)."""
        ws = self.ws
        ws.set_paper(paper)
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, fit_height)
        # xlsxwriter leaves a count of 1 out (the schema's default); the sheets have always said
        # both counts, so every reader (WPS, openpyxl) sees them
        ws.fit_width, ws.fit_height = "1", str(fit_height)
        left, right, top, bottom = margins
        ws.set_margins(left=left, right=right, top=top, bottom=bottom)
        header_margin, footer_margin = header_footer_margins
        ws.set_header("", {"margin": header_margin})
        ws.set_footer(footer or "", {"margin": footer_margin})
        ws.center_horizontally()

    def repeat_rows(self, first: int, last: int) -> None:
        """Rows ``first``..``last`` (1-based) printed on every page."""
        self.ws.repeat_rows(first - 1, last - 1)

    def freeze(self, rows: int) -> None:
        """Keep the top ``rows`` in view when scrolling."""
        self.ws.freeze_panes(rows, 0)

    def print_area(self, last_row: int, last_col: int) -> None:
        self.ws.print_area(0, 0, last_row - 1, last_col - 1)

    # --- rows ---------------------------------------------------------------------------------

    def merge(self, row: int, first: int, last: int, to_row: int | None = None) -> None:
        """Merge columns ``first``..``last`` (1-based) of ``row`` (to ``to_row``): the cells are
        written with the rows; this only records the range."""
        self.ws.merge.append([row - 1, first - 1, (to_row or row) - 1, last - 1])

    def skip_row(self) -> None:
        """An empty row (nothing in it, the default height)."""
        self.row += 1

    def write_row(self, cells: Sequence[tuple[object, Format]], height: float | None = None) -> None:
        """The next row: each cell a value (str, int, float, Decimal, date, datetime, bool or
        None for a styled blank) with its format from :meth:`Book.format`."""
        self.row += 1
        r = str(self.row)
        if len(cells) > self._max_col:
            self._max_col = len(cells)
            if len(cells) > len(self._letters):
                self._letters = [xl_col_to_name(n) for n in range(len(cells))]
        letters = self._letters
        styles = self._styles
        parts = [f'<row r="{r}" ht="{float(height):.16g}" customHeight="1">' if height
                 else f'<row r="{r}">']
        append = parts.append
        for letter, (value, fmt) in zip(letters, cells, strict=False):  # letters may be more
            s = styles.get(fmt) or self._style(fmt)
            if value.__class__ is str:
                if not value:  # an empty text cell, as openpyxl writes one
                    append(f'<c r="{letter}{r}"{s} t="inlineStr"/>')
                elif _SPECIAL.search(value) is None:
                    append(f'<c r="{letter}{r}"{s} t="inlineStr"><is><t>{value}</t></is></c>')
                else:
                    append(self._text(f"{letter}{r}", s, value))
            elif value is None:
                append(f'<c r="{letter}{r}"{s}/>')
            elif value.__class__ is int:
                append(f'<c r="{letter}{r}"{s}><v>{value}</v></c>')
            else:
                append(self._other(f"{letter}{r}", s, value))
        append("</row>")
        self._write("".join(parts))

    def _style(self, fmt: Format) -> str:
        s = self._styles[fmt] = f' s="{fmt._get_xf_index()}"'
        return s

    @staticmethod
    def _text(ref: str, s: str, value: str) -> str:
        value = _ESCAPE.sub(lambda m: _ESCAPES[m.group()], value)
        space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{value}</t></is></c>'

    def _other(self, ref: str, s: str, value: object) -> str:
        if isinstance(value, bool):
            return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, str):  # a str subclass
            return self._text(ref, s, str(value)) if value else f'<c r="{ref}"{s} t="inlineStr"/>'
        if isinstance(value, Decimal):
            if value.is_finite():
                return f'<c r="{ref}"{s}><v>{value:f}</v></c>'
        elif isinstance(value, float):
            if math.isfinite(value):
                return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
        elif isinstance(value, int):  # an int subclass (an enum)
            return f'<c r="{ref}"{s}><v>{int(value)}</v></c>'
        elif isinstance(value, dt.datetime):
            serial = (value.replace(tzinfo=None) - _EPOCH) / dt.timedelta(days=1)
            return f'<c r="{ref}"{s}><v>{serial!r}</v></c>'
        elif isinstance(value, dt.date):
            return f'<c r="{ref}"{s}><v>{(value - _EPOCH.date()).days}</v></c>'
        return self._text(ref, s, str(value))

    def finish(self) -> None:
        """Tell xlsxwriter how far the rows went (its <dimension>)."""
        if self.row and self._max_col:
            self.ws._check_dimensions(0, 0)
            self.ws._check_dimensions(self.row - 1, self._max_col - 1)


class Book:
    """A new workbook, built in eprc's private temporary folder and packed only by ``save``."""

    def __init__(self, tmpdir: str | None = None) -> None:
        self._wb = _Workbook(None, {"constant_memory": True, "tmpdir": tmpdir,
                                    "strings_to_formulas": False, "strings_to_urls": False})
        self._sheets: list[Sheet] = []
        self._formats: dict[Style, Format] = {}
        self.creator = "eprc"
        self.identifier = ""
        self.keywords = ""

    @property
    def sheetnames(self) -> list[str]:
        return [s.title for s in self._sheets]

    @property
    def sheets(self) -> list[Sheet]:
        return list(self._sheets)

    def add_sheet(self, name: str, ncols: int) -> Sheet:
        sheet = Sheet(self, self._wb.add_worksheet(name), ncols)
        self._sheets.append(sheet)
        return sheet

    def format(self, style: Style) -> Format:
        """The workbook's one format for ``style``."""
        fmt = self._formats.get(style)
        if fmt is None:
            props: dict[str, object] = {
                "font_name": style.font_name, "font_size": style.size, "bold": style.bold,
                "valign": "vcenter", "text_wrap": style.wrap,
                "num_format": BUILTIN_FORMATS.get(style.number_format, style.number_format),
            }
            if style.align:
                props["align"] = style.align
            if style.color:
                props["font_color"] = f"#{style.color}"
            if style.border:
                props["border"] = 1
            fmt = self._formats[style] = self._wb.add_format(props)
        return fmt

    def save(self, fh: BinaryIO) -> None:
        """Pack the workbook into ``fh`` (the atomic writer's part file)."""
        for sheet in self._sheets:
            sheet.finish()
        if not self._sheets:
            self.add_sheet("Sheet1", 1)
        self._wb.set_properties({"author": self.creator, "identifier": self.identifier,
                                 "keywords": self.keywords})
        self._wb.filename = fh
        try:
            self._wb.close()
        except FileCreateError as exc:  # the disk's own error, for the clerk's message
            raise (exc.args[0] if exc.args and isinstance(exc.args[0], OSError)
                   else OSError(str(exc))) from None
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the row files of a workbook that will not be saved (or was)."""
        self._wb.fileclosed = True
        for sheet in self._sheets:
            ws = sheet.ws
            if not ws.row_data_fh_closed:
                ws.row_data_fh.close()
                ws.row_data_fh_closed = True
            if ws.row_data_filename and os.path.exists(ws.row_data_filename):
                os.remove(ws.row_data_filename)
