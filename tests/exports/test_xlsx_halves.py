"""A long sheet read in two halves side by side gives exactly what calamine gives for the whole
sheet, or is read whole: rows out of order, text that could hide a row tag, a cut that breaks
a tag. The halving size is lowered here so that small sheets take the same path."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from db import clock, testing
from db.database import database
from db.models import Resident
from exports import xlsx_halves
from exports.reader import open_checked
from exports.sampling import import_sample_list
from exports.xlsx_check import check_workbook
from exports.xlsx_halves import HalvedSheet
from tests.exports.test_xlsx_check import HEAD, SHEET, TAIL, row, sheet_xml, xlsx


@pytest.fixture(autouse=True)
def small_halves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_halves, "HALVE_BYTES", 2_000)
    monkeypatch.setattr(xlsx_halves, "cores", lambda: 2)


def whole(path: Path) -> tuple[object, object, list[list[object]]]:
    """What calamine gives for the whole sheet: its corners and its rows."""
    workbook = CalamineWorkbook.from_path(str(path))
    sheet = workbook.get_sheet_by_index(0)
    found = (sheet.start, sheet.end, list(sheet.iter_rows()))
    workbook.close()
    return found


def read(path: Path) -> tuple[bool, tuple[object, object, list[list[object]]]]:
    """Whether the reader halved the sheet, and its corners and rows as the reader gives them."""
    with open_checked(path) as (workbook, visible, _notes):
        sheet = workbook.get_sheet_by_name(visible[0])
        return isinstance(sheet, HalvedSheet), (sheet.start, sheet.end, list(sheet.iter_rows()))


def rows_xml(rows: list[bytes]) -> bytes:
    return HEAD % len(rows) + b"".join(rows) + TAIL


def test_a_plain_long_sheet_is_read_in_halves_exactly_as_whole(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "list.xlsx", sheet_xml(60))
    halved, found = read(path)
    assert halved
    assert found == whole(path)
    assert len(found[2]) == 60 and found[2][59][1] == "张60"


def halves(path: Path) -> tuple[object, object]:
    """The first cells (row, column) of the two halves the reader joined."""
    with open_checked(path) as (workbook, visible, _notes):
        sheet = workbook.get_sheet_by_name(visible[0])
        assert isinstance(sheet, HalvedSheet)
        return sheet.first.start, sheet.second.start


def without_a(rows: list[bytes]) -> list[bytes]:
    return [re.sub(rb'<c r="A[0-9]+" t="n"><v>[0-9]+</v></c>', b"", r) for r in rows]


@pytest.mark.parametrize(("shape", "starts"), [
    ("second-half-starts-at-B", lambda first, second: first[1] == 0 and second[1] == 1),
    ("first-half-starts-at-B", lambda first, second: first[1] == 1 and second[1] == 0),
    ("blank-rows-at-the-cut", lambda first, second: second[0] == 36),
    ("blank-rows-on-top", lambda first, second: first == (4, 0)),
])
def test_halves_of_different_shapes_join_as_the_whole(tmp_path: Path, shape: str,
                                                      starts: Callable[..., bool]) -> None:
    """Calamine gives each sheet's rows from row 1 but its columns from the first used one:
    the halves start at different columns, or rows are missing where the sheet is cut."""
    rows = [row(n) for n in range(1, 61)]
    if shape == "second-half-starts-at-B":
        rows = rows[:15] + without_a(rows[15:])
    elif shape == "first-half-starts-at-B":
        rows = without_a(rows[:45]) + rows[45:]
    elif shape == "blank-rows-at-the-cut":
        rows = rows[:25] + rows[36:]  # the middle of the bytes is between rows 26 and 36
    else:
        rows = rows[4:]
    path = xlsx(tmp_path / f"{shape}.xlsx", rows_xml(rows))
    assert starts(*halves(path))
    halved, found = read(path)
    assert halved
    assert found == whole(path)


def test_rows_out_of_order_are_read_whole(tmp_path: Path) -> None:
    """Row 5 written in the second half lies among the first half's rows: joined, it would be
    lost. (The check's fast path lets rows of one piece come in any order.)"""
    rows = [row(n) for n in range(1, 61)]
    path = xlsx(tmp_path / "shuffled.xlsx", rows_xml(rows[:4] + rows[5:45] + [rows[4]] + rows[45:]))
    assert check_workbook(path, keep=2_000).parts  # the halves are tried
    halved, found = read(path)
    assert not halved
    assert found == whole(path)
    assert found[2][4][1] == "张5"


@pytest.mark.parametrize("text", [b"<!-- <row r=\"99\"> -->", b"<?note <row r=\"99\">?>"])
def test_text_that_could_hide_a_row_tag_is_read_whole(tmp_path: Path, text: bytes) -> None:
    rows = [row(n) for n in range(1, 61)]
    path = xlsx(tmp_path / "comment.xlsx", rows_xml(rows[:40] + [text] + rows[40:]))
    halved, found = read(path)
    assert not halved
    assert found == whole(path)


def test_a_cut_that_breaks_a_tag_is_read_whole(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the cut falls is xlsx_halves' own choice; were it ever wrong (inside a cell's
    tag), the halves fail to read or meet, and the whole sheet is read."""
    xml = sheet_xml(60)
    path = xlsx(tmp_path / "list.xlsx", xml)
    inside = xml.find(b'<c r="B31"') + 5
    start = xml.find(b"<sheetData>") + len(b"<sheetData>")
    monkeypatch.setattr(xlsx_halves, "_cut",
                        lambda _xml: (start, inside, xml.rfind(b"</sheetData>")))
    halved, found = read(path)
    assert not halved
    assert found == whole(path)


def test_the_check_keeps_the_xml_only_of_a_lone_long_plain_sheet(tmp_path: Path) -> None:
    xml = sheet_xml(60)
    plain = check_workbook(xlsx(tmp_path / "plain.xlsx", xml), keep=2_000)
    assert plain.sheet_part == SHEET and plain.parts[SHEET] == xml
    assert "xl/workbook.xml" in plain.parts
    assert not check_workbook(xlsx(tmp_path / "plain.xlsx", xml), keep=len(xml) + 1).parts
    assert not check_workbook(xlsx(tmp_path / "plain.xlsx", xml)).parts
    far = xml.replace(b'<c r="A3" t="n">', b'<c r="A1048576" t="n">', 1)
    assert not check_workbook(xlsx(tmp_path / "far.xlsx", far), keep=2_000).parts
    quoted = xml.replace(b'<c r="B3"', b"<c r='B3'", 1)  # near, but not for the fast path
    assert not check_workbook(xlsx(tmp_path / "quoted.xlsx", quoted), keep=2_000).parts


def test_a_list_read_in_halves_checks_off_the_same_as_read_whole(
        demo_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    people = list(Resident.select().where(Resident.status == "在册").order_by(Resident.id)
                  .limit(80))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("采样名单")
    ws.append(["全员核酸采样人员名单"])
    ws.append(["序号", "姓名", "证件号码", "手机号", "采样时间"])
    at = dt.datetime(2022, 4, 12, 6, 30)
    for n, person in enumerate(people, start=1):
        ws.append([n, person.name, person.id_number, person.phone, at + dt.timedelta(minutes=n)])
    wb.save(tmp_path / "list.xlsx")
    made: list[HalvedSheet] = []
    monkeypatch.setattr(xlsx_halves, "HalvedSheet",
                        lambda *a: made.append(HalvedSheet(*a)) or made[-1])
    today = clock.today()
    checked_off = {}
    for halves in (True, False):
        monkeypatch.setattr(xlsx_halves, "HALVE_BYTES", 2_000 if halves else 2**40)
        found = testing.new_round(f"第{len(checked_off) + 1}轮", today, today)
        result = import_sample_list(found.id, tmp_path / "list.xlsx")
        assert (result.matched, result.unmatched) == (80, [])
        checked_off[halves] = database.execute_sql(
            "SELECT resident_id, at, source FROM sample WHERE round_id = ? ORDER BY resident_id",
            [found.id]).fetchall()
    assert len(made) == 1  # the first import was read in halves, the second whole
    assert checked_off[True] == checked_off[False]
    assert len(checked_off[True]) == 80 and checked_off[True][0][2] == "list.xlsx:采样名单:3"
