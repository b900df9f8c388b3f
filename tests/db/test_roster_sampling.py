"""Sampling points (采样点) on the roster: their own slots from F9's 采样点班次 (gaps allowed),
planned and checked with the checkpoints' rules across both kinds (nobody on two overlapping or
touching shifts, week limits, unavailability), counted apart from 卡口 in the daily report, the
gate and the 出入登记表. Times are recomputed here from the slots, not from eprc's own spans."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import roster
from db.dashboard import dashboard_counts
from db.database import close_database, open_database
from db.models import Assignment, Checkpoint, Shift, Staff, Unavailability
from db.report import daily_report
from db.settings import get_setting, set_setting
from db.testing import new_point
from db.validate import Invalid
from eprc import cli
from exports.roster import export_passages
from tests.db.test_report import row, section

MON = dt.date(2022, 4, 11)
SUN = MON + dt.timedelta(days=6)


def staff(n: int, max_per_week: int = 7) -> list[Staff]:
    return [Staff.create(name=f"人{i:02d}", name_key="r", category="网格员", max_per_week=max_per_week,
                         phone=f"1380000{i:04d}") for i in range(n)]


def gate(per_shift: int = 1) -> Checkpoint:
    return Checkpoint.create(name="1号卡口", staff_per_shift=per_shift, needs_leader=False)


def held_times(path: Path) -> dict[int, list[tuple[dt.datetime, dt.datetime, str]]]:
    """Each person's shifts as (begin, end, post kind), from the slots' clock times."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found: dict[int, list[tuple[dt.datetime, dt.datetime, str]]] = {}
    for person, date, begin, end, kind in conn.execute(
            "SELECT a.staff_id, h.date, s.start, s.end, c.post_kind FROM assignment a "
            "JOIN shift h ON h.id = a.shift_id JOIN shift_slot s ON s.id = h.slot_id "
            "JOIN checkpoint c ON c.id = h.checkpoint_id"):
        day = dt.datetime.fromisoformat(str(date)[:10])
        b = day + dt.timedelta(hours=int(begin[:2]), minutes=int(begin[3:]))
        e = day + dt.timedelta(hours=int(end[:2]), minutes=int(end[3:]))
        found.setdefault(person, []).append((b, e if e > b else e + dt.timedelta(days=1), kind))
    conn.close()
    return found


def assert_rested(path: Path) -> None:
    for person, held in held_times(path).items():
        held.sort()
        for (_b1, e1, k1), (b2, _e2, k2) in zip(held, held[1:], strict=False):
            assert b2 > e1, f"staff {person}: {k1} shift ending {e1} meets {k2} at {b2}"


def test_sampling_slots_are_a_setting_that_need_not_cover_the_day(db_path: Path) -> None:
    assert get_setting("sampling_slots") == "06:00-12:00,12:00-18:00"
    set_setting("sampling_slots", "7:00-11:30，14:00—17:00")
    assert get_setting("sampling_slots") == "07:00-11:30,14:00-17:00"
    for bad, says in (("06:00-12:00,11:00-18:00", "重叠"), ("20:00-02:00", "当天内"),
                      ("6点到12点", "应写作")):
        with pytest.raises(Invalid, match=says):
            set_setting("sampling_slots", bad)
        assert get_setting("sampling_slots") == "07:00-11:30,14:00-17:00"
    with pytest.raises(Invalid, match="覆盖全天"):  # the checkpoints' slots still must
        set_setting("shift_slots", "06:00-12:00,12:00-18:00")


def test_a_changed_setting_moves_only_the_sampling_slots(db_path: Path) -> None:
    gate()
    new_point("文化广场采样点", staff_per_shift=1)
    roster.create_shifts(MON, MON)
    set_setting("sampling_slots", "07:00-12:00,13:00-18:00")
    assert [s.name for s in roster.stored_slots("采样点")] == ["07:00-12:00", "13:00-18:00"]
    assert [s.name for s in roster.stored_slots()] == ["00:00-08:00", "08:00-16:00",
                                                       "16:00-24:00"]


