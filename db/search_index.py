"""Full-text (trigram) indexes that make "any 4+ digits of an ID or phone" and address words
answer from an index instead of scanning 400,000 rows. Kept in step by triggers, so imports,
forms and recycle-bin restores all update them without knowing they exist."""

from __future__ import annotations

from peewee import SqliteDatabase

STATEMENTS = (
    "CREATE VIRTUAL TABLE resident_digits USING fts5(id_number, phone, content='resident', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER resident_digits_ai AFTER INSERT ON resident BEGIN "
    "INSERT INTO resident_digits(rowid, id_number, phone) "
    "VALUES (new.id, new.id_number, new.phone); END",
    "CREATE TRIGGER resident_digits_ad AFTER DELETE ON resident BEGIN "
    "INSERT INTO resident_digits(resident_digits, rowid, id_number, phone) "
    "VALUES ('delete', old.id, old.id_number, old.phone); END",
    "CREATE TRIGGER resident_digits_au AFTER UPDATE OF id_number, phone ON resident BEGIN "
    "INSERT INTO resident_digits(resident_digits, rowid, id_number, phone) "
    "VALUES ('delete', old.id, old.id_number, old.phone); "
    "INSERT INTO resident_digits(rowid, id_number, phone) "
    "VALUES (new.id, new.id_number, new.phone); END",
    "CREATE VIRTUAL TABLE household_words USING fts5(address, content='household', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER household_words_ai AFTER INSERT ON household BEGIN "
    "INSERT INTO household_words(rowid, address) VALUES (new.id, new.address); END",
    "CREATE TRIGGER household_words_ad AFTER DELETE ON household BEGIN "
    "INSERT INTO household_words(household_words, rowid, address) "
    "VALUES ('delete', old.id, old.address); END",
    "CREATE TRIGGER household_words_au AFTER UPDATE OF address ON household BEGIN "
    "INSERT INTO household_words(household_words, rowid, address) "
    "VALUES ('delete', old.id, old.address); "
    "INSERT INTO household_words(rowid, address) VALUES (new.id, new.address); END",
)


def create_search_index(db: SqliteDatabase) -> None:
    """Create the trigram tables and their triggers (on a new file, inside its transaction)."""
    for statement in STATEMENTS:
        db.execute_sql(statement)


def fts_phrase(text: str) -> str:
    """A MATCH argument that finds ``text`` as a substring (trigram phrase)."""
    return '"' + text.replace('"', '""') + '"'
