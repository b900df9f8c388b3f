"""Numbered schema migrations: ``MIGRATIONS[n]`` upgrades a file from version n - 1 to n.

Each runs inside the upgrade's one transaction, after a copy of the file was taken
(…-v{n-1}-升级前-….db); a failure leaves the file as it was. One number per change of the schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from peewee import SqliteDatabase

from db.clock import shift_span
from db.secrets import store_password

Migration = Callable[[SqliteDatabase], None]


def move_mail_password_out(db: SqliteDatabase) -> None:
    """2: the SMTP password leaves the data file (and so every later backup) for the system's
    credential store. Backups made before still hold it."""
    stored = dict(db.execute_sql(
        "SELECT key, value FROM setting WHERE key IN ('smtp.password', 'smtp.user', 'smtp.host')"
    ).fetchall())
    if stored.get("smtp.password"):
        account = f"{stored.get('smtp.user', '')}@{stored.get('smtp.host', '')}"
        store_password(stored["smtp.password"], account)
    db.execute_sql("DELETE FROM setting WHERE key = 'smtp.password'")


def keep_shift_lengths_and_entry_times(db: SqliteDatabase) -> None:
    """3: a shift keeps its own length and end (班次 changes never rewrite worked hours);
    releases and money/goods entries keep when they were recorded (reports as of a moment).
    Entries recorded before this version have no such moment and count on their own date."""
    db.execute_sql("ALTER TABLE shift ADD COLUMN hours REAL NOT NULL DEFAULT 0")
    db.execute_sql("ALTER TABLE shift ADD COLUMN ends_at DATETIME")
    for slot_id, start, end in db.execute_sql(
            'SELECT id, start, "end" FROM shift_slot').fetchall():
        hours, ends = shift_span(dt.date(2000, 1, 1), start, end)
        minutes = int((ends - dt.datetime(2000, 1, 1)).total_seconds() // 60)
        db.execute_sql("UPDATE shift SET hours = ?, ends_at = datetime(date, ?) WHERE slot_id = ?",
                       [hours, f"+{minutes} minutes", slot_id])
    db.execute_sql("ALTER TABLE measure ADD COLUMN release_recorded_at DATETIME")
    for table in ("donation", "distribution", "expense"):
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN recorded_at DATETIME")


MIGRATIONS: dict[int, Migration] = {
    2: move_mail_password_out,
    3: keep_shift_lengths_and_entry_times,
}