def test_the_planner_staffs_both_kinds_on_their_own_slots(db_path: Path) -> None:
    gate(2)
    point = new_point("文化广场采样点", staff_per_shift=3)
    staff(16)
    result = roster.plan(MON, SUN)
    assert result.shifts == 7 * 3 + 7 * 2 and not result.gaps, result.text()
    assert result.added == 7 * 3 * 2 + 7 * 2 * 3
    at_point = {(s.slot.post_kind, s.slot.name) for s in
                Shift.select().where(Shift.checkpoint == point.id)}
    assert at_point == {("采样点", "06:00-12:00"), ("采样点", "12:00-18:00")}
    assert Assignment.select().join(Shift).where(Shift.checkpoint == point.id).count() == 42
    assert_rested(db_path)
    assert roster.check_roster(MON, SUN).ok


def test_a_shift_meeting_the_other_kind_is_never_given(db_path: Path) -> None:
    """卡口 00-08, 08-16, 16-24 and a sampling slot 08-12, one seat each, two people: 08-12
    touches 00-08 and overlaps 08-16, so it cannot be filled and is reported."""
    set_setting("sampling_slots", "08:00-12:00")
    gate(1)
    new_point("文化广场采样点", staff_per_shift=1)
    staff(2)
    result = roster.plan(MON, MON)
    assert [(g.checkpoint, g.slot, g.missing) for g in result.gaps] == [
        ("文化广场采样点", "08:00-12:00", 1)]
    assert "采样点" in result.gaps[0].reason
    assert_rested(db_path)
    check = roster.check_roster(MON, MON)
    assert (check.gaps, check.double_bookings, check.back_to_back) == (1, 0, 0)
    Staff.create(name="人99", name_key="r", category="网格员", phone="13800009999")
    again = roster.plan(MON, MON)
    assert not again.gaps and again.added == 1 and again.removed == 0
    assert_rested(db_path)


def test_manual_assignment_keeps_the_rules_across_kinds(db_path: Path) -> None:
    set_setting("sampling_slots", "08:00-12:00,12:00-16:00")
    cp = gate(1)
    point = new_point("文化广场采样点", staff_per_shift=1)
    first, second = staff(2)
    roster.create_shifts(MON, MON)
    gate_slots = roster.stored_slots()
    point_slots = roster.stored_slots("采样点")
    roster.assign(roster.shift_at(cp.id, MON, gate_slots[1].id).id, first.id)  # 08-16
    with pytest.raises(Invalid, match="该时段已在1号卡口值守"):
        roster.assign(roster.shift_at(point.id, MON, point_slots[1].id).id, first.id)
    roster.assign(roster.shift_at(cp.id, MON, gate_slots[0].id).id, second.id)  # 00-08
    with pytest.raises(Invalid, match="轮休"):
        roster.assign(roster.shift_at(point.id, MON, point_slots[0].id).id, second.id)
    assert Assignment.select().count() == 2


def test_check_finds_clashes_between_a_checkpoint_and_a_sampling_point(db_path: Path) -> None:
    set_setting("sampling_slots", "08:00-12:00,12:00-16:00")
    cp = gate(1)
    point = new_point("文化广场采样点", staff_per_shift=1)
    both, touching = staff(2)
    roster.create_shifts(MON, MON)
    gate_slots, point_slots = roster.stored_slots(), roster.stored_slots("采样点")
    for post, slot, person in ((cp, gate_slots[1], both), (point, point_slots[1], both),
                               (cp, gate_slots[0], touching), (point, point_slots[0], touching)):
        Assignment.create(shift=roster.shift_at(post.id, MON, slot.id), staff=person)
    check = roster.check_roster(MON, MON)
    assert (check.double_bookings, check.back_to_back) == (1, 1)
    assert f"重复排班：{both.name} 04-11 08:00-16:00（与04-11 12:00-16:00重叠）" in check.items
    assert f"连班：{touching.name} 04-11 00:00-08:00起连续两个班次" in check.items


