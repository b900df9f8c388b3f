"""Numbered schema migrations: ``MIGRATIONS[n]`` upgrades a file from version n - 1 to n.

Each runs inside the upgrade's one transaction, after a copy of the file was taken
(…-v{n-1}-升级前-….db); a failure leaves the file as it was. One number per change of the schema.
"""

from __future__ import annotations

from collections.abc import Callable

from peewee import SqliteDatabase

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


MIGRATIONS: dict[int, Migration] = {
    2: move_mail_password_out,
}
