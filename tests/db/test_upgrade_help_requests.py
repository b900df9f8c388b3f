"""The help-request migration on a file made by the version-1 release: nothing lost, the two
new tables empty and shaped as a new file's, and the upgraded town takes a request at once."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from db import requests as rq
from db.database import MIGRATIONS, SCHEMA_VERSION, close_database, open_database
from db.migrations import help_requests
from tests.db.test_upgrade_pushed_categories import FIXTURE, counts, schema


def test_upgrade_adds_empty_request_tables_and_keeps_every_row(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    shutil.copyfile(FIXTURE, old)
    before = counts(old)
    assert "help_request" not in before
    open_database(old)
    close_database()
    mine = ("help_request", "help_request_goods")
    after = {t: n for t, n in counts(old).items() if t in before or t in mine}  # others' tables
    assert after == {**before, "setting": before["setting"] - 1,  # the password left (2)
                     "help_request": 0, "help_request_goods": 0}
    with sqlite3.connect(old) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    fresh = tmp_path / "new.db"
    open_database(fresh)
    close_database()
    assert schema(old) == schema(fresh)
    assert help_requests in MIGRATIONS.values()


def test_the_upgraded_town_takes_and_sends_a_request(tmp_path: Path) -> None:
    old = tmp_path / "v1.db"
    shutil.copyfile(FIXTURE, old)
    open_database(old)
    try:
        hit = rq.find_households("zh")[0]
        request = rq.take_request(rq.RequestInput("2", "退烧药", hit.household_id,
                                                  hit.resident_id, callback_phone="13800001111"))
        assert request.status == "待派单" and request.address == hit.address
        assert [r.id for r in rq.request_rows("待派单")] == [request.id]
    finally:
        close_database()
