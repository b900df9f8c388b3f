"""Key-person sheets read back: ledger, home ledger, temperature sheet, door notices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from db import keypersons as kp
from db.residents import ResidentInput, register_resident
from db.settings import set_setting
from exports.keypersons import export_ledger, export_notices, export_temperatures
from tests.factories import make_id

DAY = dt.date(2022, 4, 11)


@pytest.fixture
def office(db_path: Path) -> dict[str, int]:
    set_setting("township", "店埠镇")
    head = register_resident(ResidentInput("张三", make_id("19900101", 11), "13812345678"),
                             address="阳光小区1栋101")
    register_resident(ResidentInput("李梅", make_id("19920202", 22), relation="配偶"),
                      head.household)
    other = register_resident(ResidentInput("王五", make_id("19800303", 31), "13900001111"),
                              address="桃园村5号")
    a = kp.register_key_person(kp.KeyPersonInput("密接", "大数据推送", "上海市浦东新区",
                                                 dt.date(2022, 4, 8)), head)
    b = kp.register_key_person(kp.KeyPersonInput("中高风险地区返乡", origin="武汉"), other)
    home = kp.start_measure(a.id, "居家隔离", dt.date(2022, 4, 8),
                            responsible=kp.Responsible({"town_cadre": "干部甲",
                                                        "grid_worker": "网格员乙"},
                                                       {"town_cadre": "13700000001",
                                                        "grid_worker": "13700000002"}),
                            planned_end=dt.date(2022, 4, 22))
    hotel = kp.start_measure(b.id, "集中隔离", dt.date(2022, 4, 10), "隔离酒店1号楼",
                             planned_end=dt.date(2022, 4, 17))
    kp.record_temperature(home.id, DAY, "上午", 36.5)
    kp.record_temperature(home.id, DAY, "下午", 37.6)
    kp.record_temperature(hotel.id, dt.date(2022, 4, 12), "上午", 36.4)
    kp.add_nucleic_test(a.id, DAY, "阴性")
    return {"home": home.id, "hotel": hotel.id}


def test_ledger(office: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    assert export_ledger(out, DAY) == 2
    ws = load_workbook(out).active
    assert ws["A1"].value == "店埠镇疫情防控重点人员管控台账"
    header = [c.value for c in ws[3]]
    assert len(header) == 24 and header[13] == "隔离地点" and header[22] == "核酸检测情况"
    rows = list(ws.iter_rows(min_row=4, max_row=5, values_only=True))
    assert rows[0][1] == "张三" and rows[0][12] == "居家隔离"
    assert rows[0][14] == dt.datetime(2022, 4, 8) and ws["O4"].number_format == "yyyy-mm-dd"
    assert rows[0][17] == "干部甲 13700000001" and rows[0][22] == "2022-04-11 阴性"
    assert rows[1][13] == "隔离酒店1号楼"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$3"


def test_home_ledger_has_no_isolation_place(office: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "居家.xlsx"
    assert export_ledger(out, DAY, "居家隔离") == 1
    ws = load_workbook(out).active
    assert ws["A1"].value == "店埠镇居家隔离人员台账"
    assert "隔离地点" not in [c.value for c in ws[3]]


def test_temperature_sheet_two_row_header_and_red_fever(office: dict[str, int],
                                                        tmp_path: Path) -> None:
    out = tmp_path / "体温.xlsx"
    assert export_temperatures(out, DAY, dt.date(2022, 4, 13)) == 2
    ws = load_workbook(out).active
    assert ws["A1"].value == "重点人员体温监测登记表（4月11日—4月13日）"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"E3:F3", "G3:H3", "I3:J3", "A3:A4", "K3:K4"} <= merged
    assert (ws["E3"].value, ws["E4"].value, ws["F4"].value) == ("4月11日", "上午", "下午")
    assert ws.print_title_rows == "$1:$4" and ws.freeze_panes == "A5"
    zhang = next(r for r in range(5, 7) if ws.cell(r, 2).value == "张三")
    assert ws.cell(zhang, 5).value == 36.5 and ws.cell(zhang, 6).value == 37.6
    assert ws.cell(zhang, 6).font.color.rgb == "FFC00000"
    assert ws.cell(zhang, 5).font.color is None or ws.cell(zhang, 5).font.color.rgb != "FFC00000"


def test_door_notice_one_page_per_household_masked(office: dict[str, int],
                                                   tmp_path: Path) -> None:
    out = tmp_path / "告知书.xlsx"
    assert export_notices(out, DAY) == 1
    wb = load_workbook(out)
    assert len(wb.worksheets) == 1
    ws = wb.worksheets[0]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert ws["A1"].value == "居家隔离告知书"
    assert "138****5678" in text and "13812345678" not in text
    number = make_id("19900101", 11)
    assert f"{number[:6]}********{number[-4:]}" in text and number not in text
    assert "同住人员：" in text and "李梅" in text
    assert "现对您实行居家隔离，观察期：2022年4月8日至2022年4月22日。" in text
    assert "街道（镇）干部：干部甲　　联系方式：13700000001" in text
    assert "监测对象签收：" in text
    assert ws.page_setup.orientation == "portrait" and ws.page_setup.fitToHeight == 1


def test_ledger_print_version_is_readable_on_a4(office: dict[str, int], tmp_path: Path) -> None:
    from exports.keypersons import export_ledger_print
    from exports.sheet import MIN_PRINTED_PT, fit_scale, line_height, text_lines

    out = tmp_path / "打印版.xlsx"
    assert export_ledger_print(out, DAY) == 2
    wb = load_workbook(out)
    assert wb.sheetnames == ["店埠镇疫情防控重点人员管控台账（打印版）"]
    ws = wb.active
    assert ws["A1"].value == "店埠镇疫情防控重点人员管控台账（打印版）"
    widths = [ws.column_dimensions[chr(65 + n)].width for n in range(ws.max_column)]
    size = ws["B4"].font.sz
    assert fit_scale(widths, ws.page_setup.orientation == "landscape") * size >= MIN_PRINTED_PT
    zhang = [c.value for c in ws[4]]
    assert zhang[1] == "张三\n男 32岁" and zhang[2] == f"{make_id('19900101', 11)}\n13812345678"
    assert zhang[5] == "居家隔离" and zhang[6] == "2022-04-08\n2022-04-22"
    assert zhang[7] == "镇：干部甲 13700000001\n网格：网格员乙 13700000002"
    assert [c.value for c in ws[5]][5] == "集中隔离\n隔离酒店1号楼"
    assert ws.row_dimensions[4].height >= line_height(2, size)
    assert zhang[8] == "2022-04-11\n阴性"
    for column in (1, 2, 6, 7, 8):  # two lines each, neither of them wrapped
        assert text_lines(zhang[column], widths[column], size) == 2, zhang[column]
    assert ws.print_title_rows == "$1:$3" and ws.page_setup.fitToWidth == 1


def test_full_ledger_tab_keeps_the_front_of_its_name(office: dict[str, int],
                                                     tmp_path: Path) -> None:
    set_setting("township", "清溪镇")
    out = tmp_path / "居家.xlsx"
    export_ledger(out, DAY, "居家隔离")
    assert load_workbook(out).sheetnames == ["清溪镇居家隔离人员台账"]


def test_notices_only_for_measures_in_force(office: dict[str, int], tmp_path: Path) -> None:
    out = tmp_path / "告知书.xlsx"
    assert export_notices(out, dt.date(2022, 4, 22)) == 1  # the last day of the period
    assert export_notices(out, dt.date(2022, 4, 23)) == 0  # over, though not yet released
    assert export_notices(out, dt.date(2022, 5, 23)) == 0


def test_notice_sheet_names_from_any_resident_name(office: dict[str, int],
                                                   tmp_path: Path) -> None:
    from db.models import Resident

    Resident.update(name="'张:/\\?*[]三'").where(Resident.name == "张三").execute()
    out = tmp_path / "告知书.xlsx"
    assert export_notices(out, DAY) == 1
    assert load_workbook(out).sheetnames == ["1_'张：／＼？＊［］三"]  # no trailing '


def test_a_long_temperature_period_gets_a_sheet_a_week(office: dict[str, int],
                                                      tmp_path: Path) -> None:
    from exports.sheet import MIN_PRINTED_PT, fit_scale

    out = tmp_path / "体温.xlsx"
    assert export_temperatures(out, dt.date(2022, 4, 4), dt.date(2022, 4, 20)) == 2
    wb = load_workbook(out)
    assert wb.sheetnames == ["体温监测4月4日起", "体温监测4月11日起", "体温监测4月18日起"]
    first, second, third = wb.worksheets
    assert first["A1"].value == "重点人员体温监测登记表（4月4日—4月10日）"
    assert first.max_row == 4 + 2 + 3  # the hotel stay starts on 4月10日: both people
    assert third["A1"].value == "重点人员体温监测登记表（4月18日—4月20日）"
    zhang = next(r for r in range(5, 7) if second.cell(r, 2).value == "张三")
    assert (second.cell(zhang, 5).value, second.cell(zhang, 6).value) == (36.5, 37.6)
    for ws in wb.worksheets:
        widths = [ws.column_dimensions[get_column_letter(n)].width
                  for n in range(1, ws.max_column + 1)]
        assert fit_scale(widths, True) * 10 >= MIN_PRINTED_PT
