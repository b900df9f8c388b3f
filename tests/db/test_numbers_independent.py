"""An independent check of every number sent upward (issue 21).

A township is built through eprc's own operations on a timeline holding every edge a real
office meets in a week: a 民警's service record, a 卡口值守 record for a rostered shift, 班次
changed to 6/12/6 h in the middle of a day, a checkpoint closed with shifts still on it, a
release entered two days late, a call made ten minutes after midnight, rows never verified, a
goods batch, a hand-out and a gift reversed, a reversal back-dated, a report frozen at 13:00.
The daily report, the donation notice's figures and volunteer hours are then recomputed here
with plain SQL on a separate read-only connection plus Python arithmetic — no eprc function —
and compared cell by cell for every day. A few figures are also derived by hand from the
timeline, so the recomputation itself is checked. The last tests guard ``roster check`` against
a hand-built set of violations, the planner against closed checkpoints, and the demo against
negative stock on any past date.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from db import clock, pushed, roster
from db import donations as dn
from db import keypersons as kp
from db.database import close_database, database, open_database
from db.models import (
    KEY_CATEGORIES,
    MEASURE_KINDS,
    Assignment,
    Checkpoint,
    GatePassage,
    ServiceRecord,
    Shift,
    Staff,
    Unavailability,
)
from db.report import daily_numbers, daily_report, freeze_report
from db.residents import ResidentInput, register_resident
from db.settings import set_setting
from db.staff import volunteer_hours
from tests.factories import make_id

D1 = dt.date(2026, 11, 9)  # a Monday
DAYS = [D1 + dt.timedelta(days=n) for n in range(6)]
D2, D3, D4, D5, D6 = DAYS[1:]
SLOT_CHANGE = dt.datetime.combine(D3, dt.time(12))  # 班次 becomes 00-06 / 06-18 / 18-24
FROZEN = dt.datetime.combine(D5, dt.time(13))  # D5's report is sent at its 13:00 deadline


class Clock:
    def __init__(self) -> None:
        self.at = dt.datetime.combine(D1, dt.time(7))

    def __call__(self) -> dt.datetime:
        return self.at

    def on(self, day: dt.date, hour: int, minute: int = 0) -> None:
        self.at = dt.datetime.combine(day, dt.time(hour, minute))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def _build(path: Path, now: Clock) -> dict[str, int]:
    """The township, entered in time order; returns ids the tests refer to."""
    open_database(path)
    ids: dict[str, int] = {}
    roster.ensure_slots()
    slots = roster.ensure_slots()
    cp1 = Checkpoint.create(name="桃园村卡口", staff_per_shift=2, needs_leader=False)
    cp2 = Checkpoint.create(name="城关社区卡口", staff_per_shift=1, needs_leader=False)
    ids["cp2"] = cp2.id
    v1 = Staff.create(name="志愿甲", name_key="zyj", category="党员志愿者", is_volunteer=True)
    v2 = Staff.create(name="志愿乙", name_key="zyy", category="大学生", is_volunteer=True)
    police = Staff.create(name="民警丙", name_key="mjb", category="民警")
    ids.update(v1=v1.id, v2=v2.id, police=police.id)
    roster.create_shifts(D1, D6)

    def put(cp: Checkpoint, day: dt.date, slot: int, *people: Staff) -> None:
        shift = Shift.get((Shift.checkpoint == cp) & (Shift.date == day)
                          & (Shift.slot == slots[slot]))
        for person in people:
            Assignment.create(shift=shift, staff=person)

    put(cp1, D1, 0, v1, police)
    put(cp1, D1, 2, v2)
    put(cp1, D2, 1, v1, v2)
    put(cp1, D3, 1, v1)
    put(cp1, D3, 2, v2)
    put(cp1, D4, 0, v1)
    put(cp1, D4, 1, v2)
    put(cp2, D4, 1, v1)  # at a checkpoint closed after D3: never stood
    put(cp2, D5, 1, police)
    put(cp1, D5, 1, v1)
    ServiceRecord.create(staff=police, date=D2, hours=4, what="入户摸排")  # not a volunteer
    ServiceRecord.create(staff=v1, date=D2, hours=8, what="卡口值守")  # the rostered D2 shift
    ServiceRecord.create(staff=v2, date=D2, hours=3, what="物资配送")
    ServiceRecord.create(staff=v2, date=D5, hours=5, what="卡口值守（临时替班）")  # not rostered

    people = [register_resident(ResidentInput(f"居民{n}", make_id("19800101", n)),
                                address=f"{n}号") for n in range(1, 7)]
    donor = dn.add_donor("恒丰食品有限公司")
    kind_person = dn.add_donor("李四", "个人")

    # --- D1 ------------------------------------------------------------------------------
    now.on(D1, 9)
    k1 = kp.register_key_person(kp.KeyPersonInput("密接", found_on=D1), people[0])
    kp.start_measure(k1.id, "居家隔离", D1, planned_end=D2)  # never released: overdue from D3
    k2 = kp.register_key_person(kp.KeyPersonInput("密接", found_on=D1), people[1])
    m2 = kp.start_measure(k2.id, "集中隔离", D1, "酒店", planned_end=D1 + dt.timedelta(days=7))
    dn.record_money(D1, donor, 10_000)
    dn.record_money(D1, donor, 5_000, directed=True, purpose="卡口生活保障")
    m5 = dn.record_money(D1, kind_person, 500)
    g1 = dn.record_goods(D1, donor, [dn.GoodsLine("医用外科口罩", "盒", 100, 2500)])
    ids["masks"] = g1.items[0].item_id
    GatePassage.create(checkpoint=cp1, at=at(D1, 10), direction="进", temperature=36.5,
                       plate="皖A12345")
    GatePassage.create(checkpoint=cp1, at=at(D1, 11), direction="进", temperature=38.1,
                       outcome="劝返")

    # --- D2 ------------------------------------------------------------------------------
    now.on(D2, 9)
    k3 = kp.register_key_person(kp.KeyPersonInput("中高风险地区返乡", found_on=D2), people[2])
    m3 = kp.start_measure(k3.id, "居家健康监测", D2, planned_end=D2 + dt.timedelta(days=7))
    records = [pushed.PushedRecord(n, [f"推{n}"], name=f"推{n}", phone="13800000000")
               for n in (2, 3, 4, 5)]
    b1 = pushed.create_batch("p1.xlsx", [pushed.PushedSheet("S", 1, ["姓名"], records)], b"",
                             at(D2, 9))
    ids["b1"] = b1.batch_id
    m3_money = dn.record_money(D2, donor, 2_000)
    g2 = dn.record_goods(D2, donor, [dn.GoodsLine("丁腈手套", "副", 50, 500)])
    dn.distribute(D2, ids["masks"], 10, "卡口", "桃园村卡口")

    # --- D3 ------------------------------------------------------------------------------
    now.on(D3, 9)
    k4 = kp.register_key_person(kp.KeyPersonInput("发热", found_on=D3), people[3])
    m4 = kp.start_measure(k4.id, "居家隔离", D3, planned_end=D4)
    dn.spend(D3, 3_000, True, "卡口生活保障：方便面")
    h2 = dn.distribute(D3, ids["masks"], 5, "居家隔离户", "阳光小区1栋101")
    now.at = SLOT_CHANGE
    set_setting("shift_slots", "00:00-06:00,06:00-18:00,18:00-24:00")
    cp2.active_to = D3
    cp2.save()

    # --- D4 ------------------------------------------------------------------------------
    now.on(D4, 10)
    kp.release(m2.id, D2, "核酸阴性，提前解除")  # a release dated D2, entered on D4
    kp.release(m4.id, D4)
    dn.reverse_donation(g2.id, "重复登记")
    dn.reverse_distribution(h2.id, "未实际发放")
    dn.reverse_donation(m3_money.id, "转账退回")
    dn.record_money(D4, kind_person, 10_000)
    records = [pushed.PushedRecord(n, [f"推{n}"], name=f"推{n}", phone="13900000000")
               for n in (2, 3)]
    b2 = pushed.create_batch("p2.xlsx", [pushed.PushedSheet("S", 1, ["姓名"], records)], b"",
                             at(D4, 8))
    ids["b2"] = b2.batch_id

    # --- D5 ------------------------------------------------------------------------------
    now.on(D5, 10)
    dn.reverse_donation(m5.id, "捐赠人撤回", D2)  # back-dated to D2, entered on D5
    now.on(D5, 15)
    kp.release(m3.id, D5, "转外地")  # after the 13:00 freeze

    # calls, at the moments they were made (the pushed module stamps the PC's clock)
    for batch, row, result, when in ((b1, 2, "已核实在辖区（漏排）", at(D2, 15)),
                                     (b1, 3, "不在辖区居住", at(D3, 0, 10)),
                                     (b1, 5, "无法联系", at(D4, 11)),
                                     (b2, 3, "前期已排查", at(D5, 14))):
        pushed.verify(batch.batch_id, row, result)
        database.execute_sql(
            "UPDATE pushed_row SET verified_at = ? WHERE batch_id = ? AND sheet_row = ?",
            [when, batch.batch_id, row])
    return ids


@pytest.fixture(scope="module")
def township(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Clock, dict]]:
    path = tmp_path_factory.mktemp("independent") / "town.db"
    now = Clock()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", now)
        ids = _build(path, now)
        yield path, now, ids
    close_database()


def ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def d(value: object) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


def t(value: object) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(str(value)[:19])


# --- the recomputation: plain SQL to fetch rows, Python to count --------------------------


def expected_report(conn: sqlite3.Connection, day: dt.date, moment: dt.datetime) -> dict:
    """Every cell of the daily report of ``day`` as of ``moment``, recomputed."""
    end = min(moment, dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    out: dict[str, list[list[object]]] = {}

    def release_day(released: object, recorded: object) -> dt.date | None:
        """The day a release is known to count on at ``end``, or None."""
        if released is None or (recorded is not None and t(recorded) > end):
            return None
        return max(d(released), d(recorded)) if recorded is not None else d(released)

    measures = [(pid, cat, kind, d(s), d(p), release_day(r, rec)) for pid, cat, kind, s, p, r, rec
                in conn.execute("SELECT m.person_id, k.category, m.kind, m.start_date, "
                                "m.planned_end, m.released_on, m.release_recorded_at FROM measure "
                                "m JOIN key_person k ON k.id = m.person_id")]
    found = [(cat, d(f)) for cat, f in conn.execute("SELECT category, found_on FROM key_person")]

    def is_open(m: tuple) -> bool:
        return m[3] <= day and (m[5] is None or m[5] > day)

    rows = []
    for cat in KEY_CATEGORIES:
        mine = [m for m in measures if m[1] == cat]
        open_people = {m[0] for m in mine if is_open(m)}
        released = {m[0] for m in mine if m[5] == day} - open_people
        overdue = {m[0] for m in mine if is_open(m) and m[4] < day}
        rows.append([cat, sum(1 for c, f in found if c == cat and f == day), len(released),
                     len(open_people), len(overdue),
                     sum(1 for c, f in found if c == cat and f <= day)])
    rows.append(["合计", *[sum(r[i] for r in rows) for i in range(1, 6)]])
    out["一、重点人员"] = rows
    rows = [[kind, sum(1 for m in measures if m[2] == kind and m[3] == day),
             sum(1 for m in measures if m[2] == kind and m[5] == day),
             sum(1 for m in measures if m[2] == kind and is_open(m))] for kind in MEASURE_KINDS]
    rows.append(["合计", *[sum(r[i] for r in rows) for i in range(1, 4)]])
    out["二、管控措施"] = rows

    pushed_rows = [(t(received), t(deadline), result, t(verified) or t(received))
                   for received, deadline, result, verified in conn.execute(
                       "SELECT b.received_at, b.deadline, r.result, r.verified_at FROM pushed_row r "
                       "JOIN pushed_batch b ON b.id = r.batch_id")]
    known = [p for p in pushed_rows if p[0] <= end]
    called = [p for p in known if p[2] and p[3] <= end]
    today_calls = [p for p in called if p[3].date() == day]
    waiting = [p for p in known if not (p[2] and p[3] <= end)]
    # the district's words and the daily-report column each one counts in (FORMATS.md §4)
    words = {"在辖区": ("已核实在辖区（漏排）", "前期已排查"), "不在辖区": ("不在辖区居住",),
             "已离开": ("已离开",), "无法联系": ("无法联系",)}
    out["三、大数据推送核查"] = [[
        "人数", sum(1 for p in known if p[0].date() == day), len(today_calls),
        *[sum(1 for p in today_calls if p[2] in said) for said in words.values()],
        len(waiting), sum(1 for p in waiting if p[1] < end)]]

    checkpoints = {cid: (f and d(f), to and d(to)) for cid, f, to in conn.execute(
        "SELECT id, active_from, active_to FROM checkpoint")}

    def open_cp(cid: int, on: dt.date) -> bool:
        start, stop = checkpoints[cid]
        return (start is None or start <= on) and (stop is None or stop >= on)

    slots = conn.execute("SELECT id FROM shift_slot ORDER BY sort").fetchall()
    on_duty = defaultdict(int)
    for cid, slot in conn.execute("SELECT h.checkpoint_id, h.slot_id FROM assignment a JOIN shift "
                                  "h ON h.id = a.shift_id WHERE h.date = ?", [day.isoformat()]):
        if open_cp(cid, day):
            on_duty[slot] += 1
    passages = conn.execute("SELECT plate, outcome, temperature FROM gate_passage WHERE "
                            "substr(at, 1, 10) = ?", [day.isoformat()]).fetchall()
    out["四、卡口值守"] = [[
        "数量", sum(1 for cid in checkpoints if open_cp(cid, day)),
        *[on_duty[s] for (s,) in slots], len(passages), sum(1 for p in passages if p[0]),
        sum(1 for p in passages if p[1] == "劝返" and p[2] >= 37.3)]]

    hours = expected_hours(conn, end, day)
    out["五、志愿服务"] = [["人数/时长", len(hours), round(sum(hours.values()), 1)]]

    def counts_on(date: object, reverses: object, recorded: object) -> dt.date | None:
        if reverses is None or recorded is None:
            return d(date)
        if t(recorded) > end:
            return None
        return max(d(date), d(recorded))

    gifts = [(counts_on(date, rev, rec), rev is not None, bool(money), amount, value or 0)
             for date, rev, rec, money, amount, value in conn.execute(
                 "SELECT date, reverses_id, recorded_at, is_money, amount, (SELECT sum(value) "
                 "FROM donation_item WHERE donation_id = donation.id) FROM donation")]
    handed = [(counts_on(date, rev, rec), rev is not None) for date, rev, rec in conn.execute(
        "SELECT date, reverses_id, recorded_at FROM distribution")]

    def figures(pick: object) -> list[object]:
        chosen = [g for g in gifts if g[0] is not None and pick(g[0], g[1])]
        return [round(sum(g[3] for g in chosen if g[2]), 2),
                sum(-1 if g[1] else 1 for g in chosen if not g[2]),
                round(sum(g[4] for g in chosen if not g[2]), 2),
                sum(-1 if h[1] else 1 for h in handed if h[0] is not None and pick(h[0], h[1]))]

    out["六、捐赠款物"] = [
        ["当日", *figures(lambda on, rev: on == day and not rev)],
        ["当日冲销", *[abs(v) for v in figures(lambda on, rev: on == day and rev)]],
        ["累计", *figures(lambda on, rev: on <= day)]]
    return out


def expected_hours(conn: sqlite3.Connection, until: dt.datetime,
                   day: dt.date | None = None) -> dict[int, float]:
    """Volunteer hours, from the rows: the stored length of every shift that ended by
    ``until`` at a checkpoint then open, and service records that are not a rostered shift."""
    checkpoints = {cid: (f and d(f), to and d(to)) for cid, f, to in conn.execute(
        "SELECT id, active_from, active_to FROM checkpoint")}
    hours: dict[int, float] = defaultdict(float)
    rostered = set()
    for staff_id, volunteer, cid, date, length, ends in conn.execute(
            "SELECT a.staff_id, s.is_volunteer, h.checkpoint_id, h.date, h.hours, h.ends_at "
            "FROM assignment a JOIN shift h ON h.id = a.shift_id JOIN staff s ON s.id = a.staff_id"):
        rostered.add((staff_id, d(date)))
        start, stop = checkpoints[cid]
        ended = t(ends)
        in_window = ended <= until and (day is None or ended > dt.datetime.combine(day, dt.time()))
        if volunteer and in_window and (start is None or start <= d(date)) and (
                stop is None or stop >= d(date)):
            hours[staff_id] += length
    last = (until - dt.timedelta(seconds=1)).date()
    for staff_id, volunteer, date, length, what in conn.execute(
            "SELECT r.staff_id, s.is_volunteer, r.date, r.hours, r.what FROM service_record r "
            "JOIN staff s ON s.id = r.staff_id"):
        on = d(date)
        if not volunteer or (day is not None and on != day) or on > last:
            continue
        if "值守" in what and (staff_id, on) in rostered:
            continue
        hours[staff_id] += float(length)
    return {k: round(v, 2) for k, v in hours.items() if v}


def expected_totals(conn: sqlite3.Connection, until: dt.date) -> dict[str, dict[bool, Decimal]]:
    """The notice's figures up to ``until`` (24:00), recomputed."""
    def on(date: object, reverses: object, recorded: object) -> dt.date:
        return d(date) if reverses is None or recorded is None else max(d(date), d(recorded))

    out: dict[str, dict[bool, Decimal]] = {k: {True: Decimal(0), False: Decimal(0)} for k in (
        "money_in", "goods_batches", "goods_value", "money_out", "goods_out_value")}
    received: dict[int, list[tuple[bool, Decimal, Decimal]]] = defaultdict(list)
    for date, rev, rec, money, directed, amount, item, qty, value in conn.execute(
            "SELECT d.date, d.reverses_id, d.recorded_at, d.is_money, d.directed, d.amount, "
            "l.item_id, l.quantity, l.value FROM donation d LEFT JOIN donation_item l "
            "ON l.donation_id = d.id"):
        if on(date, rev, rec) > until:
            continue
        pool = bool(directed)
        if money:
            out["money_in"][pool] += Decimal(str(amount))
        else:
            out["goods_value"][pool] += Decimal(str(value))
            received[item].append((pool, Decimal(str(qty)), Decimal(str(value))))
    for rev, money, directed, date, rec in conn.execute(
            "SELECT reverses_id, is_money, directed, date, recorded_at FROM donation"):
        if not money and on(date, rev, rec) <= until:
            out["goods_batches"][bool(directed)] += -1 if rev else 1
    for date, rev, rec, amount, directed in conn.execute(
            "SELECT date, reverses_id, recorded_at, amount, directed FROM expense"):
        if on(date, rev, rec) <= until:
            out["money_out"][bool(directed)] += Decimal(str(amount))
    handed: dict[int, Decimal] = defaultdict(Decimal)
    for date, rev, rec, item, qty in conn.execute(
            "SELECT date, reverses_id, recorded_at, item_id, quantity FROM distribution"):
        if on(date, rev, rec) <= until:
            handed[item] += Decimal(str(qty))
    for item, qty in handed.items():
        lines = received[item]
        total = sum((q for _p, q, _v in lines), Decimal(0))
        for pool in (True, False):
            q = sum((q for p, q, _v in lines if p == pool), Decimal(0))
            v = sum((v for p, _q, v in lines if p == pool), Decimal(0))
            if total > 0 and q > 0:
                out["goods_out_value"][pool] += qty * q / total * v / q
    return {k: {p: v.quantize(Decimal("0.01")) for p, v in pools.items()}
            for k, pools in out.items()}


