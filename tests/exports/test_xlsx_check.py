"""The xlsx safety check against hostile sheets: every far cell calamine would place is found,
however its tag is spelled, and the fast path over big sheets never accepts what the full scan
would trim or refuse.

Each file is checked with :func:`exports.xlsx_check.check_workbook`, then what it hands on is
read with python-calamine, the reader the check protects: the rectangle it builds must be the
small table, not the far cell's."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from exports import xlsx_check
from exports.xlsx_check import SheetError, check_workbook

SHEET = "xl/worksheets/sheet1.xml"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
        '"xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
        '"worksheets/sheet1.xml"/></Relationships>'),
}
HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        b'org/spreadsheetml/2006/main"><dimension ref="A1:D%d"/><sheetData>')
TAIL = b'</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75"/></worksheet>'


def row(n: int) -> bytes:
    """One row of a sampling list as openpyxl writes it: four cells, A to D."""
    return (b'<row r="%d"><c r="A%d" t="n"><v>%d</v></c><c r="B%d" t="inlineStr"><is><t>'
            b"\xe5\xbc\xa0%d</t></is></c><c r=\"C%d\" t=\"inlineStr\"><is><t>3401221987081067%02d"
            b'</t></is></c><c r="D%d" s="1" t="n"><v>13800000000</v></c></row>'
            % (n, n, n, n, n, n, n % 100, n))


def sheet_xml(rows: int) -> bytes:
    return HEAD % rows + b"".join(row(n) for n in range(1, rows + 1)) + TAIL


def xlsx(path: Path, xml: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in PARTS.items():
            z.writestr(name, text)
        z.writestr(SHEET, xml)
    return path


def read_back(path: Path) -> tuple[dict[str, str], int, int]:
    """The check's notes, and the rows and columns of the rectangle calamine builds from what
    the check hands on."""
    checked = check_workbook(path)
    source = checked.source
    workbook = (CalamineWorkbook.from_path(str(source)) if isinstance(source, Path)
                else CalamineWorkbook.from_filelike(source))
    table = workbook.get_sheet_by_index(0).to_python()
    workbook.close()
    return checked.notes, len(table), max(map(len, table), default=0)


# ---- however a far cell is written, the full scan places it where calamine does -------------

FAR_CELLS = {
    # calamine places a cell by its own reference, not by its row's
    "own-row": (b'<c r="A3" t="n">', b'<c r="A1048576" t="n">', "第1048576行"),
    "lowercase": (b'<c r="B3"', b'<c r="xfd3"', "XFD列"),
    "single-quotes": (b'<c r="B3"', b"<c r='XFD3'", "XFD列"),
    "spaces-around-equals": (b'<c r="B3"', b'<c r = "XFD3"', "XFD列"),
    "tab-before-r": (b'<c r="B3"', b'<c\tr="XFD3"', "XFD列"),
    "slash-in-a-value": (b'<c r="B3" t="inlineStr">', b'<c r="XFD3" t="inlineStr" x="/">',
                         "XFD列"),
    "greater-than-in-a-value": (b'<c r="B3" t="inlineStr">',
                                b'<c x="a>b" r="XFD3" t="inlineStr">', "XFD列"),
    "second-r": (b'<c r="B3"', b'<c r="B3" r="XFD3"', "XFD列"),  # calamine takes the last
    "leading-zeros": (b'<c r="A3" t="n">', b'<c r="A0001048576" t="n">', "第1048576行"),
    "foreign-prefix": (b'<c r="B3" t="inlineStr"><is><t>\xe5\xbc\xa03</t></is></c>',
                       b'<y:c r="XFD3" t="inlineStr"><is><t>\xe5\xbc\xa03</t></is></y:c>',
                       "XFD列"),
}


@pytest.mark.parametrize("name", sorted(FAR_CELLS))
def test_a_far_cell_however_written_is_left_out(tmp_path: Path, name: str) -> None:
    old, new, named = FAR_CELLS[name]
    xml = sheet_xml(5)
    assert old in xml
    notes, rows, width = read_back(xlsx(tmp_path / f"{name}.xlsx", xml.replace(old, new, 1)))
    assert named in notes["名单"]
    assert rows <= 5 and width <= 4, (rows, width)


@pytest.mark.parametrize(("old", "new", "why"), [
    (b'<c r="B3"', b'<c r="&#88;FD3"', "无法识别"),
])
def test_a_cell_whose_place_is_unclear_is_refused(tmp_path: Path, old: bytes, new: bytes,
                                                  why: str) -> None:
    path = xlsx(tmp_path / "odd.xlsx", sheet_xml(5).replace(old, new, 1))
    with pytest.raises(SheetError, match=f"“odd.xlsx”的工作表“名单”已损坏（.*{why}"):
        check_workbook(path)


def test_a_plain_sheet_is_handed_on_as_it_is(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "plain.xlsx", sheet_xml(50))
    assert check_workbook(path).source == path
    assert read_back(path) == ({}, 50, 4)


def test_the_trimmed_copy_keeps_every_near_cell(tmp_path: Path) -> None:
    xml = sheet_xml(5).replace(b'<c r="A3" t="n">', b'<c r="A1048576" t="n">', 1)
    checked = check_workbook(xlsx(tmp_path / "t.xlsx", xml))
    assert isinstance(checked.source, io.BytesIO)
    table = CalamineWorkbook.from_filelike(checked.source).get_sheet_by_index(0).to_python()
    assert [r[1] for r in table] == ["张1", "张2", "张3", "张4", "张5"]
    assert table[2][0] == ""  # the far cell's value is gone, its row's other cells are kept


@pytest.mark.parametrize("shift", range(0, 48, 4))
def test_a_row_end_inside_an_attribute_does_not_hide_a_far_cell(tmp_path: Path, monkeypatch,
                                                                  shift: int) -> None:
    """calamine takes "<" and "</row>" inside an attribute's value as text: a scan that cuts the
    XML into pieces after "</row>" must not cut such a tag in two and lose its r="…"."""
    monkeypatch.setattr(xlsx_check, "CHUNK", 4096)
    head = HEAD % 40 + b"".join(row(n) for n in range(1, 40))
    opening = b'<row r="40"><c r="A40" t="inlineStr"><is><t>'
    hidden = b'</t></is></c><c x="</row>'  # its "</row>" ends near a multiple of 4,096 bytes
    boundary = 4096 * ((len(head) + 400) // 4096 + 1)
    text = b"x" * (boundary - 24 + shift - len(head) - len(opening) - len(hidden))
    xml = (head + opening + text + hidden + b'" r="XFD40" t="n"><v>1</v></c></row>' + TAIL)
    notes, rows, width = read_back(xlsx(tmp_path / "cut.xlsx", xml))
    assert "XFD列" in notes["名单"]
    assert rows <= 40 and width <= 4, (rows, width)


# ---- the fast path proves only what the full scan would accept ---------------------------------

def outcome(path: Path) -> tuple[str, dict[str, str]]:
    """What the check says of ``path``: its error, or its notes."""
    try:
        return "", check_workbook(path).notes
    except SheetError as exc:
        return str(exc), {}


def fast_and_full(path: Path, monkeypatch) -> tuple[tuple[str, dict[str, str]], ...]:
    fast = outcome(path)
    with monkeypatch.context() as m:
        m.setattr(xlsx_check, "_fast", lambda extent, chunks: False)
        full = outcome(path)
    return fast, full


def inflated(xml: bytes) -> list[bytes]:
    """``xml`` in the chunks _inflate hands on."""
    return [xml[n:n + xlsx_check.CHUNK] for n in range(0, len(xml), xlsx_check.CHUNK)]


def proved_fast(xml: bytes) -> bool:
    return xlsx_check._fast(xlsx_check.Extent("p"), iter(inflated(xml)))


def test_the_fast_path_takes_a_plain_sheet_in_many_pieces(monkeypatch) -> None:
    monkeypatch.setattr(xlsx_check, "SLICE", 4096)
    monkeypatch.setattr(xlsx_check, "CHUNK", 1024)
    xml = sheet_xml(400)
    extent = xlsx_check.scan_sheet("p", lambda: iter([xml]), len(xml), "f.xlsx", "名单")
    assert extent.fast and extent.keep_columns == (1, 4) and extent.keep_rows == (1, 400)
    assert not extent.rewrite


# Each is written into row 200 of 400, in a middle piece of the fast path's, and each passes a
# fast path that leaves out the check named beside it (tried: every one went red).
MIDDLE = {
    "own-far-row": (b'<c r="A200" t="n">', b'<c r="A1048576" t="n">'),  # row range
    "far-row-within-limits": (b'<c r="A200" t="n">', b'<c r="A400000" t="n">'),  # row range
    "far-column": (b'<c r="B200"', b'<c r="XFD200"'),  # column set
    "near-column-outside-the-first-pieces": (b'<c r="B200"', b'<c r="BZ200"'),  # column set
    "lowercase": (b'<c r="B200"', b'<c r="xfd200"'),  # capitals only
    "tab-before-r": (b'<c r="B200"', b'<c\tr="XFD200"'),  # <c agrees with <c r="
    "tab-before-a-second-r": (b'<c r="B200"', b'<c r="B200"\tr="XFD200"'),  # no tabs
    "second-r": (b'<c r="B200"', b'<c r="B200" r="XFD200"'),  # every space-led r
    "second-r-after-a-row-end-in-a-value": (b'<c r="B200"', b'<c r="B200" x="</row>" r="XFD200"'),
    "single-quotes": (b'<c r="B200"', b"<c r='XFD200'"),  # <c agrees with <c r="
    "spaces-around-equals": (b'<c r="B200"', b'<c r = "XFD200"'),
    "prefixed": (b'<c r="B200" t="inlineStr"><is><t>\xe5\xbc\xa0200</t></is></c>',
                 b'<y:c r="XFD200" t="inlineStr"><is><t>\xe5\xbc\xa0200</t></is></y:c>'),  # :c
    "no-reference": (b'<c r="D200" s="1" t="n"><v>13800000000</v></c>',  # <c agrees with <c r="
                     b'<c r="D200" s="1" t="n"><v>13800000000</v></c>'
                     + b'<c s="1"/>' * 100 + b"<c><v>1</v></c>"),  # placed in column 105
    "far-cell-in-the-last-row": (b'<c r="D400"', b'<c r="XFD400"'),  # column set, last piece
    "far-row-in-the-last-cell": (b'<c r="D400"', b'<c r="D1048576"'),  # rows × columns
    "prefixed-no-reference": (b'<c r="D200" s="1" t="n"><v>13800000000</v></c>',  # :c
                              b'<c r="D200" s="1" t="n"><v>13800000000</v></c>'
                              + b"<y:c/>" * 100 + b"<y:c><v>1</v></y:c>"),  # in column 105
}


@pytest.mark.parametrize("name", sorted(MIDDLE))
def test_a_hostile_cell_in_the_middle_gets_the_full_scans_verdict(tmp_path: Path, monkeypatch,
                                                                  name: str) -> None:
    monkeypatch.setattr(xlsx_check, "SLICE", 4096)
    monkeypatch.setattr(xlsx_check, "CHUNK", 1024)
    old, new = MIDDLE[name]
    xml = sheet_xml(400)
    assert old in xml
    xml = xml.replace(old, new, 1)
    assert not proved_fast(xml)
    path = xlsx(tmp_path / f"{name}.xlsx", xml)
    fast, full = fast_and_full(path, monkeypatch)
    assert fast == full
    if fast[1]:  # far cells left out: what calamine gets is the table
        notes, rows, width = read_back(path)
        assert rows <= 400 and width <= 4, (notes, rows, width)


def test_a_row_written_twice_in_the_middle_is_refused_as_the_full_scan_does(
        tmp_path: Path, monkeypatch) -> None:
    """The same-cell bomb's shape, hidden after plain pieces: rows 200 to 299 all written as
    row 200 (pieces must follow each other in rows), or row 250 written twice (a piece must hold
    no more cells than its rows × columns)."""
    monkeypatch.setattr(xlsx_check, "SLICE", 4096)
    monkeypatch.setattr(xlsx_check, "CHUNK", 1024)
    plain = sheet_xml(400)
    start, end = plain.index(b'<row r="200">'), plain.index(b'<row r="300">')
    for name, xml in (("row-200", plain[:start] + row(200) * 100 + plain[end:]),
                      ("row-250", plain.replace(row(250), row(250) * 2))):
        assert not proved_fast(xml), name
        fast, full = fast_and_full(xlsx(tmp_path / f"{name}.xlsx", xml), monkeypatch)
        assert fast == full and "同一单元格出现多次" in fast[0], name


def test_rows_written_again_from_a_pieces_start_are_refused_as_the_full_scan_does(
        tmp_path: Path, monkeypatch) -> None:
    """Rows written again, starting exactly where a piece of the fast path's starts: each piece
    alone looks right, so pieces must follow each other in rows."""
    monkeypatch.setattr(xlsx_check, "SLICE", 4096)
    monkeypatch.setattr(xlsx_check, "CHUNK", 1024)
    plain = sheet_xml(400)
    starts = [int(piece[0][0][8:piece[0][0].index(b'"', 8)])  # each opens with <row r="N"
              for piece in list(xlsx_check._pieces(iter(inflated(plain))))[1:]]
    first = next(number for number in starts if number >= 200)
    copied = b"".join(row(n - 100) for n in range(first, first + 50))  # as long: same cuts
    start, end = plain.index(b'<row r="%d">' % first), plain.index(b'<row r="%d">' % (first + 50))
    xml = plain[:start] + copied + plain[end:]
    assert len(xml) == len(plain) and not proved_fast(xml)
    fast, full = fast_and_full(xlsx(tmp_path / "again.xlsx", xml), monkeypatch)
    assert fast == full and "同一单元格出现多次" in fast[0]


def test_rows_numbered_apart_from_their_cells_are_taken_as_calamine_takes_them(
        tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(xlsx_check, "SLICE", 4096)
    monkeypatch.setattr(xlsx_check, "CHUNK", 1024)
    xml = sheet_xml(400).replace(b'<row r="200">', b'<row r="1048576">', 1)
    path = xlsx(tmp_path / "rows.xlsx", xml)
    fast, full = fast_and_full(path, monkeypatch)
    assert fast == full == ("", {})
    assert read_back(path) == ({}, 400, 4)
