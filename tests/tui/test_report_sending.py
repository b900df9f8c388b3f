"""The daily report goes out honestly, at 100×30: an export alone leaves the dashboard saying
已生成未报送; marking it sent another way needs a note; the mail keeps the body's lines; moved
numbers are offered for regeneration; Esc during 正在发送… after the data was handed over is
logged as 可能已发送（已取消等待）; the send log's result is on screen."""

from __future__ import annotations

import threading
from pathlib import Path

from textual.widgets import TextArea

from db import clock
from db.models import MailLog
from db.report import GENERATED, REPORTED, daily_report
from db.settings import set_setting
from tests.exports.test_mail import configure
from tests.smtp_server import smtp_server
from tests.tui.conftest import notices, press, running, screen_text

SMALL = (100, 30)


async def export_daily(pilot) -> None:
    await press(pilot, "f7", "enter")
    await press(pilot, "ctrl+s")


async def test_export_alone_is_not_sent_and_marking_needs_a_note(demo_path: Path,
                                                                 tmp_path: Path) -> None:
    set_setting("export_dir", str(tmp_path / "导出"))
    async with running(demo_path, size=SMALL) as (app, pilot):
        await export_daily(pilot)
        assert "今日日报：已生成未报送" in screen_text(pilot)
        await press(pilot, "f1")
        text = screen_text(pilot)
        assert "今日日报已生成未报送" in text and "今日日报已报送" not in text
        await press(pilot, "f7", "s")
        await press(pilot, "ctrl+s")  # no note: refused
        assert "请填写报送方式和说明" in screen_text(pilot)
        assert daily_report(clock.today()).state == GENERATED
        app.screen.query_one("#form-note").value = "已传真区防控办"
        await press(pilot, "ctrl+s")
        assert "今日日报：已报送" in screen_text(pilot)
        await press(pilot, "f1")
        assert "今日日报已报送" in screen_text(pilot)
    report = daily_report(clock.today())
    assert (report.state, report.reported_how, report.reported_note) == (
        REPORTED, "其他方式", "已传真区防控办")


async def test_mail_keeps_lines_and_offers_to_regenerate(demo_path: Path,
                                                         tmp_path: Path) -> None:
    set_setting("export_dir", str(tmp_path / "导出"))
    with smtp_server() as (port, box):
        configure(port)
        async with running(demo_path, size=SMALL) as (app, pilot):
            await export_daily(pilot)
            first = daily_report(clock.today())
            set_setting("report_note", "今日无其他情况")  # the report's content moved
            await press(pilot, "m")
            body = app.screen.query_one("#form-body", TextArea)
            assert len(body.text.splitlines()) == 3  # the template's three lines, kept
            app.screen.query_one("#form-to").value = "district@gov.example"
            await press(pilot, "ctrl+s")
            assert "导出后数字有变化" in screen_text(pilot)
            await press(pilot, "y")
            assert any("邮件已发送" in n for n in notices(pilot))
            assert "今日日报：已报送" in screen_text(pilot)
    message = box.messages[0]
    assert len(message.get_body().get_content().strip().splitlines()) == 3
    sent = daily_report(clock.today())
    assert sent.state == REPORTED and sent.note == "今日无其他情况"
    assert sent.token != first.token and not sent.correction


async def test_esc_after_data_is_possibly_sent_and_the_log_shows_it(demo_path: Path,
                                                                    tmp_path: Path) -> None:
    set_setting("export_dir", str(tmp_path / "导出"))
    arrived = threading.Event()
    with smtp_server() as (port, box):
        configure(port)
        box.on_step["data"] = arrived.set
        box.delays["data"] = 5
        async with running(demo_path, size=SMALL) as (app, pilot):
            await export_daily(pilot)
            await press(pilot, "m")
            app.screen.query_one("#form-to").value = "district@gov.example"
            await pilot.press("ctrl+s")
            while not arrived.is_set():
                await pilot.pause(0.05)
            assert "正在发送…（Esc 取消）" in screen_text(pilot)
            await press(pilot, "escape")
            assert "可能已发送（已取消等待）" in screen_text(pilot)
            await press(pilot, "escape", "l")
            log_line = next(line for line in screen_text(pilot).splitlines()
                            if "district@gov.example" in line)
            assert "可能已发送（已取消等待）" in log_line
    log = MailLog.get()
    assert not log.ok and "未发送" not in log.result
    assert daily_report(clock.today()).state == GENERATED
