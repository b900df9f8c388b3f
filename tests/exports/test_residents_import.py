"""Importing the villages' messy resident sheets: every quirk, sheet row numbers, all or nothing."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from db.database import close_database, database
from db.history import row_history
from db.imports import import_residents
from db.models import AuditLog, Household, Resident
from eprc import cli
from exports.reader import SheetError
from exports.residents import read_residents
from tests.factories import full_width, make_id, village_sheet

A = make_id("19800101", 11)  # head of family 1 (male)
B = make_id("19820202", 22)  # spouse (female)
C = make_id("20100303", 33)  # child
D = make_id("19750505", 45)  # head of family 2
E = make_id("19600606", 58)  # lives alone, address only
BAD = A[:-1] + ("0" if A[-1] != "0" else "1")


def messy_rows() -> list[list[object]]:
    return [
        # row 4..6: one family, 户编号 merged down A4:A6 style (column B here)
        [1, "H-001", " 张 三 ", "男", A[:6] + " " + A[6:14] + " " + A[14:], "户主", 13812345678,
         "桃园村", "第一村民组", None, None, "1号", "zs001", None],
        [2, None, "李梅", "男", full_width(B), "配偶", "139 0000 1111", "桃园村", "第一村民组",
         None, None, "1号", None, "性别写错"],
        [3, None, "张小宝", "男", C.lower() if C.endswith("X") else C, "子", None, "桃园村",
         "第一村民组", None, None, "1号", None, None],
        [None] * 14,  # row 7: blank
        [4, "H-002", "王五", "男", int(D), "户主", "12345", "桃园村", "第二村民组", None, None,
         "8号", None, None],  # row 8: ID stored as a number -> rejected
        [5, "H-003", "赵六", "男", BAD, "户主", None, "桃园村", "第二村民组", None, None, "9号",
         None, None],  # row 9: bad checksum
        [6, "H-004", "钱七", "男", A, "户主", None, "桃园村", "第二村民组", None, None, "10号",
         None, None],  # row 10: duplicate of row 4
        [7, None, "孙八", "女", E, "户主", "0551-62345678", "桃园村", "第三村民组", None, None,
         "3号", None, None],  # row 11: no 户号, grouped by address
        [8, "H-005", "周九", "男", "3401221975", "户主", "13800000000", "桃园村", "第三村民组",
         None, None, "4号", None, None],  # row 12: wrong length
        [9, "H-006", "吴十", "男", make_id("19901010", 71), "户主", "abc", "桃园村",
         "第三村民组", None, None, "5号", None, None],  # row 13: bad phone -> warning
    ]


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    return village_sheet(tmp_path / "桃园村.xlsx", messy_rows(), merges=["B4:B6"])


def test_reader_finds_the_header_and_fills_merged_cells(sheet: Path) -> None:
    sheets, records = read_residents(sheet)
    table = sheets.tables[0]
    assert table.header_row == 3
    assert table.title == "桃园村居民信息登记表"
    assert table.unknown == ["微信号"]
    assert [r.row for r in records] == [4, 5, 6, 8, 9, 10, 11, 12, 13]
    assert [r.household_no for r in records[:3]] == ["H-001", "H-001", "H-001"]


def test_reader_keeps_sheet_positions_when_the_table_starts_off_a1(tmp_path: Path) -> None:
    """A hidden first sheet is skipped; a table pasted at C5 keeps Excel's row numbers and
    columns; numbers come back as whole numbers and date cells as dates."""
    wb = Workbook()
    hidden = wb.active
    hidden.title = "说明"
    hidden.sheet_state = "hidden"
    hidden.append(["姓名", "身份证号码"])
    ws = wb.create_sheet("登记")
    ws["C5"], ws["D5"], ws["E5"], ws["F5"] = "户号", "姓名", "身份证号码", "联系电话"
    ws["C6"], ws["D6"], ws["E6"], ws["F6"] = "H1", "张三", A, 13812345678
    ws["D7"], ws["E7"], ws["F7"] = "张小三", B, dt.date(2022, 4, 7)
    ws.merge_cells("C6:C7")
    wb.save(tmp_path / "off.xlsx")
    sheets, records = read_residents(tmp_path / "off.xlsx")
    table = sheets.tables[0]
    assert (table.sheet_name, table.header_row) == ("登记", 5)
    assert table.headers[:2] == ["", ""] and table.fields["name"] == 3
    assert [(r.row, r.name, r.household_no) for r in records] == [(6, "张三", "H1"),
                                                                   (7, "张小三", "H1")]
    assert records[0].phone == 13812345678 and isinstance(records[0].phone, int)
    assert records[1].phone == dt.date(2022, 4, 7)


def test_import_every_quirk(db_path: Path, sheet: Path) -> None:
    _sheets, records = read_residents(sheet)
    summary = import_residents(records, create_areas=True)
    assert (summary.added, summary.updated, summary.unchanged) == (5, 0, 0)
    rejected = {p.row: p.reason for p in summary.rejected}
    assert set(rejected) == {8, 9, 10, 12}
    assert "Excel" in rejected[8]
    assert "校验位" in rejected[9]
    assert "第4行重复" in rejected[10]
    assert "18位" in rejected[12]
    warnings = {p.row: p.reason for p in summary.warnings}
    assert "性别“男”与身份证号码不符" in warnings[5]
    assert "电话“abc”不是有效号码" in warnings[13]
    zhang = Resident.get(Resident.id_number == A)
    assert (zhang.name, zhang.phone, zhang.relation) == ("张三", "13812345678", "户主")
    li = Resident.get(Resident.id_number == B)
    assert (li.sex, li.phone, li.household_id) == ("女", "13900001111", zhang.household_id)
    assert Resident.get(Resident.id_number == C).household_id == zhang.household_id
    family = Household.get_by_id(zhang.household_id)
    assert family.number == "H-001" and family.area.name == "第一村民组"
    assert family.area.parent.name == "桃园村"
    alone = Resident.get(Resident.id_number == E)
    assert alone.household.number is None and alone.household.address == "第三村民组3号"
    assert alone.phone == "0551-62345678"
    assert Resident.get(Resident.name == "吴十").phone == "abc"
    assert summary.households == 3
    from db.residents import search_residents

    assert {r.name for r in search_residents("2345678")} == {"张三", "孙八"}  # phone digits
    assert [r.name for r in search_residents("第三村民组3")] == ["孙八"]  # address words index
    # one entry per table for the new rows (ids as ranges), one for the file
    assert AuditLog.select().where(AuditLog.action == "导入").count() == 2 + 1
    for model in (Resident, Household):
        for row in model.select():
            assert [(h.action, h.whose) for h in row_history(model._meta.table_name, row.id)] == [
                ("导入", "5条" if model is Resident else "3条")]


def test_reimport_adds_no_one_and_updates_what_changed(db_path: Path, sheet: Path,
                                                        tmp_path: Path) -> None:
    import_residents(read_residents(sheet)[1], create_areas=True)
    again = import_residents(read_residents(sheet)[1], create_areas=True)
    assert (again.added, again.updated, again.unchanged, again.households) == (0, 0, 5, 0)
    rows = messy_rows()
    rows[0][6] = "13811112222"
    changed = village_sheet(tmp_path / "v2.xlsx", rows, merges=["B4:B6"])
    third = import_residents(read_residents(changed)[1], create_areas=True)
    assert (third.added, third.updated, third.unchanged) == (0, 1, 4)
    assert Resident.get(Resident.id_number == A).phone == "13811112222"
    assert Resident.select().count() == 5


def test_dry_run_writes_nothing(db_path: Path, sheet: Path) -> None:
    summary = import_residents(read_residents(sheet)[1], dry_run=True)
    assert summary.added == 5 and summary.households == 3
    assert Resident.select().count() == 0 and Household.select().count() == 0


def test_a_failure_while_writing_leaves_the_file_as_before(
    db_path: Path, sheet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import db.imports as imports

    def exploding(*args: object, **kwargs: object) -> None:
        database.execute_sql("INSERT INTO household (address, pass_card, notes, unit, door) "
                             "VALUES ('half', '', '', '', '')")
        raise RuntimeError("power cut")

    monkeypatch.setattr(imports, "_write", exploding)
    with pytest.raises(RuntimeError):
        import_residents(read_residents(sheet)[1], create_areas=True)
    assert Household.select().count() == 0 and Resident.select().count() == 0


def test_cli_json_errors_file_and_exit(tmp_path: Path, sheet: Path) -> None:
    db = tmp_path / "cli.db"
    errors = tmp_path / "问题.xlsx"
    CliRunner().invoke(cli, ["init", "--db", str(db)])
    result = CliRunner().invoke(cli, ["import", "residents", str(sheet), "--db", str(db),
                                      "--json", "--errors", str(errors), "--create-areas"])
    close_database()
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["households"]) == (5, 3)
    assert [r["row"] for r in summary["rejected"]] == [8, 9, 10, 12]
    assert any("微信号" in w["reason"] for w in summary["warnings"])
    ws = load_workbook(errors).active
    header = [c.value for c in ws[2]]
    assert header[:3] == ["序号", "户编号", "姓名"] and header[-2:] == ["原行号", "问题"]
    body = {row[-2]: row for row in ws.iter_rows(min_row=3, values_only=True) if row[-2]}
    assert set(body) == {5, 8, 9, 10, 12, 13}
    assert body[9][2] == "赵六" and "校验位" in body[9][-1]
    assert body[8][4] == pytest.approx(int(D))  # the original, damaged value as it came


@pytest.mark.parametrize(
    ("content", "fragment"),
    [(b"", "空文件"), (b"\xd0\xcf\x11\xe0" + b"\x00" * 600, ".xls"),
     ("姓名,身份证号\n张三,1\n".encode(), "不是 Excel"), (b"PK\x03\x04garbage", "损坏")],
)
def test_bad_files_are_refused_clearly(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    with pytest.raises(SheetError) as exc:
        read_residents(path)
    assert fragment in str(exc.value)


def test_sheet_without_header_is_refused(tmp_path: Path) -> None:
    path = village_sheet(tmp_path / "x.xlsx", [["a", "b"]], header=["甲", "乙", "丙"])
    with pytest.raises(SheetError, match="找不到表头行"):
        read_residents(path)


def test_an_import_loads_no_pinyin_phrase_dictionary(tmp_path: Path) -> None:
    """Name initials need only single-character readings and the surname table: pypinyin's
    phrase dictionaries (some 67 MB) must stay unloaded, or a 20,000-row import passes 150 MB.
    A fresh interpreter, so no other test's import counts."""
    sheet = village_sheet(tmp_path / "v.xlsx", [
        [1, "H1", "曾小明", "男", A, "户主", "13800000001", "桃园村", "一组", "1栋", "1", "101"]])
    script = (
        "import sys\nfrom pathlib import Path\nfrom db.database import open_database\n"
        "from exports.residents import import_residents_file\n"
        f"open_database(Path({str(tmp_path / 'e.db')!r}))\n"
        f"summary = import_residents_file(Path({str(sheet)!r}), create_areas=True)\n"
        "print(summary.added, *sorted(m for m in sys.modules if m.startswith('pypinyin')))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    added, *modules = done.stdout.split()
    assert added == "1"
    assert not [m for m in modules if "phrases" in m]
