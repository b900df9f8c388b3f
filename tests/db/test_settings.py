"""Every setting is checked against a sane range when it is set, from the CLI and F9 alike, so
nothing downstream (pushed imports, mail, the dashboard) meets a value it cannot use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from db.database import close_database, open_database
from db.models import AuditLog
from db.settings import DEFAULTS, get_setting, set_setting
from db.validate import Invalid
from eprc import cli
from tests.tui.conftest import SIZE, press, running, screen_text
from tui.screens.settings.settings import field_id

REFUSED = [
    ("verify_hours", "99999999999", "1—168"), ("verify_hours", "0", "1—168"),
    ("verify_hours", "-3", "1—168"), ("verify_hours", "24.5", "1—168"),
    ("smtp.port", "70000", "1—65535"), ("smtp.port", "0", "1—65535"),
    ("fever_threshold", "45", "36.0—39.0"), ("fever_threshold", "nan", "36.0—39.0"),
    ("policy.密接", "7+999", "1—60"), ("policy.密接", "0+7", "1—60"), ("policy.密接", "七天", "7+7"),
    ("report_deadline", "25:00", "13:00"), ("report_deadline", "下午一点", "13:00"),
    ("smtp.host", "smtp qq com", "主机名"), ("smtp.security", "tls", "ssl"),
    ("township", "镇" * 41, "最多40个字"), ("preparer", "王" * 21, "最多20个字"),
    ("mail.subject", "{township}{year}", "可用"), ("mail.body", "{", "可用"),
    ("verify_results", " , ", "不能为空"), ("setup_done", "yes", "空或 1"),
]


@pytest.mark.parametrize(("key", "value", "fragment"), REFUSED)
def test_out_of_range_values_are_refused(db_path: Path, key: str, value: str,
                                         fragment: str) -> None:
    before = get_setting(key)
    with pytest.raises(Invalid, match=re.escape(fragment)):
        set_setting(key, value)
    assert get_setting(key) == before
    assert AuditLog.select().count() == 0


@pytest.mark.parametrize(("key", "value", "stored"), [
    ("verify_hours", "48", "48"), ("verify_hours", "168", "168"), ("smtp.port", "587", "587"),
    ("report_deadline", "9:05", "09:05"), ("report_deadline", "13：00", "13:00"),
    ("policy.密接", "7＋7", "7+7"), ("smtp.host", "smtp.qq.com", "smtp.qq.com"),
    ("township", " 店埠镇\u200b ", "店埠镇"),
    ("mail.body", "您好！\r\n{township}\x1b[2J\n", "您好！\n{township}"),
])
def test_sane_values_are_stored_normalised(db_path: Path, key: str, value: str,
                                           stored: str) -> None:
    set_setting(key, value)
    assert get_setting(key) == stored


def test_every_default_passes_its_own_check(db_path: Path) -> None:
    for key, (default, _label) in DEFAULTS.items():
        set_setting(key, default)
        assert get_setting(key) == default, key


def test_the_cli_refuses_with_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    CliRunner().invoke(cli, ["--db", db, "init"])
    result = CliRunner().invoke(cli, ["--db", db, "settings", "verify_hours", "99999999999"],
                                catch_exceptions=False)
    close_database()
    assert result.exit_code == 1
    assert result.stderr.strip() == "错误：推送核查时限（小时）应为1—168之间的整数"
    open_database(Path(db))
    assert get_setting("verify_hours") == "24"


async def test_f9_refuses_the_same_way(db_path: Path) -> None:
    set_setting("setup_done", "1")
    async with running(db_path, size=SIZE) as (app, pilot):
        await press(pilot, "f9")
        app.screen.query_one(f"#{field_id('verify_hours')}").value = "99999999999"
        await press(pilot, "ctrl+s")
        assert "推送核查时限（小时）：推送核查时限（小时）应为1—168之间的整数" in screen_text(pilot)
    assert get_setting("verify_hours") == "24"


def test_a_pushed_import_after_the_largest_allowed_hours_works(db_path: Path,
                                                              tmp_path: Path) -> None:
    from openpyxl import Workbook

    from exports.pushed import import_pushed_file

    set_setting("verify_hours", "168")
    wb = Workbook()
    wb.active.append(["姓名", "手机号"])
    wb.active.append(["张三", "13800000000"])
    wb.save(tmp_path / "推送.xlsx")
    summary = import_pushed_file(tmp_path / "推送.xlsx")
    assert summary.rows == 1
