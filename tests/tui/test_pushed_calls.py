"""推送核查 at 100×30: the outcome shown and stored is the key pressed, for every result key;
c splits the batch into call lists for the callers the clerk names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import pushed
from db.models import PushedRow
from db.settings import set_setting
from exports.pushed import import_pushed_file
from tests.exports.test_pushed_feedback import district_sheet
from tests.tui.conftest import press, running, screen_text

HEADER = ["序号", "推送批次", "姓名", "手机号码", "来源地", "抵达时间", "预警类型", "身份证号"]
SMALL = (100, 30)
WORDS = ["已核实在辖区（漏排）", "前期已排查", "不在辖区居住", "已离开", "无法联系", "信息有误",
         "超过排查期"]


def one_batch(tmp_path: Path, people: int = 1) -> int:
    rows = [[n, "P", f"人员{n}", f"1380000000{n}", "上海", None, "x", ""]
            for n in range(1, people + 1)]
    return import_pushed_file(district_sheet(tmp_path / "推送.xlsx", HEADER, rows),
                              dt.datetime(2022, 4, 11, 9)).batch_id


@pytest.mark.parametrize("key", range(1, len(WORDS) + 1))
async def test_the_key_pressed_is_the_outcome(db_path: Path, tmp_path: Path, key: int) -> None:
    set_setting("setup_done", "1")
    assert pushed.verify_results() == WORDS
    batch = one_batch(tmp_path)
    async with running(db_path, size=SMALL) as (app, pilot):
        await press(pilot, "f4", "enter")
        assert "结果：未核查" in screen_text(pilot)
        await press(pilot, str(key))
        shown = next(line for line in screen_text(pilot).splitlines() if "结果：" in line)
        assert f"结果：{WORDS[key - 1]}" in shown
    row = PushedRow.get(PushedRow.batch == batch)
    assert row.result == WORDS[key - 1]
    assert row.category == dict(pushed.verify_choices())[WORDS[key - 1]]


async def test_c_makes_one_call_list_per_caller(db_path: Path, tmp_path: Path) -> None:
    set_setting("setup_done", "1")
    set_setting("export_dir", str(tmp_path / "导出"))
    one_batch(tmp_path, people=5)
    async with running(db_path, size=SMALL) as (app, pilot):
        await press(pilot, "f4", "c")
        assert "第1批电话分派（未核查 5 人）" in screen_text(pilot)
        app.screen.query_one("#form-callers").value = "张三、李四"
        await press(pilot, "ctrl+s")
        await press(pilot, "enter")  # the file dialog: start
        text = screen_text(pilot)
        assert "已导出第1批电话分派单：张三 3 人，李四 2 人" in text
    out = tmp_path / "导出" / "推送_电话分派单.xlsx"
    wb = load_workbook(out)
    assert wb.sheetnames == ["张三", "李四"]
    assert [wb["李四"].cell(r, 2).value for r in (5, 6)] == ["人员2", "人员4"]


async def test_report_centre_exports_a_chosen_batch_or_every_batch_of_the_day(
        db_path: Path, tmp_path: Path) -> None:
    from exports.catalog import EXPORTS

    set_setting("setup_done", "1")
    set_setting("export_dir", str(tmp_path / "导出"))
    first = one_batch(tmp_path, people=2)
    rows = [[1, "P", "后来者", "13900000001", "上海", None, "x", ""]]
    second = import_pushed_file(district_sheet(tmp_path / "下午.xlsx", HEADER, rows),
                                dt.datetime(2022, 4, 11, 15)).batch_id
    line = next(n for n, e in enumerate(EXPORTS) if e.key == "feedback")
    async with running(db_path, size=SMALL) as (app, pilot):
        await press(pilot, "f7", *["down"] * line, "enter")
        assert "空 = 当天全部批次" in screen_text(pilot) and "接收日期" in screen_text(pilot)
        app.screen.query_one("#form-batch").value = str(first)
        await press(pilot, "ctrl+s")
        await press(pilot, "enter")
        app.screen.query_one("#form-day").value = "2022-04-11"
        await press(pilot, "ctrl+s")
    names = sorted(p.name for p in (tmp_path / "导出").glob("*.xlsx"))
    assert len(names) == 3
    assert any(n.endswith(f"_第{first}批.xlsx") for n in names)
    assert any(n.endswith(f"_第{second}批.xlsx") for n in names)
