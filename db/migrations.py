"""Numbered schema migrations: ``MIGRATIONS[n]`` upgrades a file from version n - 1 to n.

Each runs inside the upgrade's one transaction, after a copy of the file was taken
(…-v{n-1}-升级前-….db); a failure leaves the file as it was. One number per change of the schema;
each must leave a file whose schema equals what ``create_tables`` makes for a new one, and is
frozen once released: it carries its own copy of whatever data it maps, never today's code.
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


# The result words every released eprc offered, and each one's category (db.pushed.CATEGORIES
# maps a category to its daily-report column). Version 1 decided by substring ("在辖区" in word).
RESULT_CATEGORIES = {
    "已核实在辖区（漏排）": "在辖区", "已核实-在辖区": "在辖区", "前期已排查": "前期已排查",
    "不在辖区居住": "不在辖区", "已离开": "已离开", "无法联系": "无法联系", "信息有误": "信息有误",
    "超过排查期": "超过排查期",
}
V1_DEFAULT_RESULTS = "已核实-在辖区,前期已排查,不在辖区居住,信息有误,超过排查期,无法联系"


def pushed_categories_and_sheets(db: SqliteDatabase) -> None:
    """4: every pushed row gets an explicit result category and keeps its sheet.

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
    for word, category in RESULT_CATEGORIES.items():
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
    marked = [w if w in RESULT_CATEGORIES or "=" in w else f"{w}=无" for w in words]
    run("UPDATE setting SET value = ? WHERE key = 'verify_results'", [",".join(marked)])


def report_sending_state(db: SqliteDatabase) -> None:
    """5: a daily report's snapshot says whether it went upward. Exporting now only generates
    it (已生成未报送); 已报送 is recorded by a successful mail or the clerk's note. Snapshots of
    earlier versions were taken when a report was exported or sent and were shown as 已报送:
    they stay so, marked as carried over."""
    run = db.execute_sql
    run("ALTER TABLE report_snapshot ADD COLUMN reported_at DATETIME")
    run("ALTER TABLE report_snapshot ADD COLUMN reported_how VARCHAR(255) NOT NULL DEFAULT ''")
    run("ALTER TABLE report_snapshot ADD COLUMN reported_note TEXT NOT NULL DEFAULT ''")
    run("UPDATE report_snapshot SET reported_at = sent_at, reported_how = '升级前记录'")


TESTING_TABLES = (
    'CREATE TABLE "sampling_round" ("id" INTEGER NOT NULL PRIMARY KEY, "name" VARCHAR(255) '
    'NOT NULL, "start_date" DATE NOT NULL, "end_date" DATE NOT NULL, "created_at" DATETIME '
    'NOT NULL)',
    'CREATE UNIQUE INDEX "sampling_round_name" ON "sampling_round" ("name")',
    'CREATE TABLE "round_scope" ("id" INTEGER NOT NULL PRIMARY KEY, "round_id" INTEGER NOT NULL, '
    '"area_id" INTEGER NOT NULL, FOREIGN KEY ("round_id") REFERENCES "sampling_round" ("id") '
    'ON DELETE CASCADE, FOREIGN KEY ("area_id") REFERENCES "area" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "round_scope_round_id" ON "round_scope" ("round_id")',
    'CREATE INDEX "round_scope_area_id" ON "round_scope" ("area_id")',
    'CREATE UNIQUE INDEX "round_scope_round_id_area_id" ON "round_scope" ("round_id", "area_id")',
    'CREATE TABLE "round_point" ("id" INTEGER NOT NULL PRIMARY KEY, "round_id" INTEGER NOT NULL, '
    '"point_id" INTEGER NOT NULL, FOREIGN KEY ("round_id") REFERENCES "sampling_round" ("id") '
    'ON DELETE CASCADE, FOREIGN KEY ("point_id") REFERENCES "checkpoint" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "round_point_round_id" ON "round_point" ("round_id")',
    'CREATE INDEX "round_point_point_id" ON "round_point" ("point_id")',
    'CREATE UNIQUE INDEX "round_point_round_id_point_id" ON "round_point" ("round_id", "point_id")',
    'CREATE TABLE "sample" ("id" INTEGER NOT NULL PRIMARY KEY, "round_id" INTEGER NOT NULL, '
    '"resident_id" INTEGER NOT NULL, "at" DATETIME NOT NULL, "how" VARCHAR(255) NOT NULL, '
    '"point_id" INTEGER, "source" VARCHAR(255) NOT NULL, "result" VARCHAR(255) NOT NULL, '
    'FOREIGN KEY ("round_id") REFERENCES "sampling_round" ("id") ON DELETE CASCADE, '
    'FOREIGN KEY ("resident_id") REFERENCES "resident" ("id") ON DELETE CASCADE, '
    'FOREIGN KEY ("point_id") REFERENCES "checkpoint" ("id"))',
    'CREATE INDEX "sample_resident_id" ON "sample" ("resident_id")',
    'CREATE UNIQUE INDEX "sample_round_id_resident_id" ON "sample" ("round_id", "resident_id")',
    'CREATE TABLE "missing_reason" ("id" INTEGER NOT NULL PRIMARY KEY, "round_id" INTEGER NOT '
    'NULL, "resident_id" INTEGER NOT NULL, "reason" VARCHAR(255) NOT NULL, "note" VARCHAR(255) '
    'NOT NULL, "recorded_at" DATETIME NOT NULL, FOREIGN KEY ("round_id") REFERENCES '
    '"sampling_round" ("id") ON DELETE CASCADE, FOREIGN KEY ("resident_id") REFERENCES '
    '"resident" ("id") ON DELETE CASCADE)',
    'CREATE INDEX "missing_reason_round_id" ON "missing_reason" ("round_id")',
    'CREATE INDEX "missing_reason_resident_id" ON "missing_reason" ("resident_id")',
    'CREATE UNIQUE INDEX "missing_reason_round_id_resident_id" ON "missing_reason" '
    '("round_id", "resident_id")',
)


