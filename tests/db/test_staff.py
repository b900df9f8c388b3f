"""Staff and checkpoints: validation, unavailability, hours, points, and the staff import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db import staff as st
from db.models import PointsAdjustment, Staff
from db.validate import Invalid
from exports.staff import import_staff_file
from tests.factories import make_id, village_sheet


def test_add_edit_and_refusals(db_path: Path) -> None:
    person = st.add_staff(st.StaffInput(" 王 华 ", "下沉干部", "13800000000", team="青年突击队",
                                        can_lead=True))
    assert (person.name, person.name_key, person.team.name) == ("王华", "wh", "青年突击队")
    assert not person.is_volunteer
    with pytest.raises(Invalid, match="人员类别"):
        st.add_staff(st.StaffInput("李四", "路人"))
    with pytest.raises(Invalid, match="每周最多班次"):
        st.add_staff(st.StaffInput("李四", "其他", max_per_week="30"))
    edited = st.update_staff(person.id, st.StaffInput("王华", "党员志愿者", "13800000000"))
    assert edited.is_volunteer and edited.team is None
    assert Staff.select().count() == 1


def test_unavailability_hours_and_points(db_path: Path) -> None:
    person = st.add_staff(st.StaffInput("张三", "党员志愿者"))
    with pytest.raises(Invalid, match="请填写不可值班"):
        st.add_unavailability(person.id, None, None)
    record = st.add_unavailability(person.id, dt.date(2022, 4, 11), None, reason="病假")
    assert record.end_date == dt.date(2022, 4, 11)
    assert st.add_service(person.id, dt.date(2022, 4, 11), "3.5", "物资配送").hours == 3.5
    with pytest.raises(Invalid, match="0—24"):
        st.add_service(person.id, dt.date(2022, 4, 11), "30", "x")
    with pytest.raises(Invalid, match="原因"):
        st.adjust_points(person.id, 5, "")
    assert st.adjust_points(person.id, "-3", "缺勤").party_points == -3
    assert PointsAdjustment.get().reason == "缺勤"


def test_staff_import_sheet(db_path: Path, tmp_path: Path) -> None:
    header = ["序号", "姓名", "身份证号码", "联系电话", "人员类别", "所属服务队", "能否带班", "爱好"]
    sheet = village_sheet(tmp_path / "人员.xlsx", [
        [1, "张三", make_id("19900101", 11), "13800000001", "下沉干部", "先锋队", "是", "x"],
        [2, "李四", None, "13800000002", "大学生", "青年突击队", None, None],
        [3, "", None, None, "其他", None, None, None],
        [4, "王五", "123", None, "民警", None, None, None],
    ], header=header)
    dry = import_staff_file(sheet, dry_run=True)
    assert (dry.added, Staff.select().count()) == (2, 0)
    summary = import_staff_file(sheet, errors_out=tmp_path / "e.xlsx")
    assert (summary.added, summary.updated) == (2, 0)
    assert {p.row for p in summary.rejected} == {6, 7}
    assert any("爱好" in p.reason for p in summary.warnings)
    assert Staff.get(Staff.name == "张三").can_lead and Staff.get(Staff.name == "李四").is_volunteer
    again = import_staff_file(sheet)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert (tmp_path / "e.xlsx").exists()


def test_staff_import_lists_changes_and_holds_renames(db_path: Path, tmp_path: Path) -> None:
    """Only filled columns change a known person, each change listed; a new 姓名 under a known
    ID waits for --accept-changes; names sorted on their own stop the import."""
    header = ["序号", "姓名", "身份证号码", "联系电话", "人员类别"]
    people = [[n, f"人员{n}", make_id("19900101", 2 * n + 1), f"1380000{n:04d}", "下沉干部"]
              for n in range(12)]
    import_staff_file(village_sheet(tmp_path / "a.xlsx", people, header=header))
    st.update_staff(Staff.get(Staff.name == "人员0").id,
                    st.StaffInput("人员0", "下沉干部", "13800000000", make_id("19900101", 1),
                                  can_lead=True, max_per_week=3))
    edited = [list(r) for r in people]
    edited[0][1] = "人员零"
    edited[1][3] = "13911112222"
    sheet = village_sheet(tmp_path / "b.xlsx", edited, header=header)
    summary = import_staff_file(sheet)
    assert [(c.row, c.field, c.old, c.new) for c in summary.conflicts] == [
        (4, "姓名", "人员0", "人员零")]
    assert [(c.row, c.field, c.new) for c in summary.changes] == [(5, "联系电话", "13911112222")]
    assert (summary.updated, summary.unchanged) == (1, 11)  # the held rename changes nothing
    first = Staff.get(Staff.id_number == make_id("19900101", 1))
    assert (first.name, first.can_lead, first.max_per_week) == ("人员0", True, 3)
    accepted = import_staff_file(sheet, accept_changes=True)
    assert accepted.conflicts_applied and Staff.get(Staff.id == first.id).name == "人员零"
    shuffled = [list(r) for r in people]
    for row, name in zip(shuffled, [r[1] for r in people[3:] + people[:3]], strict=True):
        row[1] = name
    with pytest.raises(Invalid, match="疑似“姓名”列被单独排序"):
        import_staff_file(village_sheet(tmp_path / "c.xlsx", shuffled, header=header),
                          accept_changes=True)
    assert Staff.get(Staff.id == first.id).name == "人员零"


def test_checkpoint_rules(db_path: Path) -> None:
    cp = st.add_checkpoint(st.CheckpointInput("桃园村1号卡口", "村"))
    assert cp.staff_per_shift == 4
    assert st.add_checkpoint(st.CheckpointInput("城关2号", "社区")).staff_per_shift == 2
    with pytest.raises(Invalid, match="已存在"):
        st.add_checkpoint(st.CheckpointInput("桃园村1号卡口"))
    with pytest.raises(Invalid, match="停用日期"):
        st.update_checkpoint(cp.id, st.CheckpointInput("桃园村1号卡口", active_from=dt.date(
            2022, 4, 11), active_to=dt.date(2022, 4, 1)))


def test_guard_duty_on_a_rostered_day_is_not_recorded_twice(db_path: Path) -> None:
    from db import roster
    from db.models import Assignment, Checkpoint, ServiceRecord, Shift

    day = dt.date(2022, 4, 11)
    person = st.add_staff(st.StaffInput("赵六", "党员志愿者"))
    roster.ensure_slots()
    cp = Checkpoint.create(name="1号卡口", staff_per_shift=1, needs_leader=False)
    roster.create_shifts(day, day)
    Assignment.create(shift=Shift.get(Shift.checkpoint == cp), staff=person)
    with pytest.raises(Invalid, match="2022-04-11已排该人卡口值守班次"):
        st.add_service(person.id, day, "8", "卡口值守")
    assert ServiceRecord.select().count() == 0
    st.add_service(person.id, day, "2", "物资配送")  # other work that day is its own
    st.add_service(person.id, day + dt.timedelta(days=1), "8", "卡口值守")  # not rostered
    assert ServiceRecord.select().count() == 2