def compare(actual_sections: list[dict], expected: dict, label: str) -> None:
    assert [s["title"] for s in actual_sections] == list(expected), label
    for section in actual_sections:
        want = expected[section["title"]]
        assert len(section["rows"]) == len(want), f"{label} {section['title']}"
        for got_row, want_row in zip(section["rows"], want, strict=True):
            assert got_row[0] == want_row[0], f"{label} {section['title']}"
            for column, got, wanted in zip(section["columns"][1:], got_row[1:], want_row[1:],
                                           strict=True):
                assert got == pytest.approx(wanted), (
                    f"{label} {section['title']} {got_row[0]} {column}: eprc {got}, "
                    f"recomputed {wanted}")


def cell(sections: list[dict], title: str, label: str, column: str) -> object:
    section = next(s for s in sections if s["title"].endswith(title))
    row = next(r for r in section["rows"] if r[0] == label)
    return row[section["columns"].index(column)]


# --- the daily report ---------------------------------------------------------------------


def test_daily_report_matches_the_recomputation_every_day(township) -> None:
    path, now, _ids = township
    now.on(D6 + dt.timedelta(days=1), 9)  # every day is over: each report is as of its 24:00
    conn = ro(path)
    for day in DAYS:
        sections = daily_numbers(day)
        compare(sections, expected_report(conn, day, now()), f"{day}")
    conn.close()


