"""The daily report (疫情防控工作日报表, 一日一报告): numbers computed from the file for one day,
frozen as a snapshot when the report is exported (已生成未报送), so later edits never change a
report that went upward. It is 已报送 only once a mail carrying it was accepted or the clerk notes
another way it went; exporting again before that replaces the draft, after it makes a 更正.

Every report is computed as of a moment: 24:00 of its day, or the moment it was frozen if that
came earlier (its heading then says so). Records count as they stood then: a call, a release or
a reversal entered later belongs to the day it was entered, never to an earlier report; a pushed
row not verified by then stays 未核查 (and overdue past its deadline) in every report until it is.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from db import clock, requests, testing
from db.config import fever_threshold, get_setting
from db.connection import database
from db.donations import effective
from db.models import KEY_CATEGORIES, MEASURE_KINDS, ReportSnapshot
from db.pushed import CATEGORIES, REPORT_COLUMNS
from db.staff import volunteer_hours
from db.validate import Invalid, normalize_text

Table = dict[str, object]  # {"title", "columns": [...], "rows": [[label, *values], ...]}
# A section beyond FORMATS.md's six: (title without its number, [(label, value), ...]) for a
# day, or None when there is nothing to report that day (the section is then left out).
SectionProvider = Callable[[dt.date], "tuple[str, list[tuple[str, str | int]]] | None"]

# The extra sections, in the order they follow 六、捐赠款物 (before 其他需要说明的情况).
# A new one is one more entry here.
EXTRA_SECTIONS: list[SectionProvider] = [
    testing.report_section,
    requests.report_section,
]
NUMERALS = "一二三四五六七八九十"
NOTE_TITLE = "其他需要说明的情况"


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
    # sampling points (posts of kind 采样点) are staffed too, but are not checkpoints
    open_on = ("c.post_kind = '卡口' AND (c.active_from IS NULL OR c.active_from <= :day) AND "
               "(c.active_to IS NULL OR c.active_to >= :day)")
    params = {"day": day}
    open_count = int(database.execute_sql(
        f"SELECT count(*) FROM checkpoint c WHERE {open_on}", params).fetchone()[0])
    slots = database.execute_sql(
        "SELECT s.name, count(a.id) FROM shift_slot s LEFT JOIN (shift h JOIN checkpoint c "
        f"ON c.id = h.checkpoint_id AND {open_on}) ON h.slot_id = s.id AND h.date = :day "
        "LEFT JOIN assignment a ON a.shift_id = h.id WHERE s.post_kind = '卡口' "
        "GROUP BY s.id ORDER BY s.sort",
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


def numeral(n: int) -> str:
    """一 … 十, 十一 … 十九 for a section number."""
    if n <= 10:
        return NUMERALS[n - 1]
    return f"十{NUMERALS[n - 11]}"


def extra_sections(day: dt.date, first: int,
                   providers: list[SectionProvider] | None = None) -> list[Table]:
    """The extra sections with something to report on ``day``, numbered from ``first`` on."""
    tables: list[Table] = []
    for provider in EXTRA_SECTIONS if providers is None else providers:
        found = provider(day)
        if found is None:
            continue
        title, pairs = found
        tables.append({"title": f"{numeral(first + len(tables))}、{title}",
                       "columns": ["项目", *[label for label, _value in pairs]],
                       "rows": [["数量", *[value for _label, value in pairs]]]})
    return tables


def daily_numbers(day: dt.date, as_of: dt.datetime | None = None) -> list[Table]:
    """Every section of the daily report for ``day`` as of ``as_of`` (default: 24:00 of the
    day, or now while the day is not over): FORMATS.md's six, then the extra sections that
    have something to report."""
    moment = report_moment(day) if as_of is None else min(as_of, clock.day_end(day))
    d, m = day.isoformat(), _stamp(moment)
    sections = [_key_persons(d, m), _measures(d, m), _pushed(d, m), _checkpoints(d),
                _volunteers(day, moment), _donations(d, m)]
    return sections + extra_sections(day, len(sections) + 1)


GENERATED = "已生成未报送"
REPORTED = "已报送"
NOT_GENERATED = "未生成"


@dataclass(frozen=True)
class DailyReport:
    day: dt.date
    sections: list[Table]
    note: str
    frozen_at: dt.datetime | None  # when the numbers were frozen (exported), None when live
    correction: bool
    as_of: dt.datetime  # the moment the numbers speak for
    snapshot_id: int | None = None
    reported_at: dt.datetime | None = None  # when it went upward; None: not yet
    reported_how: str = ""
    reported_note: str = ""
    token: str = ""  # tells this generated report from a later one that took over its id

    @property
    def note_title(self) -> str:
        """七、其他需要说明的情况, or a later number after extra sections."""
        return f"{numeral(len(self.sections) + 1)}、{NOTE_TITLE}"

    @property
    def as_of_text(self) -> str:
        """截至当日24时, or the moment (截至4月11日13时05分) when frozen before the day ended."""
        if self.as_of >= clock.day_end(self.day):
            return "截至当日24时"
        return f"截至{self.as_of.month}月{self.as_of.day}日{self.as_of:%H时%M分}"

    @property
    def state(self) -> str:
        """未生成, 已生成未报送 or 已报送 (a correction says 更正)."""
        if self.snapshot_id is None:
            return NOT_GENERATED
        text = REPORTED if self.reported_at is not None else GENERATED
        return f"更正稿{text}" if self.correction else text


def _from_snapshot(day: dt.date, snapshot: ReportSnapshot) -> DailyReport:
    data = json.loads(snapshot.numbers)
    as_of = (dt.datetime.fromisoformat(data["as_of"]) if "as_of" in data
             else clock.day_end(day))
    return DailyReport(day, data["sections"], data["note"], snapshot.sent_at,
                       snapshot.correction, as_of, snapshot.id, snapshot.reported_at,
                       snapshot.reported_how, snapshot.reported_note, data.get("token", ""))


def _latest(day: dt.date) -> ReportSnapshot | None:
    return (ReportSnapshot.select().where(ReportSnapshot.date == day)
            .order_by(ReportSnapshot.id.desc()).first())


def daily_report(day: dt.date) -> DailyReport:
    """The report as last generated (the latest snapshot, sent or not) or, if none was, as the
    file says now."""
    snapshot = _latest(day)
    if snapshot is not None:
        return _from_snapshot(day, snapshot)
    moment = report_moment(day)
    return DailyReport(day, daily_numbers(day, moment), get_setting("report_note"), None, False,
                       moment)


def report_state(day: dt.date) -> str:
    """未生成, 已生成未报送 or 已报送 (更正稿…) of the day's report, without counting anything."""
    latest = _latest(day)
    return NOT_GENERATED if latest is None else _from_snapshot(day, latest).state


