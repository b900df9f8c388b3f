"""Ctrl+P: the Chinese command palette lists every action, finds it by pinyin initials, runs
it in its section, and costs nothing at start-up (imported on first open, no phrase
dictionaries)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.tui.conftest import press, running, screen_text
from tui.app import EprcApp

SIZES = [(100, 30), (80, 24)]
ROOT = Path(__file__).parent.parent.parent


@pytest.mark.parametrize("size", SIZES)
async def test_ctrl_p_finds_an_action_by_pinyin_initials_and_runs_it(
        demo_path: Path, size: tuple[int, int]) -> None:
    async with running(demo_path, size=size) as (app, pilot):
        await press(pilot, "ctrl+p")
        assert "拼音首字母" in screen_text(pilot)
        await press(pilot, *"drjm")
        await pilot.pause(0.3)
        text = screen_text(pilot)
        assert "导入（居民）" in text
        await press(pilot, "enter")
        assert app.current_mode == "residents"
        assert "导入居民" in screen_text(pilot) and "[ ] 试运行（只检查，不写入）" in screen_text(pilot)


async def test_the_palette_lists_every_section_action_and_export_in_chinese(
        demo_path: Path) -> None:
    import importlib

    from exports.catalog import EXPORTS
    from tui.palette import commands_of, initials

    labels = [c.label for c in commands_of(EprcApp)]
    for export in EXPORTS:
        assert f"导出{export.title}" in labels
    for binding in importlib.import_module("tui.screens.keypersons.keypersons").KeyPersonsScreen.BINDINGS:
        if binding.description:
            assert f"{binding.description}（重点人员）" in labels
    assert "设置" in labels and "退出" in labels
    assert all(not c.label.isascii() for c in commands_of(EprcApp))
    assert initials("导入居民") == "drjm" and initials("重点人员") == "zdry"


START_THEN_PALETTE = """
import asyncio, sys
from pathlib import Path
from tui.start import open_app
app = open_app(Path(sys.argv[1]), backup=False)
seen = {}
async def drive(pilot):
    while not getattr(pilot.app.screen, "loaded", False):
        await asyncio.sleep(0.01)
    seen["at_start"] = sorted(m for m in sys.modules if m == "tui.palette" or m.startswith("pypinyin"))
    await pilot.press("ctrl+p", *"drjm")
    await asyncio.sleep(0.5)
    await pilot.pause()
    seen["palette_open"] = "tui.palette" in sys.modules
    seen["after"] = sorted(m for m in sys.modules if m.startswith("pypinyin"))
    pilot.app.exit(seen)
print(app.run(headless=True, size=(100, 30), auto_pilot=drive))
"""


def test_the_palette_is_loaded_only_when_opened_and_never_loads_phrase_dictionaries(
        demo_path: Path) -> None:
    from db.database import close_file

    close_file()  # the child opens the file for writing, and takes its lock
    child = subprocess.run([sys.executable, "-c", START_THEN_PALETTE, str(demo_path)],
                           capture_output=True, text=True, cwd=ROOT, encoding="utf-8")
    assert child.returncode == 0, child.stderr
    seen = eval(child.stdout.strip().splitlines()[-1])  # a dict printed by the child
    assert seen["at_start"] == []
    assert seen["palette_open"] is True
    assert "pypinyin.phrases_dict" not in seen["after"] and "pypinyin" not in seen["after"]


async def test_an_export_from_the_palette_opens_its_form_in_the_report_centre(
        demo_path: Path) -> None:
    async with running(demo_path, size=(80, 24)) as (app, pilot):
        await press(pilot, "ctrl+p", *"dcjzgs")  # 导出捐赠公示
        await pilot.pause(0.3)
        assert "导出捐赠公示" in screen_text(pilot)
        await press(pilot, "enter")
        assert app.current_mode == "reports"
        text = screen_text(pilot)
        assert "导出捐赠公示" in text and "开始日期" in text and "Ctrl+S 保存" in text


async def test_a_section_switch_from_the_palette_asks_about_a_changed_form(
        demo_path: Path) -> None:
    async with running(demo_path, size=(100, 30)) as (app, pilot):
        await press(pilot, "f6", "m")
        await pilot.press("tab", *"恒丰公司")
        await press(pilot, "ctrl+p", *"pb")  # 排班
        await pilot.pause(0.3)
        await press(pilot, "enter")
        assert "有未保存的修改" in screen_text(pilot) and app.current_mode == "donations"
        await press(pilot, "escape")  # 继续编辑
        assert app.screen.query_one("#form-donor").value == "恒丰公司"