def test_the_recomputation_agrees_with_the_timeline(township) -> None:
    """Figures derived by hand from the timeline, to check the recomputation itself."""
    path, now, ids = township
    now.on(D6 + dt.timedelta(days=1), 9)
    conn = ro(path)
    report = {day: expected_report(conn, day, now()) for day in DAYS}
    conn.close()

    def get(day: dt.date, title: str, label: str, index: int) -> object:
        return next(r for r in report[day][title] if r[0] == label)[index]

    # volunteers: D1 8+8 (the 民警 beside them never counts); D2 8+8 and 3 h 物资配送 (the
    # 卡口值守 record is the rostered shift); D3 the 08-16 shift begun before the change keeps
    # 8 h, the evening one is 18-24 (6 h); D4 6 + 12, the closed checkpoint's shift not stood
    vol = "五、志愿服务"
    assert [get(day, vol, "人数/时长", 2) for day in DAYS[:5]] == [16.0, 19.0, 14.0, 18.0, 17.0]
    # the D2 release entered on D4 counts on D4; before that the person is still under control
    kp_title = "一、重点人员"
    assert [get(day, kp_title, "密接", 2) for day in (D2, D3, D4)] == [0, 0, 1]
    assert [get(day, kp_title, "密接", 3) for day in (D2, D3, D4)] == [2, 2, 1]
    # 其中逾期未解除: the 居家隔离 planned to end D2, never released
    assert [get(day, kp_title, "密接", 4) for day in (D2, D3, D4)] == [0, 1, 1]
    # the call at 00:10 on D3 belongs to D3; the row never verified stays open and overdue
    push = "三、大数据推送核查"
    assert report[D2][push][0][1:] == [4, 1, 1, 0, 0, 0, 3, 0]
    assert report[D3][push][0][1:] == [0, 1, 0, 1, 0, 0, 2, 2]
    assert report[D6][push][0][7:] == [2, 2]
    # D4: 10,000 received and 2,000 reversed apart; the gloves batch and a hand-out reversed
    gifts = "六、捐赠款物"
    assert get(D4, gifts, "当日", 1) == 10_000 and get(D4, gifts, "当日冲销", 1) == 2_000
    assert get(D4, gifts, "当日冲销", 2) == 1 and get(D4, gifts, "当日冲销", 4) == 1
    assert get(D4, gifts, "累计", 2) == 1 and get(D4, gifts, "累计", 4) == 1
    # the back-dated reversal of 500 entered on D5 counts on D5, not on D2
    assert get(D2, gifts, "当日冲销", 1) == 0 and get(D5, gifts, "当日冲销", 1) == 500
    assert get(D5, gifts, "累计", 1) == 10_000 + 5_000 + 500 + 2_000 - 2_000 + 10_000 - 500
    # closed after D3: one checkpoint, and nobody 在岗 at the closed one
    assert [get(day, "四、卡口值守", "数量", 1) for day in (D3, D4)] == [2, 1]
    assert ids["cp2"]


