"""Every export in the catalog, on paper.

The demo township (small, seed 7, on a fixed Monday) is exported once, through the catalog as
the report centre does it. The sheets are read back with openpyxl for the readability floor;
then all of them are rendered to PDF with LibreOffice in one call and read back with
pdfplumber: no two text lines of a page overlap, no text is smaller than 8 pt, page 1 holds the
title and header (and every page the header), and the page count is what the row heights say.

LibreOffice and the fonts it needs (fonts-wqy-microhei, fonts-crosextra-carlito; see
bench/print_pages.py) are installed by .ci/run. Without them the PDF test is skipped with the
reason, except under CI=true, where it fails.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bench.print_pages import DEMO_DAY, export_all, missing_fonts, soffice, to_pdf, week_options
from db.database import close_database
from db.demo import build_demo
from exports.catalog import EXPORTS
from exports.sheet import A4_POINTS, MIN_PRINTED_PT, fit_scale
from tests.factories import round_in_progress

KEYS = [e.key for e in EXPORTS]
PRINT_VERSIONS = {key[:-len("_print")] for key in KEYS if key.endswith("_print")}
TOLERANCE_PT = 1.0  # glyph boxes may touch; overlapping by more than this is overlapping
SAMPLED_PAGES = 4  # pages read closely in a long PDF: the first ones and the last (pdfminer is slow)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """Every catalog export of the demo township, by key."""
    folder = tmp_path_factory.mktemp("print")
    build_demo(folder / "demo.db", "small", seed=7, today=DEMO_DAY)
    _clerks_day()
    try:
        files = export_all(folder / "xlsx", week_options(DEMO_DAY))
    finally:
        close_database()
    yield {path.stem: path for path in files}


@pytest.fixture(scope="module")
def pdfs(exported: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same files as PDFs, from ONE LibreOffice run."""
    missing = [] if soffice() else ["LibreOffice (soffice)"]
    missing += missing_fonts()
    if missing:
        reason = (f"cannot check printing, not installed: {', '.join(missing)} (apt-get install "
                  "libreoffice-calc-nogui fonts-wqy-microhei fonts-crosextra-carlito)")
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    files = list(exported.values())
    made = to_pdf(files, tmp_path_factory.mktemp("pdf"))
    return {path.stem: path for path in made}


def _clerks_day() -> None:
    """The demo logs its changes at the time it is built; give the audit sheet a day of changes
    in the printed week, long notes and an imported file among them."""
    from db.models import AuditLog

    blob = base64.b64encode(bytes(range(256)) * 8).decode()
    for n in range(40):
        AuditLog.insert(at=dt.datetime.combine(DEMO_DAY, dt.time(9, n)), who="王华",
                        action="修改", table="resident", row_id=n + 1,
                        before=json.dumps({"notes": ""}),
                        after=json.dumps({"notes": "长期外出务工，联系家属核实返乡时间。" * (n % 4),
                                          "phone": f"1380000{n:04d}"}, ensure_ascii=False)
                        ).execute()
    AuditLog.insert(at=dt.datetime.combine(DEMO_DAY, dt.time(11)), who="王华", action="导入",
                    table="pushed_batch", row_id=2, before=None,
                    after=json.dumps({"file_name": "推送.xlsx", "source": blob})).execute()
    round_in_progress(DEMO_DAY, 400, 300, (280, 330), 320)  # running on the printed day




def _widths(ws: Worksheet) -> list[float]:
    return [ws.column_dimensions[get_column_letter(n)].width or 8.43
            for n in range(1, ws.max_column + 1)]


def _title_rows(ws: Worksheet) -> range:
    if not ws.print_title_rows:
        return range(0)
    first, last = (int(n) for n in re.findall(r"\d+", ws.print_title_rows))
    return range(first, last + 1)


def _body_size(ws: Worksheet) -> float:
    """The font size of the first data cell below the header (the sheet's body text)."""
    rows = _title_rows(ws)
    row = (rows.stop if rows else 2)
    for cells in ws.iter_rows(min_row=row, max_row=ws.max_row):
        for cell in cells:
            if cell.value is not None and cell.font is not None:
                return float(cell.font.sz)
    return 11.0


def test_every_export_is_in_the_run(exported: dict[str, Path]) -> None:
    assert sorted(exported) == sorted(KEYS)
    assert {"ledger", "home", "monitor"} <= PRINT_VERSIONS
    assert load_workbook(exported["audit"]).active.max_row > 40


