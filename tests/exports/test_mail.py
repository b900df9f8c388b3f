"""E-mail upward against a real SMTP server on 127.0.0.1: attachments and Chinese names intact,
a refused recipient and a wrong password reported, and every try logged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from db.database import close_database
from db.mail import add_recipient
from db.models import MailLog
from db.settings import set_setting
from eprc import cli
from exports.mail import Draft, MailError, resolve_recipients, send, subject_and_body
from tests.smtp_server import PASSWORD, USER, free_port, smtp_server


def smtp_settings(port: int, password: str = PASSWORD) -> dict[str, str]:
    """The settings that point eprc at the test server on ``port``."""
    return {"smtp.host": "127.0.0.1", "smtp.port": str(port), "smtp.security": "none",
            "smtp.user": USER, "smtp.password": password}


def configure(port: int, password: str = PASSWORD) -> None:
    for key, value in {**smtp_settings(port, password), "smtp.sender": "店埠镇防控办",
                       "township": "店埠镇"}.items():
        set_setting(key, value)


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    a = tmp_path / "店埠镇_疫情防控工作日报_2022-04-11.xlsx"
    b = tmp_path / "店埠镇_重点人员管控台账_2022-04-11.xlsx"
    a.write_bytes(b"PK\x03\x04 report one")
    b.write_bytes(b"PK\x03\x04 report two")
    return [a, b]


def test_message_arrives_with_attachments_and_chinese_names(db_path: Path,
                                                            files: list[Path]) -> None:
    add_recipient("区防控办", "district@gov.example", "区疫情防控指挥部")
    subject, body = subject_and_body(dt.date(2022, 4, 11))
    with smtp_server() as (port, box):
        configure(port)
        subject, body = subject_and_body(dt.date(2022, 4, 11))
        send(Draft(resolve_recipients(["区防控办"]), subject, body, files))
    assert subject == "店埠镇4月11日疫情防控工作日报告"
    message = box.messages[0]
    assert message["Subject"] == "店埠镇4月11日疫情防控工作日报告"
    assert "店埠镇防控办" in message["From"]
    assert box.recipients == [["district@gov.example"]]
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert attachments == {f.name: f.read_bytes() for f in files}
    log = MailLog.get()
    assert log.ok and log.to == "district@gov.example" and "日报" in log.files


def test_refused_recipient_is_reported_and_logged(db_path: Path, files: list[Path]) -> None:
    with smtp_server() as (port, box):
        configure(port)
        with pytest.raises(MailError, match="nobody@gov.example"):
            send(Draft(["nobody@gov.example"], "主题", "正文", files))
    assert box.messages == []
    log = MailLog.get()
    assert not log.ok and "拒绝" in log.result


def test_login_failure_is_reported(db_path: Path, files: list[Path]) -> None:
    with smtp_server() as (port, box):
        configure(port, password="wrong")
        with pytest.raises(MailError, match="登录失败"):
            send(Draft(["district@gov.example"], "主题", "正文", files))
    assert box.messages == [] and not MailLog.get().ok


def test_no_server_is_a_network_error(db_path: Path, files: list[Path]) -> None:
    configure(free_port())
    with pytest.raises(MailError, match="无法连接邮件服务器"):
        send(Draft(["district@gov.example"], "主题", "正文", files))


def test_cli_send_exit_status(tmp_path: Path, files: list[Path]) -> None:
    db = str(tmp_path / "m.db")
    runner = CliRunner()
    runner.invoke(cli, ["--db", db, "init"])
    with smtp_server() as (port, box):
        for key, value in smtp_settings(port).items():
            runner.invoke(cli, ["--db", db, "settings", key, value])
            close_database()
        ok = runner.invoke(cli, ["--db", db, "send", "--to", "a@gov.example", "--subject",
                                 "测试", *map(str, files)])
        close_database()
        bad = runner.invoke(cli, ["--db", db, "send", "--to", "nobody@gov.example",
                                  str(files[0])])
        close_database()
    assert ok.exit_code == 0 and "已发送给 a@gov.example" in ok.stdout
    assert bad.exit_code == 1 and "拒绝" in bad.stderr
    assert box.messages[0]["Subject"] == "测试"