def _same(snapshot: ReportSnapshot, sections: list[Table], note: str) -> bool:
    data = json.loads(snapshot.numbers)
    return (data["sections"], data["note"]) == (json.loads(json.dumps(sections)), note)


def freeze_report(day: dt.date, note: str | None = None) -> DailyReport:
    """Generate the day's report (导出): freeze its numbers as of now (or 24:00 of the day once
    it is over) as a draft, 已生成未报送. The same numbers reuse the latest snapshot; other
    numbers replace a draft not yet sent, and after a report was sent they make a correction
    (更正) draft. A day still to come has no report to freeze."""
    if day > clock.today():
        raise Invalid(f"不能为未来日期（{day:%Y-%m-%d}）的日报定稿")
    with database.atomic():
        latest = _latest(day)
        text = get_setting("report_note") if note is None else note
        now = clock.now()
        moment = report_moment(day, now)
        sections = daily_numbers(day, moment)
        if latest is not None and _same(latest, sections, text):
            return _from_snapshot(day, latest)
        if latest is not None and latest.reported_at is None:
            ReportSnapshot.delete().where(ReportSnapshot.id == latest.id).execute()
        numbers = json.dumps({"sections": sections, "note": text, "as_of": _stamp(moment),
                              "token": uuid.uuid4().hex}, ensure_ascii=False)
        snapshot = ReportSnapshot.create(date=day, sent_at=now, correction=_was_reported(day),
                                         numbers=numbers)
    return _from_snapshot(day, snapshot)


def _was_reported(day: dt.date) -> bool:
    return (ReportSnapshot.select().where((ReportSnapshot.date == day)
                                          & ReportSnapshot.reported_at.is_null(False)).exists())


def _generated(snapshot_id: int, token: str) -> ReportSnapshot | None:
    """The snapshot a report file holds, if it is still the one generated then (an id alone
    may be reused once a draft was replaced; its token is not)."""
    snapshot = ReportSnapshot.get_or_none(ReportSnapshot.id == snapshot_id)
    if snapshot is None or json.loads(snapshot.numbers).get("token") != token:
        return None
    return snapshot


def is_current(snapshot_id: int, token: str) -> bool:
    """Whether a report file's snapshot still stands (not replaced by a later export)."""
    return _generated(snapshot_id, token) is not None


def numbers_moved(snapshot_id: int, token: str) -> bool:
    """Whether sending a generated report would send numbers the file no longer says: they
    changed since, or a later export replaced it."""
    snapshot = _generated(snapshot_id, token)
    if snapshot is None:
        return True
    day = snapshot.date
    return not _same(snapshot, daily_numbers(day, report_moment(day)),
                     get_setting("report_note"))


def record_sent(snapshot_id: int, token: str, how: str, note: str = "") -> DailyReport:
    """Mark a generated report 已报送 (by mail: its recipients; another way: the clerk's note).
    A report replaced since it was generated cannot be marked: what was sent is gone."""
    snapshot = _generated(snapshot_id, token)
    if snapshot is None:
        raise Invalid("这份日报已被重新导出的版本取代，未标记为已报送；请发送新导出的日报")
    if snapshot.reported_at is None:
        snapshot.reported_at = clock.now()
        snapshot.reported_how = how
        snapshot.reported_note = normalize_text(note)
        snapshot.save()
    return _from_snapshot(snapshot.date, snapshot)


def mark_reported_otherwise(day: dt.date, note: str) -> DailyReport:
    """The clerk sent the day's generated report another way (传真、工作群、纸质…) and says how."""
    if not normalize_text(note):
        raise Invalid("请填写报送方式和说明（如：已通过传真报送区防控办）")
    latest = _latest(day)
    if latest is None:
        raise Invalid(f"{day:%Y-%m-%d}的日报尚未生成：请先导出日报，再标记为已报送")
    if latest.reported_at is not None:
        raise Invalid(f"{day:%Y-%m-%d}的日报已于{latest.reported_at:%m-%d %H:%M}报送")
    return record_sent(latest.id, json.loads(latest.numbers).get("token", ""), "其他方式", note)


def freeze_while(day: dt.date, write: Callable[[DailyReport], None]) -> DailyReport:
    """Freeze the day's report while ``write`` puts it on paper: if writing fails, nothing is
    frozen (one transaction)."""
    with database.atomic():
        report = freeze_report(day)
        write(report)
    return report
