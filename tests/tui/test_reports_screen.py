"""The report centre: export the daily report into the export folder and e-mail it upward."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from db import clock
from db.models import MailLog, ReportSnapshot
from db.settings import set_setting
from tests.exports.test_mail import configure
from tests.smtp_server import smtp_server
from tests.tui.conftest import notices, press, running, screen_text


async def test_export_then_send(demo_path: Path, tmp_path: Path) -> None:
    set_setting("export_dir", str(tmp_path / "导出"))
    with smtp_server() as (port, box):
        configure(port)
        set_setting("township", "清溪镇")
        async with running(demo_path) as (app, pilot):
            assert "今日日报尚未报送" in screen_text(pilot)
            await press(pilot, "f7")
            text = screen_text(pilot)
            assert "疫情防控工作日报" in text and "是（仅报上级，勿外传）" in text
            await press(pilot, "enter")
            await press(pilot, "ctrl+s")
            files = list((tmp_path / "导出").glob("清溪镇_疫情防控工作日报_*.xlsx"))
            assert len(files) == 1
            assert any("已导出" in n for n in notices(pilot))
            assert files[0].name in screen_text(pilot)
            await press(pilot, "m")
            app.screen.query_one("#form-to").value = "district@gov.example"
            await press(pilot, "ctrl+s")
            assert any("邮件已发送" in n for n in notices(pilot))
            await press(pilot, "f1")
            assert "今日日报已报送" in screen_text(pilot)
    assert ReportSnapshot.select().count() == 1
    message = box.messages[0]
    assert "清溪镇" in message["Subject"] and "疫情防控工作日报告" in message["Subject"]
    names = [part.get_filename() for part in message.iter_attachments()]
    assert names == [files[0].name]
    assert load_workbook(files[0]).active["A1"].value == "清溪镇疫情防控工作日报表"
    assert MailLog.get().ok


async def test_send_failure_keeps_the_draft(demo_path: Path, tmp_path: Path) -> None:
    set_setting("export_dir", str(tmp_path / "导出"))
    with smtp_server() as (port, box):
        configure(port, password="wrong")
        async with running(demo_path, "f7", "enter") as (app, pilot):
            await press(pilot, "ctrl+s")
            await press(pilot, "m")
            app.screen.query_one("#form-to").value = "district@gov.example"
            await press(pilot, "ctrl+s")
            assert "邮箱登录失败" in screen_text(pilot) and "草稿已保留" in screen_text(pilot)
            assert app.screen.query_one("#form-to").value == "district@gov.example"
    assert box.messages == [] and not MailLog.get().ok


async def test_preview_shows_today_beside_yesterday(demo_path: Path) -> None:
    import datetime as dt

    from db.report import daily_numbers

    today = daily_numbers(clock.today())
    yesterday = daily_numbers(clock.today() - dt.timedelta(days=1))
    current = next(r for r in today[0]["rows"] if r[0] == "合计")[3]
    before = next(r for r in yesterday[0]["rows"] if r[0] == "合计")[3]
    async with running(demo_path, "f7", "r") as (app, pilot):
        text = screen_text(pilot)
        assert "未生成（当前数字）" in text
        table = app.screen.query_one("#preview-table")
        rows = [table.get_row_at(n) for n in range(table.row_count)]
        total = next(r for r in rows if r[1] == "合计" and r[2] == "现管控")
        assert (total[3], total[4]) == (f"{current:g}", f"{before:g}")
        assert total[5] == (f"{current - before:+g}" if current != before else "")


async def test_register_narrowed_to_one_community(demo_path: Path, tmp_path: Path) -> None:
    from db.areas import subtree_ids
    from db.models import Area, Household, Resident

    set_setting("export_dir", str(tmp_path / "导出"))
    set_setting("township", "清溪镇")
    village = Area.select().where(Area.parent.is_null()).order_by(Area.id).first()
    ids = {r.id_number for r in Resident.select().join(Household).where(
        Household.area.in_(subtree_ids(village.id)))}
    async with running(demo_path) as (app, pilot):
        await press(pilot, "f7", "down")  # 居民信息登记表, the second line
        await press(pilot, "enter")
        app.screen.query_one("#form-area").value = "没有这个村"
        await press(pilot, "ctrl+s")
        assert "没有名为“没有这个村”的社区" in screen_text(pilot)
        app.screen.query_one("#form-area").value = village.name
        await press(pilot, "ctrl+s")
    files = list((tmp_path / "导出").glob(f"清溪镇_{village.name}居民信息登记表_*.xlsx"))
    assert len(files) == 1
    rows = list(load_workbook(files[0]).active.iter_rows(min_row=4, values_only=True))
    written = {r[4] for r in rows if r[4] and str(r[4])[:6].isdigit()}
    assert written == ids and len(ids) < Resident.select().count()
