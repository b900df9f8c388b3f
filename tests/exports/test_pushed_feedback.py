"""A pushed sheet with odd columns and five date shapes goes in and comes back with exactly its
own layout plus the results, compared cell by cell."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from db.database import close_database
from db.models import PushedRow
from db.pushed import verify
from db.settings import set_setting
from eprc import cli
from exports.pushed import export_feedback, import_pushed_file
from tests.factories import make_id

HEADER = ["序号", "推送批次", "姓名", "手机号码", "来源地", "抵达时间", "预警类型", "数据来源备注"]
ROWS = [
    [1, "P0411", "张三", "13800000001", "上海市浦东新区", "2022-04-06", "时空伴随", "运营商"],
    [2, "P0411", "李四", 13800000002, "湖北省武汉市", "2022.4.7", "健康码", None],
    [3, "P0411", "王五", "13800000003", "浙江省杭州市", "2022年4月7日", "时空伴随", "x"],
    [4, "P0411", "赵六", "13800000004", "广东省深圳市", "4月8日", "健康码", None],
    [5, "P0411", "钱七", "13800000005", "北京市朝阳区", 44660, "行程卡", "=SUM(A1)"],
]


def district_sheet(path: Path, header: list[str] = HEADER, rows: list[list] = ROWS) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "推送名单"
    ws.append(["4月11日大数据推送人员核查表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=16)
    ws.append(["下发单位：区疫情防控指挥部", None, None, None, "下发时间：2022年4月11日"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.column_dimensions["E"].width = 31
    wb.save(path)
    return path


def test_feedback_is_the_districts_own_sheet_plus_results(db_path: Path, tmp_path: Path) -> None:
    source = district_sheet(tmp_path / "推送.xlsx")
    summary = import_pushed_file(source, dt.datetime(2022, 4, 11, 9))
    assert summary.rows == 5 and summary.warnings == []
    arrivals = [r.arrival_date for r in PushedRow.select().order_by(PushedRow.sheet_row)]
    assert arrivals == [dt.date(2022, 4, 6), dt.date(2022, 4, 7), dt.date(2022, 4, 7),
                        dt.date(2022, 4, 8), dt.date(2022, 4, 9)]
    verify(summary.batch_id, 4, "前期已排查", "已在册")
    set_setting("preparer", "周敏")  # no 操作人 was set at the first call: the 填报人 signs it
    verify(summary.batch_id, 6, "已核实在辖区（漏排）", "", make_id("19900101", 11), "桃园村1号")
    verify(summary.batch_id, 8, "无法联系", "=2+2")
    out = tmp_path / "反馈.xlsx"
    assert export_feedback(summary.batch_id, out) == (3, 5)
    before = load_workbook(source).active
    after = load_workbook(out).active
    assert after.title == "推送名单"
    assert {str(r) for r in after.merged_cells.ranges} == {"A1:H1"}
    assert after["A1"].font.b and after.column_dimensions["E"].width == 31
    for row in range(1, before.max_row + 1):
        for col in range(1, len(HEADER) + 1):
            assert after.cell(row, col).value == before.cell(row, col).value, (row, col)
    assert [after.cell(3, c).value for c in range(9, 13)] == ["核查结果", "管控措施", "核查人",
                                                              "核查时间"]
    assert after.max_column == len(HEADER) + 4
    assert after["I4"].value == "前期已排查（已在册）"
    assert after["I6"].value == "已核实在辖区（漏排）" and after["K6"].value == "周敏"
    assert after["K4"].value == "周敏"
    assert after["I5"].value is None and after["I7"].value is None
    assert after["I8"].data_type == "s" and after["I8"].value == "无法联系（=2+2）"


def test_sheet_with_its_own_result_columns_gets_them_filled(db_path: Path,
                                                              tmp_path: Path) -> None:
    header = ["序号", "姓名", "身份证号", "电话", "核查结果", "备注"]
    rows = [[1, "张三", make_id("19900101", 11), "13800000001", None, None],
            [2, "李四", None, "13800000002", None, None]]
    source = district_sheet(tmp_path / "p.xlsx", header, rows)
    summary = import_pushed_file(source)
    verify(summary.batch_id, 5, "不在辖区居住", "已返沪")
    out = tmp_path / "f.xlsx"
    export_feedback(summary.batch_id, out)
    ws = load_workbook(out).active
    assert ws.max_column == 6
    assert (ws["E5"].value, ws["F5"].value) == ("不在辖区居住", "已返沪")
    assert ws["E4"].value is None


def test_cli_import_verify_export(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    source = district_sheet(tmp_path / "推送.xlsx")
    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(cli, list(args))
        close_database()
        return result

    run("init", "--db", db)
    result = run("import", "pushed", str(source), "--db", db, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"] == 5
    result = run("verify", "1", "7", "超过排查期", "--note", "3月返回", "--db", db)
    assert result.exit_code == 0 and "本批已核查 1/5" in result.stdout
    result = run("verify", "1", "2", "超过排查期", "--db", db)
    assert result.exit_code == 1 and "没有表格第2行" in result.stderr
    out = tmp_path / "fb.xlsx"
    assert run("export", "feedback", "--batch", "1", "-o", str(out), "--db", db).exit_code == 0
    assert load_workbook(out).active["I7"].value == "超过排查期（3月返回）"


def test_a_sheet_with_no_people_is_refused(db_path: Path, tmp_path: Path) -> None:
    from exports.reader import SheetError

    with pytest.raises(SheetError, match="没有任何人员"):
        import_pushed_file(district_sheet(tmp_path / "e.xlsx", rows=[]))


def test_feedback_prints_on_a4_with_the_ids_found_and_the_clerks_name(
        db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from db.settings import set_setting
    from exports.sheet import text_lines, width_for

    monkeypatch.setenv("USER", "root")
    set_setting("preparer", "王华")
    header = ["序号", "姓名", "身份证号", "手机号码", "现住址", "来源地", "备注"]
    rows = [[1, "张三", None, 13800000001, None, "上海市浦东新区", None],
            [2, "李四", make_id("19900101", 22), "13800000002", "原址", "湖北省武汉市", None]]
    source = district_sheet(tmp_path / "p.xlsx", header, rows)
    summary = import_pushed_file(source)
    found = make_id("19850505", 33)
    long_address = "安徽省合肥市肥东县店埠镇幸福新村1栋2单元102室(租住,房东王某某)"
    verify(summary.batch_id, 4, "已核实在辖区（漏排）", "", found, long_address)
    verify(summary.batch_id, 5, "不在辖区居住", "已返沪")
    out = tmp_path / "f.xlsx"
    assert export_feedback(summary.batch_id, out) == (2, 2)
    ws = load_workbook(out).active
    assert (ws["C4"].value, ws["C4"].data_type, ws["E4"].value) == (found, "s", long_address)
    assert ws["C5"].value == make_id("19900101", 22) and ws["E5"].value == "原址"
    assert [ws.cell(3, c).value for c in range(8, 12)] == ["核查结果", "管控措施", "核查人",
                                                           "核查时间"]
    assert ws["J4"].value == "王华" and ws["J5"].value == "王华"  # not the login "root"
    setup = ws.page_setup
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (
        9, "landscape", 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$3"
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert ws.column_dimensions["C"].width >= width_for(found, 11)
    assert ws.column_dimensions["D"].width >= width_for("13800000001", 11)
    width = ws.column_dimensions["E"].width
    assert ws["E4"].alignment.wrap_text
    assert ws.row_dimensions[4].height >= 1.3 * 11 * text_lines(long_address, width, 11) > 20
    assert ws.column_dimensions["E"].width == 31  # the district's own width, never narrowed


def test_feedback_names_its_sheet_safely(db_path: Path, tmp_path: Path) -> None:
    from db.models import PushedBatch

    summary = import_pushed_file(district_sheet(tmp_path / "p.xlsx"))
    batch = PushedBatch.get_by_id(summary.batch_id)
    sheets = json.loads(batch.sheets)
    stored = sheets[0]["name"]
    sheets[0]["name"] = "推送:/\\?*[]名单"
    PushedBatch.update(source="", sheet_name=sheets[0]["name"], sheets=json.dumps(sheets)).execute()
    PushedRow.update(sheet=sheets[0]["name"]).where(PushedRow.sheet == stored).execute()
    out = tmp_path / "f.xlsx"
    assert export_feedback(summary.batch_id, out) == (0, 5)
    assert load_workbook(out).sheetnames == ["推送：／＼？＊［］名单"]


def test_feedback_keeps_one_width_per_column(db_path: Path, tmp_path: Path) -> None:
    """A district sheet whose widths are saved as a range (as WPS does) is widened without
    overlapping column entries, which Excel would have to repair."""
    import re
    import zipfile

    source = district_sheet(tmp_path / "p.xlsx")
    wb = load_workbook(source)
    ws = wb.active
    del ws.column_dimensions["E"]
    ws.column_dimensions.group("B", "F", hidden=False)
    ws.column_dimensions["B"].width = 6
    wb.save(source)
    summary = import_pushed_file(source)
    verify(summary.batch_id, 4, "前期已排查")
    out = tmp_path / "f.xlsx"
    export_feedback(summary.batch_id, out)
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    spans = [(int(a), int(b)) for a, b in re.findall(r'<col [^>]*?min="(\d+)" max="(\d+)"',
                                                     sheet)]
    covered = [c for a, b in spans for c in range(a, b + 1)]
    assert len(covered) == len(set(covered)) and {2, 3, 4, 5, 6} <= set(covered)
    widths = load_workbook(out).active.column_dimensions
    assert widths["C"].width == 6 and widths["E"].width >= 14  # 姓名 fitted; 上海市浦东新区 widened
    assert widths["E"].outlineLevel == 1