def test_report_frozen_at_the_deadline_is_as_of_that_moment(township) -> None:
    path, now, _ids = township
    now.at = FROZEN
    sent = freeze_report(D5)
    assert sent.as_of == FROZEN and sent.as_of_text == "截至11月13日13时00分"
    conn = ro(path)
    compare(sent.sections, expected_report(conn, D5, FROZEN), "D5 13:00")
    # by 13:00 the 06-18 shift had not ended and the 15:00 release was not entered
    assert cell(sent.sections, "志愿服务", "人数/时长", "服务时长（小时）") == 5.0
    assert cell(sent.sections, "重点人员", "中高风险地区返乡", "当日解除") == 0
    # the next morning the sent report still reads the same; the live one is as of 24:00
    now.on(D6, 9)
    assert daily_report(D5).sections == sent.sections
    later = daily_numbers(D5)
    compare(later, expected_report(conn, D5, now()), "D5 24:00")
    assert cell(later, "重点人员", "中高风险地区返乡", "当日解除") == 1
    conn.close()


def test_report_first_made_days_later_uses_records_as_they_stood(township) -> None:
    path, now, _ids = township
    now.on(D6 + dt.timedelta(days=10), 9)
    conn = ro(path)
    for day in DAYS:
        compare(daily_numbers(day), expected_report(conn, day, now()), f"{day} later")
    conn.close()
    d2 = daily_numbers(D2)
    assert cell(d2, "推送核查", "人数", "已核查") == 1  # the 00:10 call is D3's
    assert cell(d2, "捐赠款物", "当日冲销", "捐款（元）") == 0


