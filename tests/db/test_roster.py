"""The planner and the check, with constraints that bite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db import roster
from db.areas import add_area
from db.models import Assignment, Checkpoint, Shift, ShiftSlot, Staff, Unavailability
from db.settings import get_setting, set_setting
from db.validate import Invalid

MON = dt.date(2022, 4, 11)
SUN = MON + dt.timedelta(days=6)


def people(n: int, leaders: int = 0, area=None, max_per_week: int = 7) -> list[Staff]:
    made = []
    for i in range(n):
        made.append(Staff.create(name=f"员{len(made)}{i}", name_key="y", category="网格员",
                                 can_lead=i < leaders, home_area=area,
                                 max_per_week=max_per_week, phone=f"1380000{i:04d}"))
    return made


def checkpoint(name: str = "1号卡口", per_shift: int = 2, leader: bool = False,
               area=None) -> Checkpoint:
    return Checkpoint.create(name=name, staff_per_shift=per_shift, needs_leader=leader,
                             area=area)


def rows(sql_filter=None) -> list[tuple[int, dt.date, int]]:
    query = Assignment.select(Assignment, Shift).join(Shift)
    if sql_filter is not None:
        query = query.where(sql_filter)
    return [(a.staff_id, a.shift.date, a.shift.slot_id) for a in query]


@pytest.fixture
def slots(db_path: Path) -> list[ShiftSlot]:
    return roster.ensure_slots()


def test_fills_every_shift_with_rest_and_no_double_booking(slots: list[ShiftSlot]) -> None:
    checkpoint("1号卡口", 2)
    checkpoint("2号卡口", 2)
    people(12)
    result = roster.plan(MON, SUN)
    assert result.shifts == 2 * 3 * 7 and result.added == 2 * 2 * 3 * 7 and not result.gaps
    check = roster.check_roster(MON, SUN)
    assert check.ok, check.items
    counts = {}
    for staff_id, *_ in rows():
        counts[staff_id] = counts.get(staff_id, 0) + 1
    assert max(counts.values()) - min(counts.values()) <= 1  # spread evenly


def test_more_slots_than_people_can_cover_reports_gaps_with_reasons(
        slots: list[ShiftSlot]) -> None:
    checkpoint("1号卡口", 2)
    people(3)  # 3 people cannot cover 2 seats in every slot with rest between shifts
    result = roster.plan(MON, MON)
    assert result.gaps and all("没有空闲人员" in g.reason for g in result.gaps)
    missing = sum(g.missing for g in result.gaps)
    check = roster.check_roster(MON, MON)
    assert check.gaps == len(result.gaps) and check.back_to_back == 0
    assert missing == 6 - result.added


def test_unavailability_weekly_max_and_no_nights(slots: list[ShiftSlot]) -> None:
    checkpoint("1号卡口", 1)
    staff = people(4, max_per_week=3)
    Unavailability.create(staff=staff[0], start_date=MON, end_date=MON + dt.timedelta(days=2))
    night = next(s for s in slots if s.is_night)
    Unavailability.create(staff=staff[1], slot=night)
    roster.plan(MON, SUN)
    taken = rows()
    assert not [r for r in taken if r[0] == staff[0].id and r[1] <= MON + dt.timedelta(days=2)]
    assert not [r for r in taken if r[0] == staff[1].id and r[2] == night.id]
    assert all(sum(1 for r in taken if r[0] == s.id) <= 3 for s in staff)
    assert roster.check_roster(MON, SUN).over_max == 0


def test_leader_on_every_shift_that_needs_one(slots: list[ShiftSlot]) -> None:
    checkpoint("1号卡口", 3, leader=True)
    people(12, leaders=4)
    result = roster.plan(MON, SUN)
    assert not result.gaps
    for shift in Shift.select():
        assert sum(1 for a in shift.assignments if a.is_leader and a.staff.can_lead) == 1


def test_no_leader_available_is_said(slots: list[ShiftSlot]) -> None:
    checkpoint("1号卡口", 2, leader=True)
    people(6, leaders=0)
    result = roster.plan(MON, MON)
    assert any("缺带班领导" in g.reason for g in result.gaps)


def test_home_area_preferred(slots: list[ShiftSlot]) -> None:
    village = add_area("桃园村")
    town = add_area("城关社区")
    checkpoint("桃园村卡口", 1, area=village)
    locals_ = people(3, area=village)
    people(3, area=town)
    roster.plan(MON, MON)
    assert {r[0] for r in rows()} <= {s.id for s in locals_}


def test_same_input_same_plan(db_path: Path, tmp_path: Path) -> None:
    roster.ensure_slots()
    checkpoint("1号卡口", 2)
    checkpoint("2号卡口", 3)
    people(15, leaders=3)
    roster.plan(MON, SUN)
    first = sorted(rows())
    Assignment.delete().execute()
    roster.plan(MON, SUN)
    assert sorted(rows()) == first


def test_pins_and_manual_kept_and_replan_changes_only_what_it_must(
        slots: list[ShiftSlot]) -> None:
    checkpoint("1号卡口", 2)
    staff = people(10)
    roster.create_shifts(MON, SUN)
    first_shift = Shift.select().order_by(Shift.date, Shift.slot).first()
    pinned = roster.assign(first_shift.id, staff[9].id, pinned=True)
    roster.plan(MON, SUN)
    before = {(a.shift_id, a.staff_id) for a in Assignment.select()}
    assert (first_shift.id, staff[9].id) in before
    dropped = next(a.staff_id for a in Assignment.select() if a.id != pinned.id)
    Staff.update(active=False).where(Staff.id == dropped).execute()
    result = roster.plan(MON, SUN)
    after = {(a.shift_id, a.staff_id) for a in Assignment.select()}
    lost = {pair for pair in before if pair[1] == dropped}
    assert result.removed == len(lost) and result.added == len(lost)
    assert before - after == lost  # nothing else moved
    assert roster.check_roster(MON, SUN).ok


def test_manual_assignment_respects_the_rules(slots: list[ShiftSlot]) -> None:
    checkpoint("1号卡口", 2)
    checkpoint("2号卡口", 2)
    person = people(1)[0]
    roster.create_shifts(MON, MON)
    one, two = (Shift.select().where((Shift.date == MON) & (Shift.slot == slots[0].id))
                .order_by(Shift.checkpoint))
    roster.assign(one.id, person.id)
    with pytest.raises(Invalid, match="该时段已在1号卡口值守"):
        roster.assign(two.id, person.id)
    next_slot = Shift.get((Shift.checkpoint == one.checkpoint_id) & (Shift.date == MON)
                          & (Shift.slot == slots[1].id))
    with pytest.raises(Invalid, match="轮休"):
        roster.assign(next_slot.id, person.id)


def test_check_finds_what_the_planner_would_not_do(slots: list[ShiftSlot]) -> None:
    cp = checkpoint("1号卡口", 1)
    person = people(1, max_per_week=1)[0]
    roster.create_shifts(MON, MON + dt.timedelta(days=1))
    shifts = list(Shift.select().where(Shift.checkpoint == cp).order_by(Shift.date, Shift.slot))
    Assignment.create(shift=shifts[0], staff=person)
    Assignment.create(shift=shifts[1], staff=person)  # back to back, over weekly max
    result = roster.check_roster(MON, MON + dt.timedelta(days=1))
    assert result.back_to_back == 1 and result.over_max == 1 and result.gaps == 4
    assert not result.ok and any(i.startswith("连班：") for i in result.items)


@pytest.mark.parametrize(("text", "slots"), [
    ("00:00-08:00,08:00-16:00,16:00-24:00",
     [("00:00", "08:00"), ("08:00", "16:00"), ("16:00", "24:00")]),
    ("8:00—20:00，20：00～8:00", [("08:00", "20:00"), ("20:00", "08:00")]),
    ("6-14、14-22、22-6", [("06:00", "14:00"), ("14:00", "22:00"), ("22:00", "06:00")]),
])
def test_shift_setting_is_read_however_it_is_typed(text: str, slots: list) -> None:
    assert roster.parse_slots(text) == slots


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "请填写班次"),
    ("早班,晚班", "班次“早班”应写作"),
    ("00:00-08:00,09:00-24:00", "一班08:00结束，下一班却从09:00开始"),
    ("00:00-10:00,08:00-24:00", "一班10:00结束，下一班却从08:00开始"),
    ("00:00-25:00", "时间不对"),
    ("00:00-12:00,12:00-18:00", "一班18:00结束，下一班却从00:00开始"),
])
def test_a_bad_shift_setting_is_refused_and_nothing_changes(db_path: Path, text: str,
                                                            fragment: str) -> None:
    before = get_setting("shift_slots")
    with pytest.raises(Invalid, match=fragment):
        set_setting("shift_slots", text)
    assert get_setting("shift_slots") == before


def test_new_shift_times_apply_to_shifts_already_planned(slots: list[ShiftSlot]) -> None:
    cp = checkpoint()
    people(6)
    roster.plan(MON, MON)
    planned = rows()
    set_setting("shift_slots", "07:00-15:00,15:00-23:00,23:00-07:00")
    stored = list(ShiftSlot.select().order_by(ShiftSlot.sort))
    assert [(s.start, s.end, s.is_night) for s in stored] == [
        ("07:00", "15:00", False), ("15:00", "23:00", False), ("23:00", "07:00", True)]
    assert [s.id for s in stored] == [s.id for s in slots]  # the same slots, new times
    assert rows() == planned and Shift.select().where(Shift.checkpoint == cp).count() == 3


def test_the_number_of_shifts_changes_only_before_any_is_planned(
        slots: list[ShiftSlot]) -> None:
    set_setting("shift_slots", "08:00-20:00,20:00-08:00")  # nothing planned yet: allowed
    assert [(s.start, s.end) for s in roster.ensure_slots()] == [("08:00", "20:00"),
                                                                  ("20:00", "08:00")]
    checkpoint()
    people(4)
    roster.plan(MON, MON)
    planned = rows()
    with pytest.raises(Invalid, match="班次数不能改为3个"):
        set_setting("shift_slots", "00:00-08:00,08:00-16:00,16:00-24:00")
    assert get_setting("shift_slots") == "08:00-20:00,20:00-08:00"
    assert len(roster.ensure_slots()) == 2 and rows() == planned


def test_future_shift_gets_new_slot_times_past_one_keeps_its_length(slots: list[ShiftSlot]
                                                                   ) -> None:
    from db import clock

    cp = checkpoint()
    today = clock.today()
    roster.create_shifts(MON, MON)
    roster.create_shifts(today + dt.timedelta(days=2), today + dt.timedelta(days=2))
    set_setting("shift_slots", "00:00-06:00,06:00-18:00,18:00-24:00")
    past = [s.hours for s in Shift.select().where((Shift.checkpoint == cp) & (Shift.date == MON))
            .order_by(Shift.slot)]
    future = list(Shift.select().where((Shift.checkpoint == cp) & (Shift.date > today))
                  .order_by(Shift.slot))
    assert past == [8, 8, 8]
    assert [s.hours for s in future] == [6, 12, 6]
    day = today + dt.timedelta(days=2)
    assert [s.ends_at for s in future] == [dt.datetime.combine(day, dt.time(6)),
                                           dt.datetime.combine(day, dt.time(18)),
                                           dt.datetime.combine(day + dt.timedelta(days=1),
                                                               dt.time())]


def test_withdraw_from_the_command_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from db import clock
    from db.database import close_database, open_database
    from eprc import cli

    path = tmp_path / "w.db"
    open_database(path)
    roster.ensure_slots()
    today = clock.today()
    cp = checkpoint("关停卡口", 1)
    person = people(1)[0]
    roster.create_shifts(today, today + dt.timedelta(days=3))
    shift = Shift.get((Shift.checkpoint == cp) & (Shift.date == today + dt.timedelta(days=2)))
    Assignment.create(shift=shift, staff=person)
    cp.active_to = today
    cp.save()
    close_database()
    runner = CliRunner()
    result = runner.invoke(cli, ["--db", str(path), "roster", "withdraw", "--dry-run"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "今后无法值守：9 个班次（卡口已停用）、1 人次（未撤下）"
    result = runner.invoke(cli, ["--db", str(path), "roster", "withdraw", "--checkpoint", "没有"])
    assert result.exit_code != 0 and "没有名为“没有”的卡口" in result.output
    result = runner.invoke(cli, ["--db", str(path), "roster", "withdraw"])
    assert result.stdout.strip() == "已撤下：9 个班次（卡口已停用）、1 人次"
    close_database()
    open_database(path)
    assert Shift.select().where(Shift.date > today).count() == 0
    assert Shift.select().where(Shift.date == today).count() == 3
