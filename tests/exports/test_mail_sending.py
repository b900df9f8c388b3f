"""Mail against the real aiosmtpd server: the body's line breaks, Date and Message-ID; one
overall limit for a slow server (kept short here: the limit is a parameter); a cancel before and
after the message was handed over; the no-server message in F9's words; and a daily report
that becomes 已报送 only when a mail carrying it was accepted."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db.models import MailLog
from db.report import GENERATED, REPORTED, daily_report
from db.settings import set_setting
from exports.daily import export_daily
from exports.mail import (
    MAYBE_CANCELLED,
    MAYBE_TIMED_OUT,
    Draft,
    MailError,
    Sending,
    send,
)
from tests.exports.test_mail import configure, smtp_settings
from tests.smtp_server import smtp_server

DAY = dt.date(2022, 4, 11)


@pytest.fixture
def report_file(db_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "日报.xlsx"
    export_daily(path, DAY)
    return path


def test_body_keeps_its_lines_and_headers_are_set(db_path: Path) -> None:
    with smtp_server() as (port, box):
        configure(port)
        send(Draft(["a@gov.example"], "主题", "您好！\n附件是日报。\n张三 123", []))
    message = box.messages[0]
    assert message.get_content().splitlines() == ["您好！", "附件是日报。", "张三 123"]
    assert message["Date"] and message["Message-ID"].endswith("@town.example>")


def test_slow_server_before_data_is_not_sent(db_path: Path) -> None:
    with smtp_server() as (port, box):
        configure(port)
        box.delays["ehlo"] = 3
        with pytest.raises(MailError, match="发送超时（超过0.3秒），邮件未发送"):
            send(Draft(["a@gov.example"], "主题", "正文", []), Sending(limit=0.3))
    log = MailLog.get()
    assert not log.ok and "a@gov.example：未发送" in log.result


def test_slow_server_after_data_may_have_sent(db_path: Path, report_file: Path) -> None:
    with smtp_server() as (port, box):
        configure(port)
        box.delays["data"] = 3
        with pytest.raises(MailError, match="请向收件人核实"):
            send(Draft(["a@gov.example"], "主题", "正文", [report_file]), Sending(limit=0.5))
    log = MailLog.get()
    assert not log.ok and log.result.startswith(MAYBE_TIMED_OUT)
    assert "未发送" not in log.result
    assert daily_report(DAY).state == GENERATED  # not known to have arrived: not 已报送


def test_cancel_after_data_is_logged_as_maybe_sent(db_path: Path) -> None:
    sending = Sending()
    with smtp_server() as (port, box):
        configure(port)
        box.on_step["data"] = sending.cancel
        box.delays["data"] = 3
        with pytest.raises(MailError, match="可能已发送"):
            send(Draft(["a@gov.example"], "主题", "正文", []), sending)
    log = MailLog.get()
    assert log.result.startswith(MAYBE_CANCELLED)
    assert f"a@gov.example：{MAYBE_CANCELLED}" in log.result and "未发送" not in log.result


def test_cancel_before_data_is_not_sent(db_path: Path) -> None:
    sending = Sending()
    with smtp_server() as (port, box):
        configure(port)
        box.on_step["ehlo"] = sending.cancel
        box.delays["ehlo"] = 3
        with pytest.raises(MailError, match="已取消，邮件未发送"):
            send(Draft(["a@gov.example"], "主题", "正文", []), sending)
    assert box.messages == []
    assert "a@gov.example：未发送（已取消）" in MailLog.get().result


def test_no_server_names_the_settings_labels(db_path: Path) -> None:
    with pytest.raises(MailError) as caught:
        send(Draft(["a@gov.example"], "主题", "正文", []))
    message = str(caught.value)
    assert "“SMTP 服务器”“SMTP 端口”“邮箱账号”“邮箱密码”" in message
    assert "smtp." not in message


def test_accepted_mail_reports_the_daily_report(db_path: Path, report_file: Path) -> None:
    assert daily_report(DAY).state == GENERATED
    with smtp_server() as (port, _box):
        configure(port)
        send(Draft(["a@gov.example"], "主题", "正文", [report_file]))
    report = daily_report(DAY)
    assert report.state == REPORTED and report.reported_how == "邮件"
    assert "a@gov.example" in report.reported_note


def test_refused_mail_leaves_the_report_unsent(db_path: Path, report_file: Path) -> None:
    with smtp_server() as (port, _box):
        configure(port)
        with pytest.raises(MailError):
            send(Draft(["nobody@gov.example"], "主题", "正文", [report_file]))
    assert daily_report(DAY).state == GENERATED


def test_a_replaced_daily_report_is_not_sent(db_path: Path, report_file: Path,
                                             tmp_path: Path) -> None:
    set_setting("report_note", "补充说明")  # other numbers: the draft is replaced
    export_daily(tmp_path / "新日报.xlsx", DAY)
    with smtp_server() as (port, box):
        configure(port)
        with pytest.raises(MailError, match="已被重新导出取代"):
            send(Draft(["a@gov.example"], "主题", "正文", [report_file]))
    assert box.messages == [] and daily_report(DAY).state == GENERATED


def test_the_command_line_reports_what_it_sends(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from db.database import close_database, open_database
    from eprc import cli

    db = str(tmp_path / "m.db")
    report = tmp_path / "日报.xlsx"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init"]).exit_code == 0
    exported = runner.invoke(cli, ["--db", db, "export", "daily-report", "-o", str(report)])
    close_database()
    assert exported.exit_code == 0 and "已生成未报送" in exported.output
    with smtp_server() as (port, box):
        for key, value in smtp_settings(port).items():
            runner.invoke(cli, ["--db", db, "settings", key, value])
            close_database()
        sent = runner.invoke(cli, ["--db", db, "send", "--to", "a@gov.example", str(report)])
        close_database()
    assert sent.exit_code == 0 and len(box.messages) == 1
    open_database(Path(db))
    try:
        from db import clock

        assert daily_report(clock.today()).state == REPORTED
    finally:
        close_database()


def test_the_command_line_marks_a_report_sent_another_way(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from db.database import close_database
    from eprc import cli

    db = str(tmp_path / "m.db")
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db, "init"]).exit_code == 0
    early = runner.invoke(cli, ["--db", db, "report-sent", "--note", "已传真"])
    close_database()
    assert early.exit_code == 1 and "尚未生成" in early.stderr
    runner.invoke(cli, ["--db", db, "export", "daily-report", "-o", str(tmp_path / "日报.xlsx")])
    close_database()
    marked = runner.invoke(cli, ["--db", db, "report-sent", "--note", "已传真区防控办"])
    close_database()
    assert marked.exit_code == 0 and "为已报送（已传真区防控办）" in marked.output
