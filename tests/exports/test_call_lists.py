"""Call lists for several callers: rows matched to a resident (ID or phone) go with that
resident's 社区（村） — a community never split — the rest dealt round-robin; verified rows are
left out; the sheet (one per caller, A4) read back with openpyxl; the report centre's catalog
exports any batch, or every batch of a day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import pushed
from db.areas import get_or_add_path
from db.residents import ResidentInput, register_resident
from db.validate import Invalid
from exports.catalog import SHEET
from exports.pushed import export_call_lists, import_pushed_file
from tests.exports.test_pushed_feedback import district_sheet
from tests.factories import make_id

HEADER = ["序号", "推送批次", "姓名", "手机号码", "来源地", "抵达时间", "预警类型", "身份证号"]
DAY = dt.date(2022, 4, 11)


@pytest.fixture
def batch(db_path: Path, tmp_path: Path) -> int:
    east, west = get_or_add_path(["东村", "一组"]), get_or_add_path(["西村", "二组"])
    for n, (name, area) in enumerate([("东一", east), ("东二", east), ("东三", east),
                                      ("西一", west)], start=1):
        register_resident(ResidentInput(name, make_id("19900101", n), f"1390000000{n}"),
                          address=f"{n}号", area=area)
    rows = [
        [1, "P", "东一", "13800000001", "上海", None, "x", make_id("19900101", 1)],  # by ID
        [2, "P", "东二", "13900000002", "上海", None, "x", ""],  # by phone
        [3, "P", "东三", "13800000003", "上海", None, "x", make_id("19900101", 3)],
        [4, "P", "西一", "13800000004", "武汉", None, "x", make_id("19900101", 4)],
        [5, "P", "无名一", "13700000005", "杭州", None, "x", ""],
        [6, "P", "无名二", "13700000006", "杭州", None, "x", ""],
        [7, "P", "无名三", "13700000007", "杭州", None, "x", ""],
        [8, "P", "已核查", "13700000008", "杭州", None, "x", ""],
    ]
    summary = import_pushed_file(district_sheet(tmp_path / "推送.xlsx", HEADER, rows),
                                 dt.datetime(2022, 4, 11, 9))
    pushed.verify(summary.batch_id, 11, "无法联系")  # sheet row of 已核查: left out
    return summary.batch_id


def test_communities_stay_whole_and_the_rest_is_dealt_round_robin(batch: int) -> None:
    lists = pushed.call_lists(batch, ["张", "李"])
    names = {cl.caller: [r.name for r in cl.rows] for cl in lists}
    assert names["张"] == ["东一", "东二", "东三", "无名一", "无名三"]
    assert names["李"] == ["西一", "无名二"]
    communities = {r.name: r.community for cl in lists for r in cl.rows}
    assert communities["东二"] == "东村" and communities["西一"] == "西村"
    assert communities["无名一"] == ""


def test_callers_are_parsed_and_checked(batch: int) -> None:
    assert pushed.parse_callers("张三、李四，王五 张三") == ["张三", "李四", "王五"]
    with pytest.raises(Invalid, match="请填写核查人"):
        pushed.parse_callers(" 、 ")
    with pytest.raises(Invalid, match="没有第99批"):
        pushed.call_lists(99, ["张三"])


def test_call_list_sheet_reads_back_one_page_per_caller(batch: int, tmp_path: Path) -> None:
    out = tmp_path / "分派单.xlsx"
    assert export_call_lists(out, batch, ["张三", "李四"]) == [("张三", 5), ("李四", 2)]
    wb = load_workbook(out)
    assert wb.sheetnames == ["张三", "李四"]
    ws = wb["李四"]
    assert ws["A1"].value == f"推送人员电话核查分派单（第{batch}批）"
    assert "A1:J1" in {str(r) for r in ws.merged_cells.ranges}
    header = next(r for r in range(1, 6) if ws.cell(r, 1).value == "序号")
    assert [ws.cell(header, c).value for c in (2, 3, 5, 8, 9)] == [
        "姓名", "联系电话", "社区（村）", "表格行", "核查结果"]
    first = [ws.cell(header + 1, c).value for c in range(1, 10)]
    assert first[:5] == [1, "西一", "13800000004", make_id("19900101", 4), "西村"]
    assert first[8] is None  # filled in by hand
    assert ws.cell(header + 2, 5).value == "未匹配"
    assert ws.cell(header + 1, 4).data_type == "s"
    assert any("核查人：李四" in str(c.value) for row in ws.iter_rows(max_row=2) for c in row)
    assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.print_title_rows
    assert ws.column_dimensions["D"].width >= 20  # an ID number is never cut


def test_catalog_exports_any_batch_or_every_batch_of_a_day(batch: int, tmp_path: Path) -> None:
    second = import_pushed_file(district_sheet(
        tmp_path / "第二批.xlsx", HEADER, [[1, "P", "新人", "13600000001", "上海", None, "x", ""]]),
        dt.datetime(2022, 4, 11, 15)).batch_id
    feedback = SHEET["feedback"]
    one = tmp_path / "一批.xlsx"
    assert feedback.write(one, {"batch": batch}) == f"已导出反馈表：第{batch}批（已核查 1/8）"
    assert load_workbook(one).active.max_row >= 10
    day_file = tmp_path / "全天.xlsx"
    summary = feedback.write(day_file, {"day": DAY})
    assert summary == f"已导出反馈表：第{batch}批（已核查 1/8）；第{second}批（已核查 0/1）"
    assert sorted(p.name for p in tmp_path.glob("全天_*.xlsx")) == [
        f"全天_第{batch}批.xlsx", f"全天_第{second}批.xlsx"]
    with pytest.raises(Invalid, match="没有接收推送名单"):
        feedback.write(tmp_path / "x.xlsx", {"day": DAY + dt.timedelta(days=1)})
    with pytest.raises(Invalid, match="没有第7批"):
        feedback.write(tmp_path / "x.xlsx", {"batch": 7})
    lists = SHEET["call_lists"]
    text = lists.write(tmp_path / "分派.xlsx", {"batch": batch, "callers": "张三、李四"})
    assert text == f"已导出第{batch}批电话分派单：张三 5 人，李四 2 人"
    assert load_workbook(tmp_path / "分派.xlsx").sheetnames == ["张三", "李四"]
    whole = lists.write(tmp_path / "整批.xlsx", {"day": DAY})
    assert whole == f"已导出第{second}批电话分派单：未分派 1 人"