# --- volunteer hours ----------------------------------------------------------------------


def test_volunteer_hours_match_the_recomputation_at_several_moments(township) -> None:
    path, now, ids = township
    conn = ro(path)
    for moment in (at(D1, 8), at(D3, 12), at(D3, 23), at(D5, 13), at(D6, 0), at(D6, 12)):
        assert volunteer_hours(moment) == pytest.approx(expected_hours(conn, moment)), moment
    conn.close()
    # by hand: V1 8+8+8+6+12, V2 8+(8+3)+6+12+5, the 民警 nothing
    assert volunteer_hours(at(D6, 0)) == {ids["v1"]: 42.0, ids["v2"]: 42.0}
    # today's shifts not yet ended do not count
    assert volunteer_hours(at(D5, 13)) == {ids["v1"]: 30.0, ids["v2"]: 42.0}


def test_changing_the_slots_again_never_rewrites_worked_hours(township) -> None:
    _path, now, ids = township
    before = volunteer_hours(at(D6, 0))
    now.on(D6, 9)
    set_setting("shift_slots", "00:00-08:00,08:00-16:00,16:00-24:00")
    assert volunteer_hours(at(D6, 0)) == before
    set_setting("shift_slots", "00:00-06:00,06:00-18:00,18:00-24:00")
    assert ids


