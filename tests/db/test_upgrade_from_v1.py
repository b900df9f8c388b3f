"""A version-1 file made by the first release, upgraded through every migration: backed up
first, every row kept (the mail password leaves the file), each shift given the length and end
of its slot, entries from before without a recorded moment, and the same columns as a file
created new."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

from db.database import SCHEMA_VERSION, close_database, open_database

FIXTURE = Path(__file__).parent.parent / "fixtures" / "v1-demo.db"


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%search%'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


def _columns(conn: sqlite3.Connection, table: str) -> dict[str, str]:
    return {r[1]: r[2].upper() for r in conn.execute(f"PRAGMA table_info({table})")}


def test_v1_file_upgrades_keeping_every_row(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    shutil.copyfile(FIXTURE, path)
    before = _counts(path)
    assert before["shift"] > 0 and before["donation"] > 0
    open_database(path)
    close_database()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
    after = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in before}
    before["setting"] -= 1  # the mail password left the file (migration 2)
    assert after == before
    assert len(list(path.with_name("v1-backups").glob("v1-v1-升级前-*.db"))) == 1
    # each shift: its slot's length, and an end on its date or (24:00) the next day
    for date, start, end, hours, ends_at in conn.execute(
            'SELECT h.date, s.start, s."end", h.hours, h.ends_at FROM shift h '
            "JOIN shift_slot s ON s.id = h.slot_id"):
        sh, sm, eh, em = int(start[:2]), int(start[3:]), int(end[:2]), int(end[3:])
        length = ((eh * 60 + em) - (sh * 60 + sm)) % (24 * 60) or 24 * 60
        assert hours == length / 60
        begin = dt.datetime.fromisoformat(date) + dt.timedelta(hours=sh, minutes=sm)
        assert dt.datetime.fromisoformat(ends_at) == begin + dt.timedelta(minutes=length)
    for table, column in (("donation", "recorded_at"), ("distribution", "recorded_at"),
                          ("expense", "recorded_at"), ("measure", "release_recorded_at")):
        assert conn.execute(f"SELECT count(*) FROM {table} WHERE {column} IS NOT NULL"
                            ).fetchone()[0] == 0
    # the upgraded file has the columns a new file has
    fresh = tmp_path / "new.db"
    open_database(fresh)
    close_database()
    new = sqlite3.connect(fresh)
    for table in ("shift", "measure", "donation", "distribution", "expense"):
        assert _columns(conn, table) == _columns(new, table), table
    conn.close()
    new.close()
    # the fixture itself is never touched
    assert sqlite3.connect(f"{FIXTURE.resolve().as_uri()}?mode=ro", uri=True).execute(
        "PRAGMA user_version").fetchone()[0] == 1
