"""Mail and its secret: the password never in the data file or its backups, never printed; a
server without login sends from 发件邮箱; the log keeps each recipient's own result."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from db.backup import backup_now
from db.database import close_file, open_database
from db.models import MailLog
from db.settings import get_setting, set_setting
from eprc import cli
from exports.mail import Draft, MailError, send
from tests.exports.test_mail import configure
from tests.smtp_server import smtp_server

SECRET = "授权码-Secret-7788"


def stored_anywhere(path: Path, text: str) -> bool:
    return text.encode("utf-8") in path.read_bytes()


def test_the_password_is_kept_out_of_the_file_and_its_backups(db_path: Path) -> None:
    set_setting("smtp.user", "fkb@town.example")
    set_setting("smtp.password", SECRET)
    assert get_setting("smtp.password") == SECRET
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert not stored_anywhere(db_path, SECRET)
    assert not stored_anywhere(backup_now(), SECRET)
    secrets = Path(db_path.parent / "home" / "config" / "eprc" / "mail-secrets.json")
    assert SECRET in secrets.read_text(encoding="utf-8")  # no credential store here: a file
    if sys.platform != "win32":
        assert secrets.stat().st_mode & 0o077 == 0


def test_the_credential_store_is_used_where_there_is_one(db_path: Path) -> None:
    import keyring
    from keyring.backend import KeyringBackend
    from keyring.backends.fail import Keyring as NoStore

    class Memory(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.kept: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.kept.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.kept[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.kept.pop((service, username), None)

    store = Memory()
    keyring.set_keyring(store)
    try:
        set_setting("smtp.host", "smtp.town.example")
        set_setting("smtp.user", "fkb@town.example")
        set_setting("smtp.password", SECRET)
        assert store.kept == {("eprc-smtp", "fkb@town.example@smtp.town.example"): SECRET}
        assert get_setting("smtp.password") == SECRET
        set_setting("smtp.password", "")
        assert store.kept == {}
    finally:
        keyring.set_keyring(NoStore())


def test_the_cli_never_prints_the_password_and_asks_for_it_hidden(db_path: Path) -> None:
    runner = CliRunner()
    db = str(db_path)
    result = runner.invoke(cli, ["--db", db, "settings", "smtp.password"], input=f"{SECRET}\n")
    assert result.exit_code == 0 and SECRET not in result.output
    assert "已保存在系统凭据中" in result.output
    open_database(db_path)
    assert get_setting("smtp.password") == SECRET
    close_file()
    listing = runner.invoke(cli, ["--db", db, "settings"])
    assert listing.exit_code == 0 and SECRET not in listing.output
    assert "smtp.password = ******" in listing.output
    close_file()
    result = runner.invoke(cli, ["--db", db, "settings", "smtp.password", SECRET + "2"])
    assert result.exit_code == 0 and SECRET not in result.output


def test_a_password_stored_by_an_old_release_is_moved_out(tmp_path: Path) -> None:
    import shutil

    old = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parent.parent / "fixtures" / "v1-demo.db", old)
    assert stored_anywhere(old, "old-secret-1")
    open_database(old)
    assert get_setting("smtp.password") == "old-secret-1"
    close_file()
    conn = sqlite3.connect(old)
    conn.execute("VACUUM")  # freed pages may keep old bytes until the file is rewritten
    conn.close()
    assert not stored_anywhere(old, "old-secret-1")


def test_without_an_account_no_login_and_from_is_the_sender_address(
        db_path: Path, tmp_path: Path) -> None:
    report = tmp_path / "日报.xlsx"
    report.write_bytes(b"PK\x03\x04 report")
    with smtp_server() as (port, box):
        configure(port)
        set_setting("smtp.user", "")
        with pytest.raises(MailError, match="发件邮箱"):
            send(Draft(["a@gov.example"], "日报", "第一行\n第二行", [report]))
        with pytest.raises(Exception, match="不是邮箱地址"):
            set_setting("smtp.from", "防控办")
        set_setting("smtp.from", "fkb@town.example")
        send(Draft(["a@gov.example"], "日报", "第一行\n第二行", [report]))
    message = box.messages[-1]
    assert "fkb@town.example" in message["From"]
    assert message["Date"] and message["Message-ID"]


def test_the_log_keeps_each_recipients_result(db_path: Path, tmp_path: Path) -> None:
    report = tmp_path / "日报.xlsx"
    report.write_bytes(b"PK\x03\x04 report")
    with smtp_server() as (port, _box):
        configure(port)
        with pytest.raises(MailError, match="nobody@gov.example"):
            send(Draft(["a@gov.example", "nobody@gov.example"], "日报", "正文", [report]))
    log = MailLog.select().order_by(MailLog.id.desc()).get()
    assert not log.ok
    assert "a@gov.example：已发送" in log.result
    assert "nobody@gov.example：被拒绝（550" in log.result
