"""The register (居民信息登记表) read back with openpyxl: layout, data, print setup."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from db.areas import add_area, find_area
from db.database import close_database
from db.residents import ResidentInput, register_resident
from db.settings import set_setting
from eprc import cli
from exports.residents import export_register
from tests.factories import make_id


@pytest.fixture
def register(db_path: Path) -> Path:
    set_setting("township", "店埠镇")
    set_setting("preparer", "王华")
    set_setting("checker", "韩翔宇")
    set_setting("phone", "0631-5213515")
    building = add_area("3栋", add_area("第1网格", add_area("阳光小区", add_area("城关社区"))))
    village = add_area("第二村民组", add_area("桃园村"))
    son = register_resident(ResidentInput("张小", make_id("20100101", 13), relation="子"),
                            address="阳光小区3栋2单元301室", number="H1", area=building)
    head = register_resident(ResidentInput("张大", make_id("19700101", 11), "13812345678",
                                           relation="户主", notes="=HYPERLINK(\"x\")"),
                             son.household)
    register_resident(ResidentInput("赵六", make_id("19800101", 21), relation="@户主",
                                    notes="=1+1"), address="桃园村二组8号", area=village)
    assert head.household_id == son.household_id
    return db_path


def test_register_layout_and_content(register: Path, tmp_path: Path) -> None:
    out = tmp_path / "reg.xlsx"
    assert export_register(out, today=dt.date(2022, 4, 11)) == 3
    ws = load_workbook(out).active
    assert ws["A1"].value == "店埠镇居民信息登记表"
    assert "A1:P1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].font.b and ws["A1"].font.sz >= 16
    assert ws["A2"].value == "填报单位：店埠镇人民政府（盖章）"
    assert ws["I2"].value == "填报日期：2022年4月11日"
    header = [c.value for c in ws[3]]
    assert header[:6] == ["序号", "户号", "姓名", "性别", "身份证号码", "年龄"]
    assert header[-2:] == ["人员类别（常住/外来/返乡）", "备注"]
    assert ws["A3"].font.b and ws["A3"].border.top.style == "thin"
    rows = [r for r in ws.iter_rows(min_row=4, max_row=6, values_only=True)]
    assert [r[2] for r in rows] == ["张大", "张小", "赵六"]  # head first, family together
    assert rows[0][:2] == (1, "H1") and rows[0][4] == make_id("19700101", 11)
    assert rows[0][5] == 52 and rows[0][8:14] == ("城关社区", "阳光小区", "3栋", "2单元", "301室",
                                          "第1网格")
    assert ws["E4"].number_format == "@" and ws["E4"].data_type == "s"
    assert ws["H4"].value == "13812345678" and ws["H4"].data_type == "s"
    # nothing typed by anyone becomes a formula
    assert ws["P6"].value == "=1+1" and ws["P6"].data_type == "s" and ws["P4"].data_type == "s"
    assert ws["G6"].value == "@户主" and ws["G6"].data_type == "s"
    assert ws.column_dimensions["E"].width >= 20 and ws.column_dimensions["C"].width >= 8
    signoff = ws.cell(row=ws.max_row, column=1).value
    assert signoff == "填报人：王华\u3000\u3000审核人：韩翔宇\u3000\u3000联系电话：0631-5213515"
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$3" and ws.freeze_panes == "A4"
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"
    assert ws.print_options.horizontalCentered


def test_register_for_one_area_by_cli(register: Path, tmp_path: Path) -> None:
    out = tmp_path / "桃园村.xlsx"
    close_database()
    result = CliRunner().invoke(cli, ["export", "residents", "--db", str(register),
                                      "--area", "桃园村", "-o", str(out)])
    close_database()
    assert result.exit_code == 0 and "已导出 1 人" in result.stdout
    ws = load_workbook(out).active
    assert ws["A1"].value == "店埠镇居民信息登记表（桃园村）"
    assert ws["C4"].value == "赵六" and (ws["I4"].value, ws["J4"].value) == ("桃园村", "第二村民组")
    result = CliRunner().invoke(cli, ["export", "residents", "--db", str(register),
                                      "--area", "火星村", "-o", str(out)])
    close_database()
    assert result.exit_code == 1 and "没有名为“火星村”" in result.stderr


def test_ambiguous_area_names_are_listed(register: Path) -> None:
    add_area("3栋", add_area("第二网格", find_area("阳光小区")))
    with pytest.raises(ValueError, match="有多个名为“3栋”"):
        find_area("3栋")


def test_list_and_register_name_the_same_grid(db_path: Path, tmp_path: Path) -> None:
    """A household on a 楼栋, a 网格, a 小区 and a 社区: the resident list (F2), the register and
    grid_name give one answer each time (the list used to call a 小区 the grid)."""
    from db.areas import grid_name
    from db.residents import page_residents

    community = add_area("城关社区")
    compound = add_area("阳光小区", community)
    grid = add_area("第1网格", compound)
    building = add_area("3栋", grid)
    places = {"楼栋户": building, "网格户": grid, "小区户": compound, "社区户": community}
    for n, (name, area) in enumerate(places.items(), start=1):
        register_resident(ResidentInput(name, make_id("19800101", 10 + n), relation="户主"),
                          address=f"{n}号", area=area)
    listed = {r.name: r.grid for r in page_residents(limit=10)}
    out = tmp_path / "reg.xlsx"
    export_register(out)
    ws = load_workbook(out).active
    registered = {r[2]: r[13] or "" for r in ws.iter_rows(min_row=4, max_row=7, values_only=True)}
    assert listed == registered == {"楼栋户": "第1网格", "网格户": "第1网格", "小区户": "", "社区户": ""}
    assert {name: grid_name(area) for name, area in places.items()} == listed
