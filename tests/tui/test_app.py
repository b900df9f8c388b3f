"""The app frame: dashboard with the file's real counts, first start, settings, navigation."""

from __future__ import annotations

from pathlib import Path

from db.dashboard import dashboard_counts
from db.database import database
from db.settings import get_setting
from tests.tui.conftest import SIZE, press, running, screen_text, settle
from tui.start import open_app


async def test_dashboard_shows_the_files_real_counts(demo_path: Path) -> None:
    counts = dashboard_counts()
    async with running(demo_path) as (app, pilot):
        text = screen_text(pilot)
        assert "清溪镇疫情防控工作台" in text
        assert f"{counts.residents:,}" in text and "居民（人）" in text
        assert f"{counts.households:,}" in text
        assert f"{counts.key_persons_under_control:,}" in text
        assert counts.residents == database.execute_sql(
            "SELECT count(*) FROM resident").fetchone()[0]
        assert "f2" in text.lower() and "居民" in text  # footer shows the keys


async def test_app_opened_as_eprc_does_shows_the_numbers_read_ahead(demo_path: Path) -> None:
    app = open_app(demo_path, backup=False)
    board = app.first_dashboard.result(timeout=10)  # read on its own thread meanwhile
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert app.screen.loaded and app.first_dashboard is None  # taken by the first 首页
        assert f"{board.counts.residents:,}" in text and f"{board.counts.households:,}" in text
        assert board.counts.residents == database.execute_sql(
            "SELECT count(*) FROM resident").fetchone()[0]


async def test_dashboard_is_usable_at_100_by_30(demo_path: Path) -> None:
    async with running(demo_path, size=(100, 30)) as (app, pilot):
        text = screen_text(pilot)
        assert "今日卡口劝返" in text and "捐款（元）" in text
        assert "F9 设置" in text and "^Q 退出" in text  # every section key fits in 100 columns
        await press(pilot, "f2")
        lines = screen_text(pilot).splitlines()
        assert "F1 首页" in lines[-2] and "F9 设置" in lines[-2]  # still all there, and
        assert "/ 搜索" in lines[-1] and "x 导出" in lines[-1]  # the section's own keys below


async def test_first_start_asks_for_the_township_and_saves_it(db_path: Path) -> None:
    async with running(db_path) as (app, pilot):
        assert "欢迎使用 eprc" in screen_text(pilot)
        await pilot.press(*"店埠镇", "enter", *"王华", "enter", *"韩翔宇", "enter")
        await press(pilot, *"0631-5213515", "enter")
        assert "操作人" in screen_text(pilot)  # asked too: the name the history records
        await press(pilot, *"李敏", "enter", "enter")  # to 保存, then save
        assert get_setting("township") == "店埠镇"
        assert get_setting("checker") == "韩翔宇" and get_setting("operator") == "李敏"
        assert "店埠镇疫情防控工作台" in screen_text(pilot)
    async with running(db_path) as (app, pilot):
        assert "欢迎使用" not in screen_text(pilot)


async def test_first_start_can_be_skipped(db_path: Path) -> None:
    async with running(db_path, "escape") as (app, pilot):
        assert get_setting("township") == ""
        assert get_setting("setup_done") == "1"
        assert "本镇疫情防控工作台" in screen_text(pilot)


async def test_settings_screen_refuses_a_bad_threshold_and_saves_nothing(
    demo_path: Path,
) -> None:
    async with running(demo_path, "f9") as (app, pilot):
        screen = app.screen
        screen.query_one("#set-preparer").value = "李雷"
        screen.query_one("#set-fever_threshold").value = "99"
        await press(pilot, "ctrl+s")
        assert "发热阈值应在36.0—39.0℃之间" in screen_text(pilot)
        assert get_setting("preparer") == "王华"
        screen.query_one("#set-fever_threshold").value = "37.5"
        await press(pilot, "ctrl+s")
        assert get_setting("preparer") == "李雷"
        assert get_setting("fever_threshold") == "37.5"
