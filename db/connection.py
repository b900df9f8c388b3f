"""The connection every db/ module shares: one peewee proxy, pointed at the open file by the
door (db/database.py). The bottom of db/'s stack: it imports nothing of db/, so the models, the
audit writer and the settings can all stand on it without importing each other in a loop."""

from __future__ import annotations

from peewee import DatabaseProxy

database = DatabaseProxy()


def stored_setting(key: str) -> str | None:
    """A setting's stored text, read below the models (the clock needs the time zone before
    any model exists); None when unset or when no file is open in this thread."""
    if database.obj is None or database.is_closed():
        return None
    row = database.execute_sql("SELECT value FROM setting WHERE key = ?", [key]).fetchone()
    return row[0] if row else None
