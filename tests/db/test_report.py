"""The daily report's numbers on a hand-built file where every count is known, and snapshots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import donations as dn
from db import keypersons as kp
from db import pushed
from db.dashboard import load_dashboard, report_reminder, trend
from db.database import DatabaseError, database, read_in_background
from db.models import Assignment, Checkpoint, GatePassage, Shift, ShiftSlot, Staff
from db.report import (
    GENERATED,
    REPORTED,
    daily_report,
    freeze_report,
    mark_reported_otherwise,
)
from db.residents import ResidentInput, register_resident
from db.validate import Invalid
from exports.daily import export_daily
from tests.factories import make_id

DAY = dt.date(2022, 4, 11)
BEFORE = DAY - dt.timedelta(days=3)


def section(report, title: str) -> dict:
    return next(s for s in report.sections if s["title"].endswith(title))


def row(table: dict, label: str) -> list:
    return next(r for r in table["rows"] if r[0] == label)


@pytest.fixture
def township(db_path: Path, fake_clock) -> None:
    """Entered during DAY (the clock says 18:00); the tests then look at 09:00 the day after."""
    fake_clock.at = dt.datetime.combine(DAY, dt.time(18))
    people = [register_resident(ResidentInput(f"人{n}", make_id("19900101", n)), address=f"{n}号")
              for n in range(1, 6)]
    # 密接 A found before, released today; 密接 B found today (集中隔离); 返乡 C found today (居家)
    a = kp.register_key_person(kp.KeyPersonInput("密接", found_on=BEFORE), people[0])
    m = kp.start_measure(a.id, "居家隔离", BEFORE, planned_end=DAY)
    kp.release(m.id, DAY)
    b = kp.register_key_person(kp.KeyPersonInput("密接", found_on=DAY), people[1])
    kp.start_measure(b.id, "集中隔离", DAY, "酒店")
    c = kp.register_key_person(kp.KeyPersonInput("中高风险地区返乡", found_on=DAY), people[2])
    kp.start_measure(c.id, "居家健康监测", DAY)
    # a pushed batch of 3 received today: one inside, one outside, one open
    records = [pushed.PushedRecord(n, [n], name=f"推{n}", phone="13800000000") for n in (4, 5, 6)]
    batch = pushed.create_batch("p.xlsx", [pushed.PushedSheet("S", 3, ["姓名"], records)], b"",
                                dt.datetime.combine(DAY, dt.time(9)))
    pushed.verify(batch.batch_id, 4, "已核实在辖区（漏排）")
    pushed.verify(batch.batch_id, 5, "不在辖区居住")
    database.execute_sql("UPDATE pushed_row SET verified_at = ? WHERE verified_at IS NOT NULL",
                         [dt.datetime.combine(DAY, dt.time(10))])  # phoned that morning
    # one checkpoint, two slots staffed today with 2 and 1 people; 3 passages, 1 fever refusal
    slots = [ShiftSlot.create(name=n, start=s, end=e, sort=i) for i, (n, s, e) in
             enumerate((("白班", "08:00", "20:00"), ("夜班", "20:00", "08:00")))]
    cp = Checkpoint.create(name="1号卡口", staff_per_shift=2)
    staff = [Staff.create(name=f"员{n}", name_key="y", category="党员志愿者", is_volunteer=True)
             for n in range(3)]
    day_shift = Shift.create(checkpoint=cp, date=DAY, slot=slots[0], headcount=2)
    night_shift = Shift.create(checkpoint=cp, date=DAY, slot=slots[1], headcount=2)
    Assignment.create(shift=day_shift, staff=staff[0])
    Assignment.create(shift=day_shift, staff=staff[1])
    Assignment.create(shift=night_shift, staff=staff[2])
    at = dt.datetime.combine(DAY, dt.time(10))
    GatePassage.create(checkpoint=cp, at=at, direction="进", temperature=36.5, plate="皖A12345")
    GatePassage.create(checkpoint=cp, at=at, direction="进", temperature=38.0, outcome="劝返")
    GatePassage.create(checkpoint=cp, at=at, direction="出", temperature=36.6)
    # donations: 1000 yuan today, 500 before; goods today worth 300, 2 handed out
    donor = dn.add_donor("某公司")
    dn.record_money(BEFORE, donor, 500)
    dn.record_money(DAY, donor, 1000)
    goods = dn.record_goods(DAY, donor, [dn.GoodsLine("口罩", "盒", 10, 300)])
    dn.distribute(DAY, goods.items[0].item_id, 2, "卡口", "1号卡口")
    fake_clock.at = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(9))


def test_every_number_is_the_known_one(township: None) -> None:
    report = daily_report(DAY)
    persons = section(report, "重点人员")
    assert row(persons, "密接") == ["密接", 1, 1, 1, 0, 2]
    assert row(persons, "中高风险地区返乡") == ["中高风险地区返乡", 1, 0, 1, 0, 1]
    assert row(persons, "合计") == ["合计", 2, 1, 2, 0, 3]
    measures = section(report, "管控措施")
    assert row(measures, "居家隔离") == ["居家隔离", 0, 1, 0]
    assert row(measures, "集中隔离") == ["集中隔离", 1, 0, 1]
    assert row(section(report, "大数据推送核查"), "人数") == ["人数", 3, 2, 1, 1, 0, 0, 1, 0]
    checkpoints = section(report, "卡口值守")
    assert checkpoints["columns"][2:4] == ["白班在岗", "夜班在岗"]
    assert row(checkpoints, "数量") == ["数量", 1, 2, 1, 3, 1, 1]
    # the two on the 12-hour day shift worked it; the night shift ends tomorrow at 08:00
    assert row(section(report, "志愿服务"), "人数/时长") == ["人数/时长", 2, 24.0]
    gifts = section(report, "捐赠款物")
    assert row(gifts, "当日") == ["当日", 1000.0, 1, 300.0, 1]
    assert row(gifts, "当日冲销") == ["当日冲销", 0, 0, 0, 0]
    assert row(gifts, "累计") == ["累计", 1500.0, 1, 300.0, 1]
    assert report.as_of_text == "截至当日24时"


def test_a_day_with_nothing_still_reports_zeros(db_path: Path) -> None:
    report = daily_report(DAY)
    assert row(section(report, "重点人员"), "合计") == ["合计", 0, 0, 0, 0, 0]
    assert report.frozen_at is None


def test_sent_report_does_not_change_and_resend_is_a_correction(township: None,
                                                                tmp_path: Path) -> None:
    first = export_daily(tmp_path / "a.xlsx", DAY)
    assert not first.correction and first.state == GENERATED
    assert load_workbook(tmp_path / "a.xlsx").active["A1"].value.endswith("工作日报表")
    assert mark_reported_otherwise(DAY, "已传真区防控办").state == REPORTED
    late = kp.register_key_person(kp.KeyPersonInput("密接", found_on=DAY),
                                  register_resident(ResidentInput("晚到", make_id("19900101", 9)),
                                                    address="x"))
    assert late.id
    sent = daily_report(DAY)
    assert row(section(sent, "重点人员"), "密接")[1] == 1  # frozen: the late entry is not in it
    again = export_daily(tmp_path / "b.xlsx", DAY)
    assert again.correction and row(section(again, "重点人员"), "密接")[1] == 2
    assert again.state == "更正稿已生成未报送"
    assert load_workbook(tmp_path / "b.xlsx").active["A1"].value.endswith("（更正）")
    same = freeze_report(DAY)
    assert same.frozen_at == again.frozen_at  # nothing changed: no new correction
    count = database.execute_sql("SELECT count(*) FROM report_snapshot").fetchone()[0]
    assert count == 2


def test_export_before_sending_replaces_the_draft(township: None, tmp_path: Path) -> None:
    first = export_daily(tmp_path / "a.xlsx", DAY)
    kp.register_key_person(kp.KeyPersonInput("密接", found_on=DAY),
                           register_resident(ResidentInput("晚到", make_id("19900101", 9)),
                                             address="x"))
    again = export_daily(tmp_path / "a.xlsx", DAY)
    assert not again.correction and again.state == GENERATED
    assert row(section(again, "重点人员"), "密接")[1] == 2
    assert again.token != first.token
    assert load_workbook(tmp_path / "a.xlsx").active["A1"].value.endswith("工作日报表")
    count = database.execute_sql("SELECT count(*) FROM report_snapshot").fetchone()[0]
    assert count == 1


def test_marking_sent_another_way_needs_a_report_and_a_note(township: None,
                                                           tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="尚未生成"):
        mark_reported_otherwise(DAY, "传真")
    export_daily(tmp_path / "a.xlsx", DAY)
    with pytest.raises(Invalid, match="报送方式"):
        mark_reported_otherwise(DAY, "  ")
    assert daily_report(DAY).state == GENERATED
    marked = mark_reported_otherwise(DAY, "已在工作群报送")
    assert (marked.reported_how, marked.reported_note) == ("其他方式", "已在工作群报送")
    with pytest.raises(Invalid, match="已于"):
        mark_reported_otherwise(DAY, "再报一次")


def test_failed_export_freezes_nothing(township: None, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("x", encoding="utf-8")
    with pytest.raises(DatabaseError, match="未能写出"):
        export_daily(not_a_folder / "日报.xlsx", DAY)
    assert daily_report(DAY).frozen_at is None


def test_reminder_and_trend(township: None, tmp_path: Path) -> None:
    morning = dt.datetime.combine(DAY, dt.time(9))
    assert report_reminder(morning) == "今日日报尚未报送，请于13:00前报送"
    assert "已过13:00" in report_reminder(dt.datetime.combine(DAY, dt.time(14)))
    export_daily(tmp_path / "r.xlsx", DAY)
    assert report_reminder(morning) == "今日日报已生成未报送，请于13:00前报送"
    mark_reported_otherwise(DAY, "纸质送达")
    assert report_reminder(morning) is None
    series = trend(DAY, days=4)
    assert series["new"] == [1, 0, 0, 2] and series["released"][-1] == 1
    assert series["under_control"] == [1, 1, 1, 2]


def test_dashboard_reads_the_known_file(township: None) -> None:
    board = load_dashboard(dt.datetime.combine(DAY, dt.time(9)))
    counts = board.counts
    assert (counts.residents, counts.households) == (5, 5)
    assert counts.key_persons_under_control == 2  # A was released today; B and C are under
    assert (counts.checkpoints, counts.staff, counts.volunteers) == (1, 3, 3)
    assert counts.donated_money == 1500.0
    assert counts.gate_refused_today == 1
    assert (counts.overdue, counts.pushed_open) == (0, 1)
    assert board.reminder == "今日日报尚未报送，请于13:00前报送"
    assert board.trend == trend(DAY)
    assert board.township == "本镇"  # not yet set: the default name


def test_read_in_background_hands_back_the_result_or_the_error(township: None) -> None:
    main_connection = database.connection()
    future = read_in_background(lambda: (database.connection() is main_connection,
                                         load_dashboard(dt.datetime.combine(DAY, dt.time(9)))))
    own_connection, board = future.result(timeout=10)
    assert not own_connection  # the thread read through a connection of its own
    assert board.counts.residents == 5
    failed = read_in_background(lambda: database.execute_sql("SELECT * FROM no_such_table"))
    with pytest.raises(Exception, match="no_such_table"):
        failed.result(timeout=10)
    assert not database.is_closed()  # closing the threads' connections left ours open


def test_report_frozen_before_the_day_ends_says_when(township: None, fake_clock,
                                                     tmp_path: Path) -> None:
    fake_clock.at = dt.datetime.combine(DAY, dt.time(13, 5))
    sent = export_daily(tmp_path / "noon.xlsx", DAY)
    mark_reported_otherwise(DAY, "已传真")
    assert sent.as_of == fake_clock.at
    texts = [c.value for row in load_workbook(tmp_path / "noon.xlsx").active.iter_rows(max_row=3)
             for c in row if isinstance(c.value, str)]
    assert any(t.endswith("（截至4月11日13时05分）") for t in texts)
    # the night shift had not ended and the day shift (08:00-20:00) was still being stood
    assert row(section(sent, "志愿服务"), "人数/时长") == ["人数/时长", 0, 0]
    fake_clock.at = dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(9))
    again = export_daily(tmp_path / "next.xlsx", DAY)
    assert again.correction and again.as_of_text == "截至当日24时"
    assert row(section(again, "志愿服务"), "人数/时长") == ["人数/时长", 2, 24.0]