def testing_rounds(db: SqliteDatabase) -> None:
    """6: whole-population testing rounds (全员核酸).

    - residents get 外出 from/to dates and 行动不便; a resident whose status was 外出 keeps it
      (and counts as away with no dates);
    - checkpoints and shift slots get a post kind: every existing one is a 卡口, sampling points
      (采样点) are posts of the other kind with slots of their own;
    - rounds, their scope and sampling points, the residents sampled and the reasons of the
      missing, in tables of their own.
    """
    run = db.execute_sql
    run("ALTER TABLE resident ADD COLUMN away_from DATE")
    run("ALTER TABLE resident ADD COLUMN away_to DATE")
    run("ALTER TABLE resident ADD COLUMN immobile INTEGER NOT NULL DEFAULT 0")
    run("ALTER TABLE checkpoint ADD COLUMN post_kind VARCHAR(255) NOT NULL DEFAULT '卡口'")
    run("ALTER TABLE shift_slot ADD COLUMN post_kind VARCHAR(255) NOT NULL DEFAULT '卡口'")
    for statement in TESTING_TABLES:
        run(statement)


HELP_REQUEST_TABLES = (
    'CREATE TABLE "help_request" ("id" INTEGER NOT NULL PRIMARY KEY, "taken_at" DATETIME NOT '
    'NULL, "household_id" INTEGER, "resident_id" INTEGER, "name" VARCHAR(255) NOT NULL, '
    '"address" VARCHAR(255) NOT NULL, "needs" VARCHAR(255) NOT NULL, "details" TEXT NOT NULL, '
    '"urgent" INTEGER NOT NULL, "caller" VARCHAR(255) NOT NULL, "callback_phone" VARCHAR(255) '
    'NOT NULL, "status" VARCHAR(255) NOT NULL, "volunteer_id" INTEGER, "team_id" INTEGER, '
    '"assigned_at" DATETIME, "delivered_at" DATETIME, "cancelled_at" DATETIME, "cancel_reason" '
    'VARCHAR(255) NOT NULL, "purchase_amount" DECIMAL(10, 2) NOT NULL, "paid" INTEGER NOT NULL, '
    '"hours" DECIMAL(4, 1), "service_id" INTEGER, '
    'FOREIGN KEY ("household_id") REFERENCES "household" ("id"), '
    'FOREIGN KEY ("resident_id") REFERENCES "resident" ("id"), '
    'FOREIGN KEY ("volunteer_id") REFERENCES "staff" ("id"), '
    'FOREIGN KEY ("team_id") REFERENCES "team" ("id"), '
    'FOREIGN KEY ("service_id") REFERENCES "service_record" ("id"))',
    *(f'CREATE INDEX "help_request_{column}" ON "help_request" ("{column}")' for column in (
        "taken_at", "household_id", "resident_id", "status", "volunteer_id", "team_id",
        "service_id")),
    'CREATE TABLE "help_request_goods" ("id" INTEGER NOT NULL PRIMARY KEY, "request_id" INTEGER '
    'NOT NULL, "distribution_id" INTEGER NOT NULL, FOREIGN KEY ("request_id") REFERENCES '
    '"help_request" ("id") ON DELETE CASCADE, FOREIGN KEY ("distribution_id") REFERENCES '
    '"distribution" ("id"))',
    'CREATE INDEX "help_request_goods_request_id" ON "help_request_goods" ("request_id")',
    'CREATE INDEX "help_request_goods_distribution_id" ON "help_request_goods" '
    '("distribution_id")',
)


def help_requests(db: SqliteDatabase) -> None:
    """7: the help-request desk (居民求助): requests with each step's time, and the goods each
    took from donated stock (lines of the distribution ledger). New tables only."""
    for statement in HELP_REQUEST_TABLES:
        db.execute_sql(statement)


MIGRATIONS: dict[int, Migration] = {
    2: move_mail_password_out,
    3: keep_shift_lengths_and_entry_times,
    4: pushed_categories_and_sheets,
    5: report_sending_state,
    6: testing_rounds,
    7: help_requests,
}
