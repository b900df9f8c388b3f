"""Imports never overwrite silently: changes, 姓名 conflicts, moves, new areas, a column sorted
on its own, and the register's own export read back (round trip)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from db.database import close_database, open_database
from db.models import Area, AuditLog, Household, Resident
from eprc import cli
from tests.factories import make_id, village_sheet

HEADER = ["序号", "户号", "姓名", "性别", "身份证号码", "联系电话", "社区（村）", "小区（村民组）",
          "门牌号", "备注"]
NAMES = ["赵一", "钱二", "孙三", "李四", "周五", "吴六", "郑七", "王八", "冯九", "陈十", "褚十一",
         "卫十二", "蒋十三", "沈十四", "韩十五"]


def people() -> list[list[object]]:
    return [[n + 1, f"H{n:02d}", name, "男", make_id("19800101", 2 * n + 1),
             f"1381234{n:04d}", "桃园村", "第一村民组", f"{n}号", None]
            for n, name in enumerate(NAMES)]


def run(*args: str) -> object:
    result = CliRunner().invoke(cli, ["import", "residents", *args])
    close_database()
    return result


def content(db: Path) -> bytes:
    """The whole file: opening it writes nothing, so a refused import leaves every byte."""
    return db.read_bytes()


def imported(tmp_path: Path) -> Path:
    db = tmp_path / "town.db"
    assert CliRunner().invoke(cli, ["init", "--db", str(db)]).exit_code == 0
    close_database()
    sheet = village_sheet(tmp_path / "v1.xlsx", people(), header=HEADER)
    result = run(str(sheet), "--db", str(db), "--create-areas")
    assert result.exit_code == 0, result.output
    return db


def test_a_name_column_sorted_on_its_own_is_refused_byte_for_byte(tmp_path: Path) -> None:
    db = imported(tmp_path)
    rows = people()
    for row, name in zip(rows, sorted(NAMES), strict=True):
        row[2] = name  # 姓名 sorted alone: most rows now carry someone else's name
    rows[0][5] = "13900000000"  # a real change elsewhere must not slip through either
    sheet = village_sheet(tmp_path / "sorted.xlsx", rows, header=HEADER)
    before = content(db)
    for flags in ((), ("--accept-changes",), ("--accept-changes", "--create-areas")):
        result = run(str(sheet), "--db", str(db), *flags)
        assert result.exit_code == 1
        assert "疑似“姓名”列被单独排序" in result.stderr and "未导入任何数据" in result.stderr
        assert "Traceback" not in result.output
        assert content(db) == before


@pytest.mark.parametrize("column", ["联系电话", "性别", "住址"])
def test_other_columns_sorted_on_their_own_are_refused_too(tmp_path: Path, column: str) -> None:
    db = imported(tmp_path)
    rows = [[*r, f"桃园村{n}号"] for n, r in enumerate(people())]
    if column == "联系电话":
        for row, phone in zip(rows, reversed([r[5] for r in rows]), strict=True):
            row[5] = phone
    elif column == "性别":
        for row in rows[:4]:
            row[3] = "女"  # the IDs say 男: 4 of 15 is over a fifth
    open_database(db)
    for row in rows:  # the register knows each household's address
        Household.update(address=row[-1]).where(Household.number == row[1]).execute()
    close_database()
    if column == "住址":
        for row, address in zip(rows, reversed([r[-1] for r in rows]), strict=True):
            row[-1] = address
    sheet = village_sheet(tmp_path / "sorted.xlsx", rows, header=[*HEADER, "住址"])
    before = content(db)
    result = run(str(sheet), "--db", str(db))
    assert result.exit_code == 1 and f"疑似“{column}”列被单独排序" in result.stderr
    assert content(db) == before


def test_a_name_change_is_a_conflict_listed_and_not_applied(tmp_path: Path) -> None:
    db = imported(tmp_path)
    rows = people()
    rows[1][2] = "钱贰"  # sheet row 5
    rows[2][5] = "13900000002"  # sheet row 6: a phone change is applied and listed
    sheet = village_sheet(tmp_path / "v2.xlsx", rows, header=HEADER)
    errors = tmp_path / "问题.xlsx"
    result = run(str(sheet), "--db", str(db), "--json", "--errors", str(errors))
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    masked = make_id("19800101", 3)
    assert summary["conflicts"] == [{"sheet": "居民", "row": 5,
                                     "id_masked": masked[:6] + "********" + masked[-4:],
                                     "field": "姓名", "old": "钱二", "new": "钱贰"}]
    assert [(c["row"], c["field"], c["old"], c["new"]) for c in summary["changes"]] == [
        (6, "联系电话", "13812340002", "13900000002")]
    assert (summary["updated"], summary["unchanged"], summary["conflicts_applied"]) == (1, 14, False)
    open_database(db)
    assert Resident.get(Resident.id_number == make_id("19800101", 3)).name == "钱二"
    assert Resident.get(Resident.id_number == make_id("19800101", 5)).phone == "13900000002"
    close_database()
    ws = load_workbook(errors).active
    listed = {r[-2]: r[-1] for r in ws.iter_rows(min_row=3, values_only=True) if r[-2]}
    assert "姓名冲突：钱二 → 钱贰" in listed[5] and "联系电话" in listed[6]

    text = run(str(sheet), "--db", str(db))
    assert "姓名冲突 1 处（未修改）" in text.stdout
    assert "冲突（未修改）：“居民”第5行 钱二" in text.stdout and "钱二 → 钱贰" in text.stdout
    assert "加 --accept-changes 重新导入" in text.stdout

    accepted = run(str(sheet), "--db", str(db), "--accept-changes")
    assert accepted.exit_code == 0 and "姓名冲突 1 处（已按确认修改）" in accepted.stdout
    open_database(db)
    renamed = Resident.get(Resident.id_number == make_id("19800101", 3))
    assert (renamed.name, renamed.name_key) == ("钱贰", "qe")
    close_database()


def test_new_areas_wait_for_confirmation(tmp_path: Path) -> None:
    db = imported(tmp_path)
    rows = people()
    extra = [16, "H99", "新人", "女", make_id("19900101", 2), "13800009999", "桃源村", "第一村民组",
             "1号", None]  # 桃源村: a typo of 桃园村
    sheet = village_sheet(tmp_path / "typo.xlsx", [*rows, extra], header=HEADER)
    before = content(db)
    result = run(str(sheet), "--db", str(db))
    assert result.exit_code == 1
    assert "将新建区域：桃源村（及其下级1个）" in result.stdout and "--create-areas" in result.stderr
    assert content(db) == before
    dry = run(str(sheet), "--db", str(db), "--dry-run", "--json")
    assert dry.exit_code == 0 and json.loads(dry.stdout)["new_areas"] == ["桃源村", "桃源村/第一村民组"]
    confirmed = run(str(sheet), "--db", str(db), "--create-areas")
    assert confirmed.exit_code == 0 and "新增 1 人" in confirmed.stdout
    assert "已新建区域：桃源村" in confirmed.stdout
    open_database(db)
    assert Area.get(Area.name == "桃源村").level == 1
    close_database()


def test_a_row_without_community_needs_an_area(tmp_path: Path) -> None:
    db = imported(tmp_path)
    rows = [[1, "H50", "无村", "女", make_id("19900101", 4), None, None, None, "5号", None]]
    sheet = village_sheet(tmp_path / "nocommunity.xlsx", rows, header=HEADER)
    result = run(str(sheet), "--db", str(db))
    assert result.exit_code == 0 and "第4行 拒绝：缺少“社区（村）”" in result.stdout
    result = run(str(sheet), "--db", str(db), "--area", "第一村民组")
    assert result.exit_code == 0 and "新增 1 人" in result.stdout
    open_database(db)
    household = Resident.get(Resident.name == "无村").household
    assert (household.area.name, household.area.parent.name) == ("第一村民组", "桃园村")
    close_database()


def test_the_register_export_round_trips(demo_path: Path, tmp_path: Path) -> None:
    """Exported and imported unchanged: a no-op, here and into a new file; with edits: exactly
    those edits, the name as a conflict and the area as a move."""
    out = tmp_path / "register.xlsx"
    close_database()
    assert CliRunner().invoke(cli, ["export", "residents", "--db", str(demo_path),
                                    "-o", str(out)]).exit_code == 0
    close_database()
    open_database(demo_path)
    total = Resident.select().count()
    close_database()
    same = json.loads(run(str(out), "--db", str(demo_path), "--json").stdout)
    assert (same["added"], same["updated"], same["unchanged"]) == (0, 0, total)
    assert same["changes"] == same["conflicts"] == same["moves"] == same["new_areas"] == []

    fresh = tmp_path / "new.db"
    assert CliRunner().invoke(cli, ["init", "--db", str(fresh)]).exit_code == 0
    close_database()
    into_new = json.loads(run(str(out), "--db", str(fresh), "--json", "--create-areas").stdout)
    assert into_new["added"] == total and into_new["rejected"] == []
    open_database(fresh)
    assert Household.select().where(Household.area.is_null()).count() == 0
    assert Resident.select().count() == total
    close_database()
    again = json.loads(run(str(out), "--db", str(fresh), "--json").stdout)
    assert (again["added"], again["updated"], again["unchanged"]) == (0, 0, total)

    wb = load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[3]]
    assert header[header.index("户号") + 1:header.index("小区（村民组）")] == [
        "姓名", "性别", "身份证号码", "年龄", "与户主关系", "联系电话", "社区（村）"]
    col = {title: n + 1 for n, title in enumerate(header)}
    ws.cell(row=4, column=col["姓名"], value="改过名")
    ws.cell(row=5, column=col["联系电话"], value="13700000000")
    other = next(r for r in range(6, ws.max_row) if ws.cell(row=r, column=col["社区（村）"]).value
                 not in (None, ws.cell(row=6, column=col["社区（村）"]).value))
    moved_to = ws.cell(row=other, column=col["社区（村）"]).value
    ws.cell(row=6, column=col["社区（村）"], value=moved_to)
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    result = json.loads(run(str(edited), "--db", str(demo_path), "--json").stdout)
    assert [(c["row"], c["field"], c["new"]) for c in result["conflicts"]] == [(4, "姓名", "改过名")]
    assert [(c["row"], c["field"], c["new"]) for c in result["changes"]] == [
        (5, "联系电话", "13700000000")]
    assert [c["row"] for c in result["moves"]] == [6]
    assert result["moves"][0]["new"].startswith(moved_to)
    assert (result["updated"], result["unchanged"]) == (1, total - 1)
    open_database(demo_path)
    assert AuditLog.select().where(AuditLog.table == "导入文件").count() == 2
    close_database()


def test_check_reports_a_past_import_that_renamed_many(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An import from before the sorted-column stop (the old release had none) renamed 4 of
    15: ``eprc check`` names it and the audit entries that undo it."""
    import db.imports as imports
    from db.check import run_check
    from exports.residents import read_residents

    db = imported(tmp_path)
    rows = people()
    for row in rows[:4]:
        row[2] = row[2] + "改"
    sheet = village_sheet(tmp_path / "renames.xlsx", rows, header=HEADER)
    monkeypatch.setattr(imports, "sorted_column_check", lambda *args: None)
    open_database(db)
    imports.import_residents(read_residents(sheet)[1], accept_changes=True)
    report = run_check()
    close_database()
    flagged = [p for p in report.problems if "名居民的姓名" in p]
    assert len(flagged) == 1 and "改了 4/15 名居民的姓名" in flagged[0]
    assert "操作记录" in flagged[0]
    open_database(db)
    renames = [a for a in AuditLog.select().where(AuditLog.table == "resident",
                                                  AuditLog.before.is_null(False))]
    close_database()
    assert len(renames) == 4 and all(f"#{a.id}" in flagged[0] for a in renames)
    result = CliRunner().invoke(cli, ["check", "--db", str(db)])
    close_database()
    assert result.exit_code == 1 and "改了 4/15 名居民的姓名" in result.stdout
