"""The app when the disk says no: a save that fails keeps what the clerk typed, and an export
asks before it replaces a file eprc did not write."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from db.database import database
from db.models import AuditLog, Resident
from tests.tui.conftest import press, run_file_job, running, screen_text


def test_a_full_disk_is_sqlites_own_error_explained(db_path: Path) -> None:
    import peewee

    from db.errors import explain_sqlite
    from db.settings import set_setting

    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql(f"PRAGMA max_page_count = {pages}")  # the disk is full now
    try:
        set_setting("report_note", "很长的说明" * 400)  # 2,000 characters, the most it takes
    except peewee.OperationalError as exc:
        assert "磁盘空间不足" in str(explain_sqlite(exc))
    else:
        raise AssertionError("a write past the full disk went through")
    finally:
        database.execute_sql("PRAGMA max_page_count = 1073741823")


async def test_a_save_on_a_full_disk_says_so_and_keeps_the_form(
        demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import peewee

    from tui.screens.residents import resident_form

    real_register = resident_form.register_resident

    def disk_full(*args: object, **kwargs: object) -> None:
        raise peewee.OperationalError("database or disk is full")  # what SQLite says then

    before = Resident.select().count()
    async with running(demo_path, "f2") as (app, pilot):
        await press(pilot, "n")
        await press(pilot, *"城关社区", "enter")
        await press(pilot, *"李四", "enter", *"412723199010050012")
        monkeypatch.setattr(resident_form, "register_resident", disk_full)
        await press(pilot, "ctrl+s")
        assert "未保存：磁盘空间不足" in screen_text(pilot)
        assert app.screen.query_one("#f-name").value == "李四"  # nothing the clerk typed is lost
        assert app.screen.query_one("#f-id").value == "412723199010050012"
        monkeypatch.setattr(resident_form, "register_resident", real_register)  # space freed
        await press(pilot, "ctrl+s")
    assert Resident.select().count() == before + 1
    assert Resident.get(Resident.id_number == "412723199010050012").name == "李四"


async def test_an_export_onto_a_foreign_file_asks_first(demo_path: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "村里自己的表.xlsx"
    foreign.write_bytes(b"PK\x03\x04 not eprc's")
    async with running(demo_path, "f2") as (app, pilot):
        await run_file_job(pilot, foreign, "x")
        assert "不是 eprc 为这份报表导出的文件" in screen_text(pilot)
        await press(pilot, "n")
        assert "未导出" in screen_text(pilot)
        assert foreign.read_bytes() == b"PK\x03\x04 not eprc's"
        await press(pilot, "enter")
        await press(pilot, "y")
        assert "已导出" in screen_text(pilot)
    assert load_workbook(foreign).active["A1"].value.endswith("居民信息登记表")
    exported = AuditLog.get(AuditLog.action == "导出")  # it carries full ID numbers
    assert str(foreign) in exported.after and "residents" in exported.after
