"""The printed roster read back: a sheet per checkpoint, two-row header, print setup; the passage
log and the volunteer roster; and roster check's JSON and exit status."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from db import clock, roster
from db.database import close_database
from db.gate import PassageInput, record_passage
from db.models import Assignment, Checkpoint, ServiceRecord, Shift, Staff
from db.settings import set_setting
from db.testing import new_point
from eprc import cli
from exports.roster import (
    DUTY_RULES,
    SAMPLING_RULES,
    export_passages,
    export_roster,
    export_volunteers,
)
from exports.sheet import cn_date, line_height, text_lines

MON = dt.date(2022, 4, 11)


def township() -> None:
    set_setting("township", "店埠镇")
    roster.ensure_slots()
    for name, per in (("桃园村卡口", 2), ("城关社区卡口", 1)):
        Checkpoint.create(name=name, staff_per_shift=per, needs_leader=True, person="王强",
                          phone="13900000000")
    for n in range(12):
        Staff.create(name=f"值守{n:02d}", name_key="zs", category="党员志愿者", can_lead=n < 4,
                     is_volunteer=True, phone=f"1370000{n:04d}")
    roster.plan(MON, MON + dt.timedelta(days=6))


def test_roster_sheet_per_checkpoint(db_path: Path, tmp_path: Path) -> None:
    township()
    out = tmp_path / "排班.xlsx"
    assert export_roster(out, MON, MON + dt.timedelta(days=6)) == 2
    wb = load_workbook(out)
    assert wb.sheetnames == ["桃园村卡口", "城关社区卡口"]
    ws = wb["桃园村卡口"]
    assert ws["A1"].value == "桃园村卡口值守排班表（2022年4月11日—4月17日）"
    assert (ws["A3"].value, ws["B3"].value, ws["B4"].value) == ("班次", "4月11日", "星期一")
    assert ws["H4"].value == "星期日" and "A3:A4" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(r, 1).value for r in (5, 6, 7)] == ["00:00-08:00", "08:00-16:00",
                                                         "16:00-24:00"]
    leader, phone, other = ws["B5"].value.split("\n")  # the leader and phone, then the other
    assert leader.endswith("（带班）") and "、" not in other
    assert phone == Staff.get(Staff.name == leader.removesuffix("（带班）")).phone
    assert ws["B5"].font.sz >= 12
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert "注：标“（带班）”者为带班领导，其下为联系电话。" in texts
    assert not any(t.startswith("带班领导") for t in texts)  # leaders are in the grid
    assert "值守要求：佩戴口罩、逐人测温、逐车登记，发热人员不得进入。" in texts
    assert f"制表日期：{cn_date(clock.today())}" in texts
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$1:$4"


def test_every_roster_sheet_is_signed_and_never_breaks_a_name(db_path: Path,
                                                               tmp_path: Path) -> None:
    township()
    set_setting("preparer", "王华")
    set_setting("checker", "韩翔宇")
    set_setting("phone", "0551-67612345")
    for n, name in enumerate(("欧阳振华", "方振平", "司马相如", "爱新觉罗·溥仪")):
        Staff.update(name=name).where(Staff.name == f"值守{n:02d}").execute()
    out = tmp_path / "排班.xlsx"
    for one_sheet in (False, True):
        export_roster(out, MON, MON + dt.timedelta(days=6), one_sheet=one_sheet)
        for ws in load_workbook(out).worksheets:
            texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
            assert "填报人：王华　　审核人：韩翔宇　　联系电话：0551-67612345" in texts
            first_day = 3 if one_sheet else 2
            width = ws.column_dimensions[get_column_letter(first_day)].width
            size = ws.cell(5, first_day).font.sz
            names = 0
            for row in range(5, 5 + (6 if one_sheet else 3)):
                for col in range(first_day, first_day + 7):
                    value = ws.cell(row, col).value or ""
                    for line in value.split("\n"):
                        # a line of whole names, and it fits: no name is ever broken
                        assert text_lines(line, width, size) == 1, (line, width)
                        names += line.count("（带班）")
                    assert ws.row_dimensions[row].height >= line_height(
                        value.count("\n") + 1, size)
            assert names > 0


def test_checkpoint_names_with_forbidden_characters(db_path: Path, tmp_path: Path) -> None:
    township()
    Checkpoint.update(name="桃园村:1/2\\3?4*5[6]卡口").where(
        Checkpoint.name == "桃园村卡口").execute()
    Checkpoint.create(name="'桃园村：1／2＼3？4＊5［6］卡口'", staff_per_shift=1)
    out = tmp_path / "排班.xlsx"
    assert export_roster(out, MON, MON + dt.timedelta(days=6)) == 3
    assert load_workbook(out).sheetnames == ["桃园村：1／2＼3？4＊5［6］卡口", "城关社区卡口",
                                             "桃园村：1／2＼3？4＊5［6］卡口（2）"]


def test_roster_one_sheet_for_all(db_path: Path, tmp_path: Path) -> None:
    township()
    out = tmp_path / "all.xlsx"
    export_roster(out, MON, MON + dt.timedelta(days=6), one_sheet=True)
    ws = load_workbook(out).active
    assert ws["A3"].value == "卡口名称" and ws["A5"].value == "桃园村卡口"
    assert ws["A8"].value == "城关社区卡口" and ws["B8"].value == "00:00-08:00"


def test_a_sampling_points_sheet_is_its_采样点值守排班表(db_path: Path, tmp_path: Path) -> None:
    township()
    point = new_point("文化广场", person="李医生", phone="13900000001", staff_per_shift=2)
    roster.plan(MON, MON + dt.timedelta(days=6))
    out = tmp_path / "采样点.xlsx"
    assert export_roster(out, MON, MON + dt.timedelta(days=6), point.id) == 1
    ws = load_workbook(out).active
    assert ws["A1"].value == "文化广场采样点值守排班表（2022年4月11日—4月17日）"
    assert "A1:H1" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(r, 1).value for r in (5, 6)] == ["06:00-12:00", "12:00-18:00"]
    assert ws.cell(7, 1).value != "16:00-24:00"  # the checkpoints' slots are not listed
    on_duty = {s.name for s in Staff.select().join(Assignment).join(Shift)
               .where((Shift.checkpoint == point.id) & (Shift.date == MON)
                      & (Shift.slot == roster.stored_slots("采样点")[0].id))}
    assert len(on_duty) == 2 and set(ws["B5"].value.replace("、\n", "、").split("、")) == on_duty
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert "采样点负责人：李医生　联系电话：13900000001" in texts
    assert SAMPLING_RULES in texts and DUTY_RULES not in texts
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    both = tmp_path / "全部.xlsx"
    export_roster(both, MON, MON + dt.timedelta(days=6), one_sheet=True)
    ws = load_workbook(both).active
    assert ws["A1"].value.startswith("店埠镇疫情防控卡口及采样点值守排班表")
    assert ws["A3"].value == "卡口及采样点名称"
    point_rows = [(r[0], r[1]) for r in ws.iter_rows(min_row=5, values_only=True)
                  if r[0] == "文化广场"]
    assert point_rows == [("文化广场", "06:00-12:00"), ("文化广场", "12:00-18:00")]


def test_passage_log_and_volunteers(db_path: Path, tmp_path: Path) -> None:
    township()
    cp = Checkpoint.get(Checkpoint.name == "桃园村卡口")
    at = dt.datetime.combine(MON, dt.time(9, 30))
    record_passage(cp.id, PassageInput("进", "36.5", name="送货员", phone="13800000000",
                                       plate="皖A12345", origin_reason="送菜，来自合肥"), at)
    record_passage(cp.id, PassageInput("进", "37.8", name="外地人",
                                       origin_reason="探亲，来自上海"), at)
    out = tmp_path / "出入.xlsx"
    assert export_passages(out, cp.id, MON) == 2
    ws = load_workbook(out).active
    assert ws["A1"].value == "桃园村卡口人员车辆出入登记表（2022年4月11日）"
    assert (ws["F4"].value, ws["H4"].value, ws["L4"].value) == ("皖A12345", 36.5, "放行")
    assert ws["L5"].value == "劝返" and ws["L5"].font.color.rgb == "FFC00000"
    ServiceRecord.create(staff=Staff.get(Staff.name == "值守00"), date=MON, hours=3, what="配送")
    out = tmp_path / "志愿者.xlsx"
    assert export_volunteers(out, MON) == 12
    ws = load_workbook(out).active
    row = next(r for r in ws.iter_rows(min_row=4, values_only=True) if r[1] == "值守00")
    # hours worked by the end of the list's day: that day's 8-hour shifts, and the 3 h record
    shifts = sum(1 for a in Staff.get(Staff.name == "值守00").assignments if a.shift.date == MON)
    assert shifts and row[11] == 8 * shifts + 3 and row[10] in ("桃园村卡口", "城关社区卡口")


def test_roster_check_cli(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--db", str(db)])
    close_database()
    today = clock.today()
    args = ["--db", str(db), "roster", "check", "--from", (today - dt.timedelta(days=7)).isoformat(),
            "--to", (today + dt.timedelta(days=6)).isoformat(), "--json"]
    result = runner.invoke(cli, args)
    close_database()
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report == {"gaps": 0, "double_bookings": 0,
                                                "back_to_back": 0, "over_max": 0,
                                                "unavailable": 0, "inactive": 0, "closed": 0,
                                                "items": []}
    later = today + dt.timedelta(days=30)
    result = runner.invoke(cli, ["--db", str(db), "roster", "check", "--from", later.isoformat(),
                                 "--to", later.isoformat(), "--json"])
    close_database()
    assert result.exit_code == 0  # no shifts planned that far: nothing to miss
    result = runner.invoke(cli, ["--db", str(db), "roster", "plan", "--from", later.isoformat(),
                                 "--to", later.isoformat()])
    close_database()
    assert result.exit_code == 0 and "全部排满" in result.stdout
