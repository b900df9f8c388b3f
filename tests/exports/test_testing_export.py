"""The round's sheets read back: coverage by community and grid (totals equal to a count made
here in SQL), the untested call list per grid worker (full phone, ID masked), the door-to-door
list grouped by building; A4, titles merged, in the catalog."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import clock, testing
from db.models import Area, Resident
from db.validate import Invalid
from exports.catalog import EXPORTS
from exports.output import FULL_ID_REPORTS
from exports.testing import export_coverage, export_door, export_untested
from tests.db.test_testing import independent
from tests.factories import round_in_progress

DAY = clock.today()


def round_with_work() -> int:
    return round_in_progress(DAY, 120, 70, (60, 80), 75)


def test_coverage_sheet_adds_up_to_an_independent_count(demo_path: Path, tmp_path: Path) -> None:
    round_id = round_with_work()
    rows = export_coverage(tmp_path / "c.xlsx", round_id)
    ws = load_workbook(tmp_path / "c.xlsx").active
    assert ws["A1"].value.endswith("第1轮全员核酸检测完成情况统计表")
    assert "A1:G1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    assert ws.page_setup.fitToWidth == 1
    header = next(r for r in range(1, 8) if ws.cell(r, 1).value == "序号")
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1, max_col=7)]
    total = next(r for r in body if r[1] == "合计")
    counted = independent(demo_path, round_id)
    assert total[3:6] == [counted["expected"], counted["tested"],
                          counted["expected"] - counted["tested"]]
    subtotals = [r for r in body if r[2] == "小计"]
    grids = [r for r in body[:rows] if r[2] not in ("小计", None)]
    assert sum(r[3] for r in subtotals) == total[3] == sum(r[3] for r in grids)
    assert sum(r[4] for r in subtotals) == total[4] == sum(r[4] for r in grids)
    assert len(subtotals) == Area.select().where(Area.level == 1).count()
    assert any("免检人员（集中隔离" in str(r[0]) for r in body)


def test_untested_call_list_per_grid_worker(demo_path: Path, tmp_path: Path) -> None:
    round_id = round_with_work()
    count = export_untested(tmp_path / "u.xlsx", round_id)
    assert count == testing.coverage(round_id).missing
    wb = load_workbook(tmp_path / "u.xlsx")
    people = {r.id: r for r in Resident.select()}
    listed = 0
    conn = sqlite3.connect(f"file:{demo_path}?mode=ro", uri=True)
    leaders = {name for (name,) in conn.execute("SELECT leader FROM area WHERE level = 3")}
    for ws in wb.worksheets:
        assert ws.page_setup.paperSize == 9
        intro = ws["A3"].value
        assert intro.startswith("网格员：") and intro.split("：")[1].split("　")[0] in leaders
        for row in ws.iter_rows(min_row=5, values_only=True):
            if isinstance(row[0], int):
                listed += 1
                assert "*" in row[2] and len(row[2]) == 18
                assert row[3] is None or (len(row[3]) == 11 and "*" not in row[3])
        assert "含个人信息" in "".join(str(c.value) for c in ws["A"] if c.value)
    assert listed == count
    reason = next(r for r in wb.worksheets for r in r.iter_rows(values_only=True)
                  if r[7] == "卧床已上门")
    assert reason[1] in {p.name for p in people.values()}
    assert {"untested", "door"} <= FULL_ID_REPORTS  # recorded in the audit log when exported


def test_door_list_grouped_by_building_with_the_sampled_ticked(demo_path: Path,
                                                               tmp_path: Path) -> None:
    round_id = round_with_work()
    count = export_door(tmp_path / "d.xlsx", round_id)
    assert count == 20
    ticked = 0
    buildings = 0
    for ws in load_workbook(tmp_path / "d.xlsx").worksheets:
        for row in ws.iter_rows(min_row=5):
            if row[0].value and not isinstance(row[0].value, int) and row[0].font.b \
                    and ws.cell(row[0].row, 1).coordinate in {
                        str(r).split(":")[0] for r in ws.merged_cells.ranges}:
                buildings += 1
            if isinstance(row[0].value, int) and row[5].value == "√":
                ticked += 1
    assert ticked == 10  # people[60:70] were sampled
    assert buildings >= 1


def test_the_round_exports_are_in_the_catalog(demo_path: Path, tmp_path: Path) -> None:
    round_id = round_with_work()
    by_key = {e.key: e for e in EXPORTS}
    assert by_key["untested"].personal and not by_key["untested"].full_ids
    assert by_key["coverage"].needs == "round"
    summary = by_key["coverage"].write(tmp_path / "c.xlsx", {"round": "第1轮"})
    assert summary.endswith("个社区/网格）")
    running = by_key["untested"].write(tmp_path / "u.xlsx", {})  # the round running today
    assert running.startswith("已导出未检人员名单") and running.endswith("人")
    with pytest.raises(Invalid, match="没有编号或名称"):
        by_key["door"].write(tmp_path / "d.xlsx", {"round": "第9轮"})
    assert str(round_id) == "1"