# --- the donation notice ------------------------------------------------------------------


def test_notice_figures_match_the_recomputation_every_day(township) -> None:
    path, _now, _ids = township
    conn = ro(path)
    for day in DAYS:
        figures = dn.totals(day)
        want = expected_totals(conn, day)
        for name, pools in want.items():
            assert getattr(figures, name) == pools, f"{day} {name}"
    conn.close()


def test_a_published_notice_never_changes(township) -> None:
    path, now, _ids = township
    conn = ro(path)
    # what the D3 notice said on D3 evening: the gloves counted (reversed only on D4), the
    # 500 gift counted (its reversal dated D2 was entered on D5)
    want = expected_totals(conn, D3)
    assert want["goods_batches"][False] == 2 and want["money_in"][False] == Decimal("12500.00")
    assert dn.totals(D3).goods_batches[False] == 2
    assert dn.totals(D4).goods_batches[False] == 1
    assert dn.totals(D3).money_left(True) == Decimal("2000.00")
    conn.close()
    rows = dn.donation_rows(D1, D3)
    assert not any(r.reversal for r in rows)  # detail rows agree with the figures
    assert len([r for r in dn.donation_rows(D5, D5) if r.reversal]) == 1
    assert now


# --- roster check, the planner and closed checkpoints --------------------------------------


