"""One error root: the clerk's errors are their Chinese line; anything else is a bug, logged with
its traceback beside the data file (owner-only, no cell values) and shown as one Chinese line."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

import eprc
from db.config import UnknownSetting
from db.errors import ClerkError, DatabaseError
from db.logfile import LOG_NAME, clerk_line, start_log
from db.recycle import DeleteBlocked, RestoreConflict
from db.validate import Invalid
from tests.test_robustness import posix_only
from tests.tui.conftest import SIZE, notices, settle
from tui.app import EprcApp

SECRET = "张三的身份证340104199001011234"


def test_every_clerk_error_has_the_one_root() -> None:
    for error in (Invalid, DatabaseError, DeleteBlocked, RestoreConflict, UnknownSetting):
        assert issubclass(error, ClerkError), error
    assert clerk_line(Invalid("身份证号码位数不对"), "test") == "身份证号码位数不对"


@posix_only
def test_a_bug_in_a_command_is_one_line_and_a_log_without_values(
        db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_args: object) -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr("db.backup.backup_now", broken)
    monkeypatch.setattr(sys, "argv", ["eprc", "--db", str(db_path), "backup"])
    monkeypatch.delenv("EPRC_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        eprc.main()
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("错误：程序内部错误（RuntimeError）") and SECRET not in err
    log = db_path.parent / LOG_NAME
    text = log.read_text(encoding="utf-8")
    assert "RuntimeError" in text and "broken" in text and SECRET not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_the_log_goes_to_the_platform_folder_when_the_data_folder_is_read_only(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "access", lambda _path, _mode: False)
    monkeypatch.setattr("platformdirs.user_log_path", lambda *_a, **_k: tmp_path / "logs")
    assert start_log(tmp_path / "data" / "town.db") == tmp_path / "logs" / LOG_NAME


async def test_a_worker_bug_reaches_the_clerk_as_one_line(demo_path: Path) -> None:
    def broken() -> None:
        raise KeyError(SECRET)

    app = EprcApp(demo_path, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.run_worker(broken, thread=True, exit_on_error=False)
        await settle(pilot)
        shown = [n for n in notices(pilot) if "程序内部错误" in n]
        assert len(shown) == 1 and "KeyError" in shown[0] and SECRET not in shown[0]
