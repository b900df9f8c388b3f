"""Importing from the TUI: every sheet of a village's workbook is read and named, a problem
names its sheet, and a hostile file (a far-away cell, a zip bomb, a named .ods) gives one line
in the dialog while the app carries on."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from db.areas import add_area
from db.models import Resident
from db.settings import set_setting
from tests.exports.test_bad_inputs import bomb, same_cell, workbook
from tests.factories import make_id
from tests.tui.conftest import SIZE, press, run_file_job, screen_text, settle
from tui.app import EprcApp


def villages(path: Path) -> Path:
    wb = Workbook()
    for n, title in enumerate(("一组", "二组")):
        ws = wb.active if n == 0 else wb.create_sheet(title)
        ws.title = title
        ws.append(["姓名", "身份证号码", "社区（村）"])
        for i in range(5):
            ws.append([f"{title}{i}", make_id("19900101", n * 10 + i + 1), "桃园村"])
    wb["二组"]["B3"] = "12345"
    wb.create_sheet("说明").append(["本表由村委会填报"])
    wb.save(path)
    return path


async def import_in_tui(app: EprcApp, pilot, path: Path) -> str:
    await settle(pilot)
    await run_file_job(pilot, path, "f2", "i")
    if "确认导入" in screen_text(pilot):  # previewed: nothing is written before Enter
        await press(pilot, "enter")
    return screen_text(pilot)


async def test_every_sheet_is_read_and_named(db_path: Path, tmp_path: Path) -> None:
    set_setting("setup_done", "1")
    add_area("桃园村")  # a known community: nothing to confirm
    app = EprcApp(db_path, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        text = await import_in_tui(app, pilot, villages(tmp_path / "村[v2].xlsx"))
        assert "已读取工作表“一组”5行、“二组”5行；跳过“说明”（没有表头）" in text
        assert "工作表“二组”第3行 拒绝：身份证号码应为18位" in text
        assert app.is_running
    assert Resident.select().count() == 9


async def test_hostile_files_are_one_line_in_the_dialog(db_path: Path, tmp_path: Path) -> None:
    set_setting("setup_done", "1")
    source = workbook(tmp_path / "base.xlsx", [["姓名", "身份证号码"], ["张三", make_id()]])
    ods = tmp_path / "名单.ods"
    ods.write_bytes(source.read_bytes())
    cases = {bomb(tmp_path / "炸弹[1].xlsx", source, same_cell(4_000_000)): "压缩炸弹",
             ods: "请在 Excel/WPS 中另存为"}  # the line wraps in the dialog
    app = EprcApp(db_path, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        for path, fragment in cases.items():
            text = await import_in_tui(app, pilot, path)
            assert fragment in text and path.name in text, text
            await press(pilot, "escape")
        assert app.is_running
    assert Resident.select().count() == 0