@pytest.fixture
def violations(db_path: Path) -> dict[str, int]:
    """A roster with exactly one of each violation, built by hand (not by the planner)."""
    slots = roster.ensure_slots()
    wed, fri = D1 + dt.timedelta(days=2), D1 + dt.timedelta(days=4)
    a_cp = Checkpoint.create(name="甲卡口", staff_per_shift=1, needs_leader=False)
    b_cp = Checkpoint.create(name="乙卡口", staff_per_shift=1, needs_leader=False,
                             active_to=wed)
    names = ["跨前", "跨后", "超周", "请假", "离开", "重复", "守规"]
    people = {n: Staff.create(name=n, name_key="x", category="网格员", max_per_week=7)
              for n in names}
    people["超周"].max_per_week = 2
    people["超周"].save()
    people["离开"].active = False
    people["离开"].save()
    Unavailability.create(staff=people["请假"], start_date=fri, end_date=fri)

    def put(cp: Checkpoint, day: dt.date, slot: int, name: str) -> None:
        shift = Shift.get_or_none((Shift.checkpoint == cp) & (Shift.date == day)
                                  & (Shift.slot == slots[slot]))
        if shift is None:
            shift = Shift.create(checkpoint=cp, date=day, slot=slots[slot], headcount=1)
        else:
            shift.headcount += 1
            shift.save()
        Assignment.create(shift=shift, staff=people[name])

    put(a_cp, wed - dt.timedelta(days=1), 2, "跨前")  # Tue 16-24 …
    put(a_cp, wed, 0, "跨前")  # … then Wed 00-08: back to back across the start
    put(a_cp, fri, 2, "跨后")  # Fri 16-24 …
    put(a_cp, fri + dt.timedelta(days=1), 0, "跨后")  # … then Sat 00-08: across the end
    put(a_cp, D1, 1, "超周")  # Monday and Tuesday, before the period …
    put(a_cp, D1 + dt.timedelta(days=1), 1, "超周")
    put(a_cp, wed + dt.timedelta(days=1), 1, "超周")  # … and Thursday: 3 in the week, max 2
    put(a_cp, fri, 1, "请假")  # marked 不可值班 that day
    put(a_cp, wed + dt.timedelta(days=1), 2, "离开")  # no longer active
    put(b_cp, fri, 1, "守规")  # at a checkpoint closed after Wednesday
    put(a_cp, wed, 1, "重复")
    put(b_cp, wed, 1, "重复")  # two places at once (乙 is still open on Wednesday)
    return {"wed": wed.toordinal(), "fri": fri.toordinal(), "b_cp": b_cp.id,
            "gone": people["离开"].id, "away": people["请假"].id}


