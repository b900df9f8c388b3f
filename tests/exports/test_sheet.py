"""The sheet writer read back: row heights from wrapped content, merged spans, print scale, and
sheet names that any spreadsheet program accepts."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from exports.sheet import (
    Column,
    Report,
    SheetWriter,
    fit_scale,
    line_height,
    new_workbook,
    safe_sheet_name,
    save_workbook,
    text_lines,
)

FORBIDDEN = ":/\\?*[]"


def test_text_lines_counts_cjk_double_and_keeps_latin_runs_whole() -> None:
    assert text_lines("张三", 9, 10) == 1
    # 22 wide at 10 pt holds 11 CJK characters a line; 11 wide holds 5
    assert text_lines("安徽省合肥市肥东县店埠镇幸福新村1栋2单元102室", 22, 10) == 3
    assert text_lines("安徽省合肥市肥东县店埠镇幸福新村1栋2单元102室", 11, 10) == 5
    assert text_lines("a\nb\nc", 20, 10) == 3
    # twice the font, twice the lines
    assert text_lines("一" * 20, 22, 20) == 2 * text_lines("一" * 20, 22, 10)
    # an 18-digit ID fits a 20-wide column at 10 pt; at 20 pt it is cut where the line ends
    assert text_lines("340122197710062059", 20, 10) == 1
    assert text_lines("340122197710062059", 20, 20) == 2


def _write(tmp_path: Path, report: Report, rows: list[list[object]]) -> Path:
    wb = new_workbook()
    writer = SheetWriter(wb, "表", report)
    writer.begin()
    for row in rows:
        writer.add_row(row)
    writer.add_merged_row([("一" * 40, 2), ("短", 1)])
    writer.end()
    return save_workbook(wb, tmp_path / "t.xlsx", "test")


def test_every_row_is_as_tall_as_its_tallest_wrapped_cell(tmp_path: Path) -> None:
    address = "安徽省合肥市肥东县店埠镇幸福新村1栋2单元102室（租住）"
    report = Report("标题", [Column("姓名", 9), Column("现住址", 12), Column("备注", 10)],
                    unit_line="填报单位：某镇", date_line="填报日期：2022年4月11日",
                    signoff="填报人：王华　　审核人：韩翔宇　　联系电话：0551-67612345" * 2,
                    font_size=10)
    ws = load_workbook(_write(tmp_path, report, [["张三", "短", None],
                                                 ["李四", address, "一行\n二行\n三行\n四行"],
                                                 ["王五", address, None]])).active
    heights = {r: ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)}
    lines = text_lines(address, 12, 10)
    assert lines >= 4
    assert heights[4] == line_height(1, 10)
    assert heights[5] == line_height(max(lines, 4), 10)
    assert heights[6] == line_height(lines, 10) and heights[6] >= 1.3 * 10 * lines
    # a merged cell wraps over its whole span (9 + 12 columns), not its first column
    assert heights[7] == line_height(text_lines("一" * 40, 21, 10), 10) < line_height(
        text_lines("一" * 40, 9, 10), 10)
    signoff_row = next(r for r in heights if str(ws.cell(r, 1).value).startswith("填报人"))
    assert heights[signoff_row] == line_height(text_lines(report.signoff, 31, 10), 10) > 30


def test_a_long_title_and_header_grow_their_rows(tmp_path: Path) -> None:
    report = Report("某某镇疫情防控重点人员管控台账（打印版）" * 2,
                    [Column("序号", 5, "int"), Column("人员类别（常住/外来/返乡）", 8)])
    ws = load_workbook(_write(tmp_path, report, [[1, "常住"]])).active
    assert ws.row_dimensions[1].height > 32
    assert ws.row_dimensions[2].height == line_height(
        text_lines("人员类别（常住/外来/返乡）", 8, 11), 11) > 30


def test_fit_scale_against_a4() -> None:
    assert fit_scale([10] * 9, landscape=False) == 1.0
    assert fit_scale([20] * 24, landscape=True) < 0.3
    assert fit_scale([20] * 24, landscape=True) > fit_scale([20] * 24, landscape=False)
    report = Report("t", [Column("a", 60), Column("b", 60), Column("c", 60)])
    assert report.is_landscape is False and report.print_scale() < 0.8


@pytest.mark.parametrize("name", [
    "A:B/C\\D?E*F[G]H", "'开头撇号", "结尾撇号'", "清溪镇居家隔离人员台账" * 4, "", "  ",
])
def test_safe_sheet_names_are_accepted_and_keep_their_front(name: str, tmp_path: Path) -> None:
    wb = new_workbook()
    title = safe_sheet_name(name)
    SheetWriter(wb, name, Report("t", [Column("a")]))
    assert wb.sheetnames == [title]
    assert len(title) <= 31 and not title.startswith("'") and not title.endswith("'")
    assert not set(FORBIDDEN) & set(title)
    if name.strip():
        assert title[0] == name.strip().strip("'")[0].translate(
            str.maketrans(FORBIDDEN, "：／＼？＊［］"))
    save_workbook(wb, tmp_path / "n.xlsx", "test")
    assert load_workbook(tmp_path / "n.xlsx").sheetnames == [title]


def test_sheet_names_are_unique_in_the_workbook() -> None:
    assert safe_sheet_name("卡口:1", ["卡口：1"]) == "卡口：1（2）"
    assert safe_sheet_name("卡口:1", ["卡口：1", "卡口：1（2）"]) == "卡口：1（3）"
    assert safe_sheet_name("Sheet", ["sheet"]) == "Sheet（2）"
    long = "长" * 40
    first = safe_sheet_name(long)
    second = safe_sheet_name(long, [first])
    assert len(second) == 31 and second.endswith("（2）") and second.startswith("长")
    wb = new_workbook()
    for _ in range(3):
        SheetWriter(wb, "同名[卡口]", Report("t", [Column("a")]))
    assert wb.sheetnames == ["同名［卡口］", "同名［卡口］（2）", "同名［卡口］（3）"]


def test_every_forbidden_character_through_every_export_naming_sheets_from_data(
        db_path: Path, tmp_path: Path) -> None:
    """Checkpoints (roster), residents (door notices) and the district's sheet (feedback):
    names carrying : / \\ ? * [ ] and apostrophes at both ends export, and keep their front."""
    import datetime as dt
    import json

    from db import keypersons as kp
    from db import roster
    from db.models import Checkpoint, PushedBatch, Resident
    from db.residents import ResidentInput, register_resident
    from exports.catalog import EXPORTS, Options
    from tests.factories import make_id

    day = dt.date(2022, 4, 11)
    name = f"'{FORBIDDEN}'"
    roster.ensure_slots()
    Checkpoint.create(name=name, staff_per_shift=1)
    Checkpoint.create(name=name.translate(str.maketrans(FORBIDDEN, "：／＼？＊［］")),
                      staff_per_shift=1)
    person = register_resident(ResidentInput("张三", make_id("19900101", 11)), address="1号")
    Resident.update(name=name).where(Resident.id == person.id).execute()
    case = kp.register_key_person(kp.KeyPersonInput("密接"), person)
    kp.start_measure(case.id, "居家隔离", day, planned_end=day + dt.timedelta(days=7))
    PushedBatch.create(received_at=dt.datetime(2022, 4, 11, 9), deadline=dt.datetime(2022, 4, 12),
                       file_name="推送.xlsx", sheet_name=name, header_row=2,
                       columns=json.dumps(["姓名", "手机号"]), source="",
                       sheets=json.dumps([{"name": name, "header_row": 2,
                                           "columns": ["姓名", "手机号"]}]))
    safe = "：／＼？＊［］"
    expected = {"roster": [safe, f"{safe}（2）"], "notices": [f"1_'{safe}"], "feedback": [safe]}
    options = Options(day, day, day + dt.timedelta(days=6))
    for export in EXPORTS:
        if export.key in expected:
            out = tmp_path / f"{export.key}.xlsx"
            export.write(out, options)
            assert load_workbook(out).sheetnames == expected[export.key], export.key


def test_a_daily_header_breaks_before_its_unit_never_inside_it(demo_path: Path,
                                                               tmp_path: Path) -> None:
    """The request desk's nine columns once printed “已送达（件” over a lone “）”."""
    from db import clock
    from exports.daily import export_daily, unit_apart

    assert unit_apart("已送达（件）", 11, 11) == "已送达\n（件）"
    assert unit_apart("人数", 11, 11) == "人数" and unit_apart("已送达（件）", 40, 11) == "已送达（件）"
    path = tmp_path / "daily.xlsx"
    export_daily(path, clock.today(), freeze=False)
    sheet = load_workbook(path).active
    headers = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert "已送达\n（件）" in headers and "代购金额\n（元）" in headers
    assert not any(h.startswith("）") or "（件\n" in h for h in headers)