def test_unavailability_and_week_limits_count_both_kinds(db_path: Path) -> None:
    gate(1)
    new_point("文化广场采样点", staff_per_shift=2)
    people = staff(20, max_per_week=3)
    roster.ensure_slots()
    morning = roster.ensure_slots("采样点")[0]
    assert roster.slot_labels() == ["00:00-08:00", "08:00-16:00", "16:00-24:00",
                                    "采样点 06:00-12:00", "采样点 12:00-18:00"]
    assert roster.slot_named("采样点 06:00-12:00") == morning
    assert roster.slot_named("08:00-16:00").post_kind == "卡口"
    assert roster.slot_named("（全天）") is None
    Unavailability.create(staff=people[0], start_date=MON, end_date=SUN, slot=morning)
    roster.plan(MON, SUN)
    assert not (Assignment.select().join(Shift)
                .where((Assignment.staff == people[0].id) & (Shift.slot == morning.id)).exists())
    assert Assignment.select().join(Shift).where(Shift.slot == morning.id).count() == 14
    for person in people:
        assert person.assignments.count() <= 3
    assert roster.check_roster(MON, SUN).ok


def test_report_gate_and_passage_log_count_only_checkpoints(db_path: Path, tmp_path: Path
                                                          ) -> None:
    cp = gate(2)
    point = new_point("文化广场采样点", staff_per_shift=3)
    staff(16)
    roster.plan(MON, MON)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    on_gate = [n for (n,) in conn.execute(
        "SELECT count(a.id) FROM shift_slot s LEFT JOIN shift h ON h.slot_id = s.id "
        "AND h.checkpoint_id = ? LEFT JOIN assignment a ON a.shift_id = h.id "
        "WHERE s.post_kind = '卡口' GROUP BY s.id ORDER BY s.sort", [cp.id])]
    at_point = conn.execute("SELECT count(*) FROM assignment a JOIN shift h "
                            "ON h.id = a.shift_id WHERE h.checkpoint_id = ?",
                            [point.id]).fetchone()[0]
    conn.close()
    assert on_gate == [2, 2, 2] and at_point == 6
    checkpoints = section(daily_report(MON), "卡口值守")
    assert checkpoints["columns"][1:5] == ["卡口数", "00:00-08:00在岗", "08:00-16:00在岗",
                                           "16:00-24:00在岗"]
    assert row(checkpoints, "数量")[1:5] == [1, *on_gate]
    assert dashboard_counts(MON).checkpoints == 1
    out = tmp_path / "出入.xlsx"
    with pytest.raises(Invalid, match="是采样点，出入登记只在卡口进行"):
        export_passages(out, point.id, MON)
    assert not out.exists()


def test_roster_plan_and_check_commands_serve_sampling_points(db_path: Path) -> None:
    gate(1)
    point = new_point("文化广场采样点", staff_per_shift=2)
    staff(8)
    close_database()
    runner = CliRunner()
    day = ["--from", MON.isoformat(), "--to", MON.isoformat()]
    result = runner.invoke(cli, ["--db", str(db_path), "roster", "plan", *day,
                                 "--checkpoint", "文化广场采样点", "--json"])
    close_database()
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"shifts": 2, "added": 4, "removed": 0, "gaps": []}
    result = runner.invoke(cli, ["--db", str(db_path), "roster", "plan", *day])
    close_database()
    assert result.exit_code == 0 and "全部排满" in result.stdout
    assert_rested(db_path)
    result = runner.invoke(cli, ["--db", str(db_path), "roster", "check", *day, "--json"])
    close_database()
    assert result.exit_code == 0 and json.loads(result.stdout)["items"] == []
    open_database(db_path, write=True)
    taken = Assignment.select().join(Shift).where(
        (Shift.checkpoint == point.id) & (Shift.slot == roster.stored_slots("采样点")[0].id)).first()
    gate_shift = roster.shift_at(Checkpoint.get(Checkpoint.name == "1号卡口").id, MON,
                                 roster.stored_slots()[1].id)  # 08-16 overlaps 06-12
    Assignment.create(shift=gate_shift, staff=taken.staff_id)
    name = taken.staff.name
    close_database()
    result = runner.invoke(cli, ["--db", str(db_path), "roster", "check", *day, "--json"])
    close_database()
    found = json.loads(result.stdout)
    assert result.exit_code == 1 and found["double_bookings"] == 1
    assert f"重复排班：{name} 04-11 06:00-12:00（与04-11 08:00-16:00重叠）" in found["items"]
    open_database(db_path, write=True)