def test_roster_check_finds_each_hand_built_violation(violations: dict[str, int]) -> None:
    wed, fri = dt.date.fromordinal(violations["wed"]), dt.date.fromordinal(violations["fri"])
    result = roster.check_roster(wed, fri)
    assert (result.back_to_back, result.over_max, result.unavailable, result.inactive,
            result.closed, result.double_bookings) == (2, 1, 1, 1, 1, 1)
    assert result.gaps == 0 and not result.ok
    text = "\n".join(result.items)
    for fragment in ("连班：跨前 11-10", "连班：跨后 11-13", "超过每周上限：超周", "3班（上限2）",
                     "不可值班：请假 甲卡口 11-13", "人员已停用：离开", "卡口已停用：乙卡口 11-13",
                     "重复排班：重复 11-11"):
        assert fragment in text, fragment
    assert "守规" not in text.replace("卡口已停用：乙卡口 11-13 08:00-16:00 仍排有1人", "")


def test_planner_never_fills_a_closed_checkpoint_and_withdraw_clears_the_future(
        violations: dict[str, int]) -> None:
    wed, fri = dt.date.fromordinal(violations["wed"]), dt.date.fromordinal(violations["fri"])
    b_cp = violations["b_cp"]
    for n in range(6):
        Staff.create(name=f"补{n}", name_key="b", category="网格员")
    roster.plan(wed, fri)
    closed_filled = database.execute_sql(
        "SELECT count(*) FROM assignment a JOIN shift h ON h.id = a.shift_id "
        "WHERE h.checkpoint_id = ? AND h.date > ?", [b_cp, wed.isoformat()]).fetchone()[0]
    assert closed_filled == 1  # only the hand-made one; nothing added by the planner
    found = roster.future_conflicts(since=wed)
    closed_shifts = database.execute_sql(
        "SELECT count(*) FROM shift WHERE checkpoint_id = ? AND date > ?",
        [b_cp, wed.isoformat()]).fetchone()[0]
    assert len(found.shifts) == closed_shifts and closed_shifts >= 1
    done = roster.withdraw_future(since=wed)
    assert done.shifts == found.shifts and done.assignments == found.assignments
    left = roster.check_roster(wed, fri)
    assert (left.closed, left.inactive, left.unavailable) == (0, 0, 0)
    assert not Assignment.select().join(Shift).where(
        (Assignment.staff == violations["gone"]) & (Shift.date >= wed)).exists()


# --- the demo obeys chronology -------------------------------------------------------------


def test_demo_stock_and_funds_never_negative_on_any_date(demo_path: Path) -> None:
    conn = ro(demo_path)
    changes: dict[tuple[str, object], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for item, date, qty in conn.execute(
            "SELECT l.item_id, d.date, l.quantity FROM donation_item l JOIN donation d "
            "ON d.id = l.donation_id"):
        changes[("item", item)][str(date)[:10]] += qty
    for item, date, qty in conn.execute("SELECT item_id, date, quantity FROM distribution"):
        changes[("item", item)][str(date)[:10]] -= qty
    for directed, date, amount in conn.execute(
            "SELECT directed, date, amount FROM donation WHERE is_money"):
        changes[("money", directed)][str(date)[:10]] += amount
    for directed, date, amount in conn.execute("SELECT directed, date, amount FROM expense"):
        changes[("money", directed)][str(date)[:10]] -= amount
    conn.close()
    assert any(key[0] == "item" for key in changes)
    for key, by_day in changes.items():
        balance = 0.0
        for day in sorted(by_day):
            balance += by_day[day]
            assert balance >= -1e-9, f"{key} on {day}: {balance}"

