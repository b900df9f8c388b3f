"""Backups restored from the app, the address book and test mail, list filters and stock views."""

from __future__ import annotations

from pathlib import Path

from db.backup import backup_now
from db.models import Item, MailLog, Recipient, Resident
from db.residents import ResidentInput, register_resident
from db.settings import get_setting
from tests.exports.test_mail import configure
from tests.factories import make_id
from tests.smtp_server import USER, smtp_server
from tests.tui.conftest import burst, notices, press, running, screen_text, settle


async def test_restore_a_chosen_backup_from_the_app(demo_path: Path) -> None:
    copy = backup_now()
    register_resident(ResidentInput("后来的人", make_id("19900101", 11)), address="x")
    async with running(demo_path, "f9", "ctrl+b") as (app, pilot):
        assert copy.name in screen_text(pilot)
        await press(pilot, "enter")
        assert "当前数据会先备份" in screen_text(pilot)
        await press(pilot, "y")
        assert any("已恢复到" in n for n in notices(pilot))
        assert not Resident.select().where(Resident.name == "后来的人").exists()
        assert any("恢复前" in b.path.name for b in app.screen.files)


async def test_a_usb_folder_typed_at_full_speed_is_the_folder_used(demo_path: Path,
                                                                     tmp_path: Path) -> None:
    """备份到…: the folder's name and its Enter posted at once, as a fast typist or a paste sends
    them; the Enter answers with every key before it in the field."""
    usb = tmp_path / "U盘"
    usb.mkdir()
    async with running(demo_path, "f9", "ctrl+b", "u") as (app, pilot):
        assert "备份到哪个文件夹" in screen_text(pilot)
        burst(pilot, *str(usb), "enter")
        await settle(pilot)
        made = list(usb.glob("*.db"))
        assert len(made) == 1 and any(f"已备份到：{made[0]}" in n for n in notices(pilot))
    assert get_setting("backup.copy_dir") == str(usb)


async def test_address_book_and_test_mail(demo_path: Path) -> None:
    with smtp_server() as (port, box):
        configure(port)
        async with running(demo_path, "f7", "b") as (app, pilot):
            screen = app.screen
            screen.query_one("#form-unit").value = "区疫情防控指挥部"
            screen.query_one("#form-name").value = "李科长"
            screen.query_one("#form-address").value = "not-an-address"
            await press(pilot, "ctrl+s")
            assert "邮箱地址“not-an-address”不正确" in screen_text(pilot)
            screen.query_one("#form-address").value = "li@gov.example"
            await press(pilot, "ctrl+s")
            await press(pilot, "t")
            assert any("测试邮件已发送" in n for n in notices(pilot))
            await press(pilot, "l")
            assert "eprc 测试邮件" in screen_text(pilot) and "已发送" in screen_text(pilot)
    assert Recipient.get().unit == "区疫情防控指挥部"
    assert box.recipients == [[USER]] and MailLog.get().ok


async def test_key_person_filter_and_item_history(demo_path: Path) -> None:
    async with running(demo_path, "f3", "f") as (app, pilot):
        app.screen.query_one("#form-kind").value = "集中隔离"
        await press(pilot, "ctrl+s")
        screen = app.screen
        assert screen.rows and all(r.kind == "集中隔离" for r in screen.rows)
        assert "在管（集中隔离）" in screen_text(pilot)
        await press(pilot, "f6", "2")
        donations = app.screen
        item = Item.get_by_id(donations.keys[0])
        await press(pilot, "t")
        app.screen.query_one("#form-value").value = "99999"
        await press(pilot, "ctrl+s")
        assert "（不足）" in screen_text(pilot)
        await press(pilot, "enter")
        assert donations.view == "handed" and donations.item_id == item.id
    assert float(Item.get_by_id(item.id).low_threshold) == 99999
