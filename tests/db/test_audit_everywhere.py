"""Every write leaves its audit entry, bulk ones included: planned shifts, seats filled by the
planner, a swap, a pushed list, a recycle move. One writer (db.models.log_changes) takes them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from db import pushed, recycle, roster
from db.models import Assignment, AuditLog, Checkpoint, PushedRow, Shift, Staff

MON = dt.date(2022, 4, 11)


def entries(table: str, action: str) -> list[AuditLog]:
    return list(AuditLog.select().where((AuditLog.table == table) & (AuditLog.action == action)))


def test_planning_creating_shifts_and_swapping_are_logged(db_path: Path) -> None:
    roster.ensure_slots()
    cp = Checkpoint.create(name="1号卡口", staff_per_shift=1)
    for n in range(6):
        Staff.create(name=f"员{n}", name_key="y", category="网格员", phone=f"1380000{n:04d}")
    result = roster.plan(MON, MON + dt.timedelta(days=1), cp.id)
    shifts = entries("shift", "新增")
    assert len(shifts) == Shift.select().count() == result.shifts == 6
    assert {e.row_id for e in shifts} == {s.id for s in Shift.select()}
    assert json.loads(shifts[0].after)["checkpoint_id"] == cp.id
    seats = entries("assignment", "排班")
    assert {e.row_id for e in seats} == {a.id for a in Assignment.select()}
    first, second = list(Assignment.select().order_by(Assignment.id).limit(2))
    roster.swap(first.id, second.id)
    swapped = entries("assignment", "互换")
    assert {e.row_id for e in swapped} == {first.id, second.id}
    assert json.loads(swapped[0].before)["staff_id"] in (first.staff_id, second.staff_id)


def test_a_pushed_list_and_a_recycle_move_are_logged(db_path: Path) -> None:
    record = pushed.PushedRecord(4, [1, "张三", "13800000001"], name="张三", phone="13800000001")
    sheet = pushed.PushedSheet("Sheet1", 3, ["序号", "姓名", "手机"], [record])
    summary = pushed.create_batch("推送.xlsx", [sheet], b"", dt.datetime(2022, 4, 11, 9, 0))
    row = PushedRow.get(PushedRow.batch == summary.batch_id)
    imported = entries("pushed_row", "导入")
    assert [e.row_id for e in imported] == [row.id]
    assert json.loads(imported[0].after)["name"] == "张三"
    assert entries("pushed_batch", "新增")[0].row_id == summary.batch_id
    recycle.delete(row, "推送行")
    assert [e.row_id for e in entries("pushed_row", "删除")] == [row.id]
