"""The daily report (疫情防控工作日报表, 一日一报告): numbers computed from the file for one day,
frozen as a snapshot when the report is exported or sent, so later edits never change a report
that went upward; a re-send is marked 更正.

Every report is computed as of a moment: 24:00 of its day, or the moment it was frozen if that
came earlier (its heading then says so). Records count as they stood then: a call, a release or
a reversal entered later belongs to the day it was entered, never to an earlier report; a pushed
row not verified by then stays 未核查 (and overdue past its deadline) in every report until it is.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from db import clock
from db.config import fever_threshold, get_setting
from db.connection import database
from db.donations import effective
from db.models import KEY_CATEGORIES, MEASURE_KINDS, ReportSnapshot
from db.pushed import CATEGORIES, REPORT_COLUMNS
from db.staff import volunteer_hours
from db.validate import Invalid

Table = dict[str, object]  # {"title", "columns": [...], "rows": [[label, *values], ...]}


def _one(sql: str, params: list[object]) -> float:
    return database.execute_sql(sql, params).fetchone()[0] or 0


def report_moment(day: dt.date, now: dt.datetime | None = None) -> dt.datetime:
    """The moment a report of ``day`` made at ``now`` speaks for: 24:00 of the day, or ``now``
    while the day is not over."""
    return min(now or clock.now(), clock.day_end(day))


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(sep=" ")


# The day a release counts on: its date, or the day it was entered if that was later. A release
# counts at a moment only once entered.
RELEASED = ("(CASE WHEN m.release_recorded_at IS NULL THEN m.released_on "
            "ELSE max(m.released_on, substr(m.release_recorded_at, 1, 10)) END)")


def _released_by(day: str, moment: str) -> str:
    """SQL: measure ``m`` released as the report of ``day`` at ``moment`` knows it."""
    return (f"(m.released_on IS NOT NULL AND {RELEASED} <= '{day}' AND "
            f"(m.release_recorded_at IS NULL OR m.release_recorded_at <= '{moment}'))")


def _key_persons(day: str, moment: str) -> Table:
    released_by = _released_by(day, moment)
    open_on = f"m.start_date <= ? AND NOT {released_by}"
    rows = []
    for category in KEY_CATEGORIES:
        new = _one("SELECT count(*) FROM key_person WHERE category = ? AND found_on = ?",
                   [category, day])
        released = _one(
            "SELECT count(DISTINCT k.id) FROM measure m JOIN key_person k ON k.id = m.person_id "
            f"WHERE k.category = ? AND {released_by} AND {RELEASED} = ? AND NOT EXISTS "
            f"(SELECT 1 FROM measure m WHERE m.person_id = k.id AND {open_on})",
            [category, day, day])
        current = _one(
            "SELECT count(DISTINCT k.id) FROM measure m JOIN key_person k ON k.id = m.person_id "
            f"WHERE k.category = ? AND {open_on}", [category, day])
        overdue = _one(
            "SELECT count(DISTINCT k.id) FROM measure m JOIN key_person k ON k.id = m.person_id "
            f"WHERE k.category = ? AND {open_on} AND m.planned_end < ?", [category, day, day])
        total = _one("SELECT count(*) FROM key_person WHERE category = ? AND found_on <= ?",
                     [category, day])
        rows.append([category, int(new), int(released), int(current), int(overdue), int(total)])
    rows.append(["合计", *[sum(r[i] for r in rows) for i in range(1, 6)]])
    return {"title": "一、重点人员",
            "columns": ["类别", "当日新增", "当日解除", "现管控", "其中逾期未解除", "累计"],
            "rows": rows}


def _measures(day: str, moment: str) -> Table:
    released_by = _released_by(day, moment)
    rows = []
    for kind in MEASURE_KINDS:
        rows.append([kind,
                     int(_one("SELECT count(*) FROM measure WHERE kind = ? AND start_date = ?",
                              [kind, day])),
                     int(_one(f"SELECT count(*) FROM measure m WHERE kind = ? AND {released_by} "
                              f"AND {RELEASED} = ?", [kind, day])),
                     int(_one(f"SELECT count(*) FROM measure m WHERE kind = ? AND start_date <= ? "
                              f"AND NOT {released_by}", [kind, day]))])
    rows.append(["合计", *[sum(r[i] for r in rows) for i in range(1, 4)]])
    return {"title": "二、管控措施", "columns": ["措施", "当日新增", "当日解除", "在管"],
            "rows": rows}


def _pushed(day: str, moment: str) -> Table:
    """Section 3 by each row's stored category (FORMATS.md §4), never by the result's wording.

    A row counts as verified at the moment of its call (rows that came with a result: when
    their batch arrived); 当日 columns are the day's arrivals and the day's calls; 未核查 is
    every row not verified by the moment, of any day, with those past their deadline."""
    called = ("(r.result != '' AND coalesce(r.verified_at, b.received_at) <= :moment)")
    at = "coalesce(r.verified_at, b.received_at)"
    base = ("SELECT count(*) FROM pushed_row r JOIN pushed_batch b ON b.id = r.batch_id "
            "WHERE b.received_at <= :moment")
    params: dict[str, object] = {"day": day, "moment": moment}

    def count(extra: str, kinds: tuple[str, ...] = ()) -> int:
        named = {f"k{n}": kind for n, kind in enumerate(kinds)}
        return int(database.execute_sql(f"{base} AND {extra}", {**params, **named})
                   .fetchone()[0] or 0)

    today_calls = f"{called} AND date({at}) = :day"
    columns = []
    for column in REPORT_COLUMNS:
        kinds = tuple(k for k, c in CATEGORIES.items() if c == column)
        marks = ",".join(f":k{n}" for n in range(len(kinds)))
        columns.append(count(f"{today_calls} AND r.category IN ({marks})", kinds))
    return {"title": "三、大数据推送核查",
            "columns": ["项目", "当日接收", "已核查", *REPORT_COLUMNS, "未核查", "其中逾期"],
            "rows": [["人数", count("date(b.received_at) = :day"), count(today_calls), *columns,
                      count(f"NOT {called}"), count(f"NOT {called} AND b.deadline < :moment")]]}


def _checkpoints(day: str) -> Table:
    open_on = ("(c.active_from IS NULL OR c.active_from <= :day) AND "
               "(c.active_to IS NULL OR c.active_to >= :day)")
    params = {"day": day}
    open_count = int(database.execute_sql(
        f"SELECT count(*) FROM checkpoint c WHERE {open_on}", params).fetchone()[0])
    slots = database.execute_sql(
        "SELECT s.name, count(a.id) FROM shift_slot s LEFT JOIN (shift h JOIN checkpoint c "
        f"ON c.id = h.checkpoint_id AND {open_on}) ON h.slot_id = s.id AND h.date = :day "
        "LEFT JOIN assignment a ON a.shift_id = h.id GROUP BY s.id ORDER BY s.sort",
        params).fetchall()
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


def _volunteers(day: dt.date, moment: dt.datetime) -> Table:
    hours = volunteer_hours(moment, day)
    return {"title": "五、志愿服务", "columns": ["项目", "在岗志愿者", "服务时长（小时）"],
            "rows": [["人数/时长", len(hours), round(sum(hours.values()), 1)]]}


def _donations(day: str, moment: str) -> Table:
    """当日 gifts and hand-outs, 当日冲销 apart, and 累计 net of every reversal counted by then."""
    params = {"day": day, "moment": moment}
    seen = "(reverses_id IS NULL OR recorded_at IS NULL OR recorded_at <= :moment)"

    def figures(where: str) -> list[float]:
        """捐款, 物资批, 物资折合, 发放次 of the entries ``where`` picks (a reversal negative)."""
        money, batches = database.execute_sql(
            "SELECT total(CASE WHEN is_money THEN amount END), total(CASE WHEN NOT is_money "
            "THEN (CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END) END) FROM donation "
            f"WHERE {seen} AND {where}", params).fetchone()
        value = database.execute_sql(
            "SELECT total(l.value) FROM donation_item l JOIN donation ON donation.id = "
            f"l.donation_id WHERE {seen} AND {where}", params).fetchone()[0]
        handed = database.execute_sql(
            "SELECT total(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END) FROM distribution "
            f"WHERE {seen} AND {where}", params).fetchone()[0]
        return [round(money, 2), int(batches), round(value, 2), int(handed)]

    received = figures("reverses_id IS NULL AND date = :day")
    reversed_ = [abs(v) for v in figures(f"reverses_id IS NOT NULL AND {effective()} = :day")]
    total = figures(f"{effective()} <= :day")
    return {"title": "六、捐赠款物",
            "columns": ["时段", "捐款（元）", "物资（批）", "物资折合（元）", "发放（次）"],
            "rows": [["当日", *received], ["当日冲销", *reversed_], ["累计", *total]]}


def daily_numbers(day: dt.date, as_of: dt.datetime | None = None) -> list[Table]:
    """Every section of the daily report for ``day`` as of ``as_of`` (default: 24:00 of the
    day, or now while the day is not over)."""
    moment = report_moment(day) if as_of is None else min(as_of, clock.day_end(day))
    d, m = day.isoformat(), _stamp(moment)
    return [_key_persons(d, m), _measures(d, m), _pushed(d, m), _checkpoints(d),
            _volunteers(day, moment), _donations(d, m)]


@dataclass(frozen=True)
class DailyReport:
    day: dt.date
    sections: list[Table]
    note: str
    frozen_at: dt.datetime | None  # when the numbers were frozen (sent), None when live
    correction: bool
    as_of: dt.datetime  # the moment the numbers speak for

    @property
    def as_of_text(self) -> str:
        """截至当日24时, or the moment (截至4月11日13时05分) when frozen before the day ended."""
        if self.as_of >= clock.day_end(self.day):
            return "截至当日24时"
        return f"截至{self.as_of.month}月{self.as_of.day}日{self.as_of:%H时%M分}"


def _from_snapshot(day: dt.date, snapshot: ReportSnapshot) -> DailyReport:
    data = json.loads(snapshot.numbers)
    as_of = (dt.datetime.fromisoformat(data["as_of"]) if "as_of" in data
             else clock.day_end(day))
    return DailyReport(day, data["sections"], data["note"], snapshot.sent_at,
                       snapshot.correction, as_of)


def daily_report(day: dt.date) -> DailyReport:
    """The report as sent (the latest snapshot) or, if not yet sent, as the file says now."""
    snapshot = (ReportSnapshot.select().where(ReportSnapshot.date == day)
                .order_by(ReportSnapshot.id.desc()).first())
    if snapshot is not None:
        return _from_snapshot(day, snapshot)
    moment = report_moment(day)
    return DailyReport(day, daily_numbers(day, moment), get_setting("report_note"), None, False,
                       moment)


def freeze_report(day: dt.date, note: str | None = None) -> DailyReport:
    """Store the day's numbers as sent, as of now (or 24:00 of the day once it is over).
    Sending again with the same numbers reuses the snapshot; with different numbers it is a
    correction (更正). A day still to come has no report to freeze."""
    if day > clock.today():
        raise Invalid(f"不能为未来日期（{day:%Y-%m-%d}）的日报定稿")
    with database.atomic():
        latest = (ReportSnapshot.select().where(ReportSnapshot.date == day)
                  .order_by(ReportSnapshot.id.desc()).first())
        text = get_setting("report_note") if note is None else note
        now = clock.now()
        moment = report_moment(day, now)
        sections = daily_numbers(day, moment)
        if latest is not None:
            data = json.loads(latest.numbers)
            if (data["sections"], data["note"]) == (json.loads(json.dumps(sections)), text):
                return _from_snapshot(day, latest)
        numbers = json.dumps({"sections": sections, "note": text, "as_of": _stamp(moment)},
                             ensure_ascii=False)
        snapshot = ReportSnapshot.create(date=day, sent_at=now, correction=latest is not None,
                                         numbers=numbers)
    return _from_snapshot(day, snapshot)


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


def freeze_while(day: dt.date, write: Callable[[DailyReport], None]) -> DailyReport:
    """Freeze the day's report while ``write`` puts it on paper: if writing fails, nothing is
    frozen (one transaction)."""
    with database.atomic():
        report = freeze_report(day)
        write(report)
    return report
