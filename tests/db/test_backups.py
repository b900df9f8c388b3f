"""Backups you can trust: kept by the dates in their names, manual ones never pruned, a copy off
the disk, and a dashboard that says when any of that is not so."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from db import clock
from db.backup import (
    backup_now,
    backup_warnings,
    daily_backup,
    list_backups,
    newest_good_backup,
    prune_backups,
)
from db.database import backup_dir
from db.offsite import backup_to
from db.settings import get_setting


def make(folder: Path, stem: str, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / f"{stem}-{name}.db").write_bytes(b"x")


def remaining(folder: Path, stem: str) -> set[str]:
    return {p.name[len(stem) + 1:-3] for p in folder.glob(f"{stem}-*.db")}


def test_newest_14_days_with_a_backup_and_the_first_of_each_month(tmp_path: Path) -> None:
    days = [dt.date(2022, 1, 1) + dt.timedelta(days=3 * n) for n in range(40)]  # to 2022-04-28
    make(tmp_path, "t", [f"{d:%Y%m%d}-080000" for d in days])
    prune_backups(tmp_path, "t")
    kept = sorted(remaining(tmp_path, "t"))
    newest = sorted(f"{d:%Y%m%d}-080000" for d in days)[-14:]
    firsts = {f"{min(d for d in days if d.month == m):%Y%m%d}-080000" for m in (1, 2, 3, 4)}
    assert "20220203-080000" in firsts  # the first backup of February, whatever its day
    assert set(kept) == set(newest) | firsts


def test_manual_backups_are_never_pruned_and_safety_copies_keep_three(tmp_path: Path) -> None:
    make(tmp_path, "t", [f"202201{d:02d}-080000" for d in range(1, 31)])
    make(tmp_path, "t", ["手动-20200101-090000", "手动-20210101-090000"])
    make(tmp_path, "t", [f"恢复前-2022010{d}-100000" for d in range(1, 6)] + ["v1-升级前-20211231-100000"])
    prune_backups(tmp_path, "t")
    left = remaining(tmp_path, "t")
    assert {"手动-20200101-090000", "手动-20210101-090000"} <= left
    assert {n for n in left if "恢复前" in n or "升级前" in n} == {
        "恢复前-20220105-100000", "恢复前-20220104-100000", "恢复前-20220103-100000"}
    automatic = {n for n in left if n[0].isdigit()}
    assert automatic == {f"202201{d:02d}-080000" for d in [1, *range(17, 31)]}


def test_a_clock_a_year_ahead_deletes_nothing(db_path: Path) -> None:
    folder = backup_dir(db_path)
    make(folder, db_path.stem, [f"202211{d:02d}-080000" for d in range(1, 23)])
    before = remaining(folder, db_path.stem)
    assert len(before) == 22
    made = daily_backup(dt.date(2023, 11, 23))
    assert made is not None
    assert remaining(folder, db_path.stem) == before | {made.name[len(db_path.stem) + 1:-3]}


def test_backup_to_a_usb_stick_is_remembered_and_the_daily_copy_goes_there(
        db_path: Path, tmp_path: Path) -> None:
    stick = tmp_path / "U盘"
    with pytest.raises(Exception, match="找不到文件夹"):
        backup_to(stick)
    stick.mkdir()
    made = backup_to(stick)
    assert made.parent == stick and "手动" in made.name
    assert get_setting("backup.copy_dir") == str(stick)
    assert not any("本机以外" in w for w in backup_warnings())
    daily = daily_backup(clock.today())
    assert daily is not None and (stick / daily.name).exists()
    later = clock.today() + dt.timedelta(days=8)
    assert any("已超过 7 天" in w for w in backup_warnings(later))


def test_a_failed_automatic_backup_shows_on_the_dashboard(db_path: Path) -> None:
    backup_dir(db_path).write_text("a file where the folder should be", encoding="utf-8")
    assert daily_backup(dt.date(2022, 5, 1)) is None
    assert any("自动备份失败" in w for w in backup_warnings())
    backup_dir(db_path).unlink()
    assert daily_backup(dt.date(2022, 5, 1)) is not None
    assert not any("自动备份失败" in w for w in backup_warnings())


def test_little_free_space_is_a_warning(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    size = db_path.stat().st_size
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda _p: shutil._ntuple_diskusage(10**9, 10**9, size))  # type: ignore[attr-defined]
    assert any("磁盘剩余空间不足" in w for w in backup_warnings())


def test_newest_good_backup_skips_damaged_ones(db_path: Path) -> None:
    good = backup_now(when=dt.datetime(2022, 5, 1, 8))
    newer = backup_now(when=dt.datetime(2022, 5, 2, 8))
    newer.write_bytes(b"SQLite format 3\x00" + b"\xee" * 5000)
    assert newest_good_backup(db_path) == good
    assert [b.path for b in list_backups()] == [newer, good]
