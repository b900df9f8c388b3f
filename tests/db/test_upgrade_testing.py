"""Migration 5 (whole-population testing) on a file made by the version-1 release: every row
kept, every post a 卡口, no resident away or 行动不便, the schema equal to a new file's, and a
round usable at once."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from db import testing
from db.database import SCHEMA_VERSION, close_database, open_database
from tests.db.test_upgrade_pushed_categories import FIXTURE, counts, schema


def test_upgrade_keeps_every_row_and_makes_every_post_a_checkpoint(tmp_path: Path) -> None:
    v1 = tmp_path / "v1.db"
    shutil.copyfile(FIXTURE, v1)
    before = counts(v1)
    open_database(v1)
    close_database()
    after = counts(v1)
    new_tables = {"sampling_round", "round_scope", "round_point", "sample", "missing_reason"}
    assert new_tables <= after.keys()
    assert {t: after[t] for t in before} == {
        **before, "setting": before["setting"] - 1}  # migration 2 moved the password out
    assert all(n == 0 for t, n in after.items() if t not in before)  # later tables start empty
    with sqlite3.connect(v1) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 5
        assert conn.execute("SELECT DISTINCT post_kind FROM checkpoint").fetchall() == [("卡口",)]
        assert conn.execute("SELECT DISTINCT post_kind FROM shift_slot").fetchall() == [("卡口",)]
        assert conn.execute("SELECT count(*) FROM resident WHERE immobile OR away_from IS NOT "
                            "NULL OR away_to IS NOT NULL").fetchone() == (0,)
    fresh = tmp_path / "new.db"
    open_database(fresh)
    close_database()
    assert schema(v1) == schema(fresh)


def test_a_round_on_the_upgraded_file(tmp_path: Path) -> None:
    v1 = tmp_path / "v1.db"
    shutil.copyfile(FIXTURE, v1)
    open_database(v1)
    try:
        day = dt.date(2022, 4, 11)
        found = testing.new_round("升级后第1轮", day, day)
        with sqlite3.connect(v1) as conn:
            people = conn.execute("SELECT count(*) FROM resident WHERE status IN ('在册', '外出')"
                                  ).fetchone()[0]
        numbers = testing.coverage(found.id)
        assert numbers.expected + sum(numbers.exempt.values()) == people
        assert numbers.tested == 0
    finally:
        close_database()
