"""Schema migrations, one function per version (registered in ``db.database.MIGRATIONS``).

Each runs inside the transaction ``open_database`` opens, after the backup copy is taken, and
must leave a file whose schema equals what ``create_tables`` makes for a new one. A migration is
frozen once released: it carries its own copy of whatever data it maps, never today's code.
"""

from __future__ import annotations

from peewee import SqliteDatabase

# The result words every released eprc offered, and each one's category (db.pushed.CATEGORIES
# maps a category to its daily-report column). Version 1 decided by substring ("在辖区" in word).
V2_RESULT_CATEGORIES = {
    "已核实在辖区（漏排）": "在辖区", "已核实-在辖区": "在辖区", "前期已排查": "前期已排查",
    "不在辖区居住": "不在辖区", "已离开": "已离开", "无法联系": "无法联系", "信息有误": "信息有误",
    "超过排查期": "超过排查期",
}
V1_DEFAULT_RESULTS = "已核实-在辖区,前期已排查,不在辖区居住,信息有误,超过排查期,无法联系"


def v2_pushed_categories_and_sheets(db: SqliteDatabase) -> None:
    """Version 2: every pushed row gets an explicit result category and keeps its sheet.

    - ``pushed_row.category``: the category of the row's result, mapped word by word (a word
      eprc never offered gets none and counts in 已核查 only);
    - ``pushed_row.sheet``: the sheet the row came from (the batch's only sheet until now), in
      the unique key with the sheet's row number;
    - ``pushed_batch.sheets``: every sheet of the file with its header row and columns;
    - an index on (phone, name) to find a person pushed before;
    - a stored ``verify_results`` setting: the old default gives way to the district's words;
      a word of the clerk's own is kept and marked ``=无`` (no column) until the clerk names one.
    """
    run = db.execute_sql
    run("ALTER TABLE pushed_row ADD COLUMN category VARCHAR(255) NOT NULL DEFAULT ''")
    run("ALTER TABLE pushed_row ADD COLUMN sheet VARCHAR(255) NOT NULL DEFAULT ''")
    run("ALTER TABLE pushed_batch ADD COLUMN sheets TEXT NOT NULL DEFAULT '[]'")
    for word, category in V2_RESULT_CATEGORIES.items():
        run("UPDATE pushed_row SET category = ? WHERE result = ?", [category, word])
    run("UPDATE pushed_row SET sheet = (SELECT b.sheet_name FROM pushed_batch b "
        "WHERE b.id = pushed_row.batch_id)")
    run("UPDATE pushed_batch SET sheets = json_array(json_object('name', sheet_name, "
        "'header_row', header_row, 'columns', json(columns)))")
    run('DROP INDEX IF EXISTS "pushed_row_batch_id_sheet_row"')
    run('CREATE UNIQUE INDEX "pushed_row_batch_id_sheet_sheet_row" '
        'ON "pushed_row" ("batch_id", "sheet", "sheet_row")')
    run('CREATE INDEX "pushed_row_phone_name" ON "pushed_row" ("phone", "name")')
    stored = run("SELECT value FROM setting WHERE key = 'verify_results'").fetchone()
    if stored is None:
        return
    if stored[0].strip() == V1_DEFAULT_RESULTS:
        run("DELETE FROM setting WHERE key = 'verify_results'")
        return
    words = [w.strip() for w in stored[0].replace("，", ",").split(",") if w.strip()]
    marked = [w if w in V2_RESULT_CATEGORIES or "=" in w else f"{w}=无" for w in words]
    run("UPDATE setting SET value = ? WHERE key = 'verify_results'", [",".join(marked)])
