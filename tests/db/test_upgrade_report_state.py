"""Migration 5 (the daily report's sending state) on a file made by the version-1 release: a
snapshot taken before stays 已报送 (as it was shown), marked as carried over; the schema equals
a new file's."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from db.database import SCHEMA_VERSION, close_database, open_database
from db.report import REPORTED, daily_report
from tests.db.test_upgrade_pushed_categories import FIXTURE, schema


def test_earlier_snapshots_stay_reported(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    shutil.copyfile(FIXTURE, old)
    with sqlite3.connect(old) as conn:
        conn.execute("INSERT INTO report_snapshot (date, sent_at, correction, numbers) VALUES "
                     "('2022-04-11', '2022-04-11 12:30:00', 0, "
                     "'{\"sections\": [], \"note\": \"\"}')")
    open_database(old)
    try:
        report = daily_report(dt.date(2022, 4, 11))
        assert report.state == REPORTED and report.reported_how == "升级前记录"
        assert report.reported_at == dt.datetime(2022, 4, 11, 12, 30)
    finally:
        close_database()
    with sqlite3.connect(old) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 5
    fresh = tmp_path / "new.db"
    open_database(fresh)
    close_database()
    assert schema(old) == schema(fresh)