@pytest.mark.parametrize("key", KEYS)
def test_readability_floor(exported: dict[str, Path], key: str) -> None:
    """scale × body font ≥ 8 pt, where scale is what fitting to one A4 width gives; a ledger
    too wide for that has its 打印版 in the catalog."""
    if key in PRINT_VERSIONS:
        pytest.skip(f"{key} keeps its layout for e-mail; {key}_print is printed")
    for ws in load_workbook(exported[key]).worksheets:
        if not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage:
            continue
        if ws.page_setup.fitToWidth != 1:
            continue
        scale = fit_scale(_widths(ws), ws.page_setup.orientation == "landscape")
        assert scale * _body_size(ws) >= MIN_PRINTED_PT, (key, ws.title, scale)


@dataclass
class Page:
    text: str
    sizes: list[float]
    overlaps: list[tuple[str, str]]


def _overlaps(chars: list[dict]) -> list[tuple[str, str]]:
    """Pairs of glyphs whose boxes overlap: text of one line running into another."""
    chars = sorted(chars, key=lambda c: c["top"])
    found = []
    for i, a in enumerate(chars):
        for b in chars[i + 1:]:
            if b["top"] >= a["bottom"] - TOLERANCE_PT:
                break
            high = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            wide = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            if high > TOLERANCE_PT and wide > TOLERANCE_PT:
                found.append((a["text"], b["text"]))
    return found


def _pages(pdf: Path) -> tuple[int, list[Page]]:
    """The page count, and pages 1–3 and the last page read closely."""
    import pdfplumber

    pages = []
    with pdfplumber.open(pdf) as doc:
        count = len(doc.pages)
        sample = sorted({*range(min(count, SAMPLED_PAGES - 1)), count - 1})
        for n in sample:
            chars = [c for c in doc.pages[n].chars if c["text"].strip()]
            pages.append(Page("".join(c["text"] for c in chars),
                              [c["size"] for c in chars], _overlaps(chars)))
    return count, pages


def _plain(value: object) -> str:
    return re.sub(r"\s+", "", str(value))


def _expected_pages(ws: Worksheet) -> tuple[int, int]:
    """The pages a sheet's row heights make, from the most to the least room a page can give
    (LibreOffice may or may not take the header and footer out of the margins)."""
    titles = _title_rows(ws)
    heights = {r: ws.row_dimensions[r].height or 15.0 for r in range(1, ws.max_row + 1)}
    repeated = sum(heights[r] for r in titles)
    body = sum(h for r, h in heights.items() if r not in titles)
    landscape = ws.page_setup.orientation == "landscape"
    paper = A4_POINTS[0] if landscape else A4_POINTS[1]
    margins = (ws.page_margins.top + ws.page_margins.bottom) * 72
    furniture = (ws.page_margins.header + ws.page_margins.footer) * 72 + 30
    scale = fit_scale(_widths(ws), landscape)
    most = (paper - margins) / scale - repeated
    least = (paper - margins - furniture) / scale - repeated
    return max(1, math.ceil(body / most)), math.ceil(body / least) + 1


@pytest.mark.parametrize("key", KEYS)
def test_printed(pdfs: dict[str, Path], exported: dict[str, Path], key: str) -> None:
    count, pages = _pages(pdfs[key])
    for n, page in enumerate(pages, start=1):
        assert not page.overlaps, f"{key} page {n}: lines overlap {page.overlaps[:5]}"
    if key not in PRINT_VERSIONS:
        smallest = min(size for page in pages for size in page.sizes)
        assert smallest >= MIN_PRINTED_PT - 0.05, f"{key}: {smallest:.1f} pt"
    sheets = load_workbook(exported[key]).worksheets
    first = sheets[0]
    assert _plain(first["A1"].value) in _plain(pages[0].text), key
    header = [_plain(str(c.value).split("\n")[0])
              for c in first[max(_title_rows(first), default=1)] if c.value is not None]
    for page in pages[:len(pages) if len(sheets) == 1 else 1]:
        assert all(h in _plain(page.text) for h in header), (key, header)  # on every page
    if key in ("notices", "roster", "daily"):  # forms: one page a household / checkpoint / day
        assert count == len(sheets), key
    else:
        low = sum(_expected_pages(ws)[0] for ws in sheets)
        high = sum(_expected_pages(ws)[1] for ws in sheets)
        assert low <= count <= high, (key, count, low, high)
