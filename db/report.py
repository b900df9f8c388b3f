"""The daily report (疫情防控工作日报表, 一日一报告): numbers computed from the file for one day,
frozen as a snapshot when the report is exported or sent, so later edits never change a report
that went upward; a re-send is marked 更正."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from db.database import database
from db.models import KEY_CATEGORIES, MEASURE_KINDS, ReportSnapshot
from db.pushed import CATEGORIES, REPORT_COLUMNS
from db.settings import fever_threshold, get_setting

Table = dict[str, object]  # {"title", "columns": [...], "rows": [[label, *values], ...]}


def _one(sql: str, params: list[object]) -> float:
    return database.execute_sql(sql, params).fetchone()[0] or 0


def _key_persons(day: str) -> Table:
    rows = []
    for category in KEY_CATEGORIES:
        new = _one("SELECT count(*) FROM key_person WHERE category = ? AND found_on = ?",
                   [category, day])
        released = _one(
            "SELECT count(DISTINCT k.id) FROM measure m JOIN key_person k ON k.id = m.person_id "
            "WHERE k.category = ? AND m.released_on = ? AND NOT EXISTS (SELECT 1 FROM measure "
            "n WHERE n.person_id = k.id AND n.start_date <= ? AND (n.released_on IS NULL OR "
            "n.released_on > ?))", [category, day, day, day])
        current = _one(
            "SELECT count(DISTINCT k.id) FROM measure m JOIN key_person k ON k.id = m.person_id "
            "WHERE k.category = ? AND m.start_date <= ? AND (m.released_on IS NULL OR "
            "m.released_on > ?)", [category, day, day])
        total = _one("SELECT count(*) FROM key_person WHERE category = ? AND found_on <= ?",
                     [category, day])
        rows.append([category, int(new), int(released), int(current), int(total)])
    rows.append(["合计", *[sum(r[i] for r in rows) for i in range(1, 5)]])
    return {"title": "一、重点人员", "columns": ["类别", "当日新增", "当日解除", "现管控", "累计"],
            "rows": rows}


def _measures(day: str) -> Table:
    rows = []
    for kind in MEASURE_KINDS:
        rows.append([kind,
                     int(_one("SELECT count(*) FROM measure WHERE kind = ? AND start_date = ?",
                              [kind, day])),
                     int(_one("SELECT count(*) FROM measure WHERE kind = ? AND released_on = ?",
                              [kind, day])),
                     int(_one("SELECT count(*) FROM measure WHERE kind = ? AND start_date <= ? "
                              "AND (released_on IS NULL OR released_on > ?)", [kind, day, day]))])
    rows.append(["合计", *[sum(r[i] for r in rows) for i in range(1, 4)]])
    return {"title": "二、管控措施", "columns": ["措施", "当日新增", "当日解除", "在管"],
            "rows": rows}


def _pushed(day: str) -> Table:
    """Section 3 by each row's stored category (FORMATS.md §4), never by the result's wording."""
    where = "batch_id IN (SELECT id FROM pushed_batch WHERE date(received_at) = ?)"

    def count(extra: str = "", *params: str) -> int:
        return int(_one(f"SELECT count(*) FROM pushed_row WHERE {where}{extra}", [day, *params]))

    received = count()
    done = count(" AND result != ''")
    columns = []
    for column in REPORT_COLUMNS:
        kinds = [k for k, c in CATEGORIES.items() if c == column]
        columns.append(count(f" AND result != '' AND category IN ({','.join('?' * len(kinds))})",
                             *kinds))
    return {"title": "三、大数据推送核查",
            "columns": ["项目", "当日接收", "已核查", *REPORT_COLUMNS, "未核查"],
            "rows": [["人数", received, done, *columns, received - done]]}


def _checkpoints(day: str) -> Table:
    open_count = int(_one(
        "SELECT count(*) FROM checkpoint WHERE (active_from IS NULL OR active_from <= ?) AND "
        "(active_to IS NULL OR active_to >= ?)", [day, day]))
    slots = database.execute_sql(
        "SELECT s.name, count(a.id) FROM shift_slot s LEFT JOIN shift h ON h.slot_id = s.id "
        "AND h.date = ? LEFT JOIN assignment a ON a.shift_id = h.id GROUP BY s.id "
        "ORDER BY s.sort", [day]).fetchall()
    next_day = (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()
    window = "at >= ? AND at < ?"
    passages = int(_one(f"SELECT count(*) FROM gate_passage WHERE {window}", [day, next_day]))
    vehicles = int(_one(f"SELECT count(*) FROM gate_passage WHERE {window} AND plate != ''",
                        [day, next_day]))
    fever = int(_one(f"SELECT count(*) FROM gate_passage WHERE {window} AND outcome = '劝返' "
                     "AND temperature >= ?", [day, next_day, fever_threshold()]))
    columns = ["项目", "卡口数", *[f"{name}在岗" for name, _ in slots], "登记人次", "车辆",
               "发热劝返"]
    return {"title": "四、卡口值守", "columns": columns,
            "rows": [["数量", open_count, *[n for _, n in slots], passages, vehicles, fever]]}


def _volunteers(day: str) -> Table:
    on_duty = int(_one(
        "SELECT count(DISTINCT s.id) FROM staff s WHERE s.is_volunteer AND (EXISTS (SELECT 1 "
        "FROM assignment a JOIN shift h ON h.id = a.shift_id WHERE a.staff_id = s.id AND "
        "h.date = ?) OR EXISTS (SELECT 1 FROM service_record r WHERE r.staff_id = s.id AND "
        "r.date = ?))", [day, day]))
    shift_hours = _one(
        "SELECT count(*) * 8 FROM assignment a JOIN shift h ON h.id = a.shift_id JOIN staff s "
        "ON s.id = a.staff_id WHERE s.is_volunteer AND h.date = ?", [day])
    service_hours = _one("SELECT total(hours) FROM service_record WHERE date = ?", [day])
    return {"title": "五、志愿服务", "columns": ["项目", "在岗志愿者", "服务时长（小时）"],
            "rows": [["人数/时长", on_duty, round(float(shift_hours + service_hours), 1)]]}


def _donations(day: str) -> Table:
    def money(op: str) -> float:
        return round(_one(f"SELECT total(amount) FROM donation WHERE is_money AND date {op} ?",
                          [day]), 2)

    def goods(op: str) -> tuple[int, float]:
        batches = _one(f"SELECT count(*) FROM donation WHERE NOT is_money AND date {op} ? AND "
                       "reverses_id IS NULL", [day])
        value = _one("SELECT total(l.value) FROM donation_item l JOIN donation d ON "
                     f"d.id = l.donation_id WHERE d.date {op} ?", [day])
        return int(batches), round(value, 2)

    def handed(op: str) -> int:
        return int(_one(f"SELECT count(*) FROM distribution WHERE date {op} ? AND "
                        "reverses_id IS NULL", [day]))

    today_goods, total_goods = goods("="), goods("<=")
    return {"title": "六、捐赠款物",
            "columns": ["时段", "捐款（元）", "物资（批）", "物资折合（元）", "发放（次）"],
            "rows": [["当日", money("="), today_goods[0], today_goods[1], handed("=")],
                     ["累计", money("<="), total_goods[0], total_goods[1], handed("<=")]]}


def daily_numbers(day: dt.date) -> list[Table]:
    """Every section of the daily report for ``day``, computed now."""
    d = day.isoformat()
    return [_key_persons(d), _measures(d), _pushed(d), _checkpoints(d), _volunteers(d),
            _donations(d)]


@dataclass(frozen=True)
class DailyReport:
    day: dt.date
    sections: list[Table]
    note: str
    frozen_at: dt.datetime | None  # when the numbers were frozen (sent), None when live
    correction: bool


def daily_report(day: dt.date) -> DailyReport:
    """The report as sent (the latest snapshot) or, if not yet sent, as the file says now."""
    snapshot = (ReportSnapshot.select().where(ReportSnapshot.date == day)
                .order_by(ReportSnapshot.id.desc()).first())
    if snapshot is not None:
        data = json.loads(snapshot.numbers)
        return DailyReport(day, data["sections"], data["note"], snapshot.sent_at,
                           snapshot.correction)
    return DailyReport(day, daily_numbers(day), get_setting("report_note"), None, False)


def freeze_report(day: dt.date, note: str | None = None) -> DailyReport:
    """Store the day's numbers as sent. Sending again with the same numbers reuses the snapshot;
    with different numbers it is a correction (更正)."""
    with database.atomic():
        latest = (ReportSnapshot.select().where(ReportSnapshot.date == day)
                  .order_by(ReportSnapshot.id.desc()).first())
        text = get_setting("report_note") if note is None else note
        numbers = json.dumps({"sections": daily_numbers(day), "note": text}, ensure_ascii=False)
        if latest is not None and latest.numbers == numbers:
            return DailyReport(day, json.loads(numbers)["sections"], text, latest.sent_at,
                               latest.correction)
        snapshot = ReportSnapshot.create(date=day, correction=latest is not None,
                                         numbers=numbers)
        earlier = latest is not None
    return DailyReport(day, json.loads(snapshot.numbers)["sections"], text, snapshot.sent_at,
                       earlier)


def sent_today(day: dt.date) -> bool:
    return ReportSnapshot.select().where(ReportSnapshot.date == day).exists()


def report_reminder(now: dt.datetime, deadline: str | None = None) -> str | None:
    """The dashboard's reminder while today's report has not been sent, else None."""
    if sent_today(now.date()):
        return None
    deadline = deadline or get_setting("report_deadline")
    if now.strftime("%H:%M") < deadline:
        return f"今日日报尚未报送，请于{deadline}前报送"
    return f"今日日报尚未报送，已过{deadline}报送时限"


def trend(day: dt.date, days: int = 14) -> dict[str, list[int]]:
    """Under control / new / released for each of the last ``days`` days (oldest first).

    Three queries in all, counted in Python: the dashboard draws this at start-up."""
    first = day - dt.timedelta(days=days - 1)
    dates = [(first + dt.timedelta(days=n)).isoformat() for n in range(days)]
    new = dict(database.execute_sql(
        "SELECT found_on, count(*) FROM key_person WHERE found_on BETWEEN ? AND ? "
        "GROUP BY found_on", [dates[0], dates[-1]]).fetchall())
    released = dict(database.execute_sql(
        "SELECT released_on, count(*) FROM measure WHERE released_on BETWEEN ? AND ? "
        "GROUP BY released_on", [dates[0], dates[-1]]).fetchall())
    # measures under control at some point of the window, grouped by (start, end) in SQL: a
    # few hundred groups to count in Python instead of every measure of the township
    spans = database.execute_sql(
        "SELECT max(start_date, ?), released_on, count(*) FROM measure WHERE start_date <= ? "
        "AND (released_on IS NULL OR released_on > ?) GROUP BY 1, 2",
        [dates[0], dates[-1], dates[0]]).fetchall()
    under = [sum(n for start, end, n in spans if start <= d and (end is None or end > d))
             for d in dates]
    return {"under_control": under,
            "new": [int(new.get(d, 0)) for d in dates],
            "released": [int(released.get(d, 0)) for d in dates]}
