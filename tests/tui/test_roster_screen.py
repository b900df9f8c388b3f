"""The week grids and the gate, as the clerk uses them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import load_workbook

from db import clock
from db.models import Assignment, GatePassage, Shift, Staff
from tests.tui.conftest import gate_entry, notices, press, run_file_job, running, screen_text


async def test_township_week_plan_and_checkpoint_grid(demo_path: Path) -> None:
    async with running(demo_path, "f5") as (app, pilot):
        assert "12/12" in screen_text(pilot)
        assert "0%" not in screen_text(pilot)  # the planner's bar shows only while it plans
        await press(pilot, "right_square_bracket", "right_square_bracket")
        assert "0/0" not in screen_text(pilot) and "—" in screen_text(pilot)
        await press(pilot, "p")
        assert "全部排满" in screen_text(pilot) and "100%" not in screen_text(pilot)
        assert "12/12" in screen_text(pilot)
        await press(pilot, "enter")
        screen = app.screen
        assert "每班4人，须带班领导" in screen_text(pilot) and "(带)" in screen_text(pilot)
        # remove the only-or-chosen person of Monday's night shift, then add someone back
        await pilot.press("right")  # onto Monday
        await press(pilot, "d")
        await press(pilot, "ctrl+s")  # the first person in the list
        assert any("已撤下" in n for n in notices(pilot))
        assert "缺1" in screen_text(pilot)
        day, slot_id = screen.here()
        shift = Shift.get((Shift.checkpoint == screen.checkpoint.id) & (Shift.date == day)
                          & (Shift.slot == slot_id))
        free = Staff.create(name="新来的", name_key="xld", category="其他", phone="13000000000")
        await press(pilot, "a")
        app.screen.query_one("#form-who").value = free.name
        app.screen.query_one("#form-pin").value = "是"
        await press(pilot, "ctrl+s")
        assert "缺1" not in screen_text(pilot) and f"{free.name}★" in screen_text(pilot)
    added = Assignment.get((Assignment.shift == shift.id) & (Assignment.staff == free.id))
    assert added.pinned and added.manual


async def test_gate_entry_refuses_a_fever(demo_path: Path, tmp_path: Path) -> None:
    before = GatePassage.select().count()
    async with running(demo_path, "f5", "enter") as (app, pilot):
        await press(pilot, "g")
        await press(pilot, *"外地司机")  # no such resident: an outsider
        assert "未找到居民" in screen_text(pilot)
        screen = app.screen
        await gate_entry(pilot, "38.1", name="外地司机", origin="送货，来自上海市浦东新区",
                         plate="沪a12345")
        assert "劝返，已登记" in screen_text(pilot)
        await gate_entry(pilot, "36.4")
        assert "请选择居民或填写姓名" in screen_text(pilot)
        checkpoint = screen.checkpoint.name
        await press(pilot, "ctrl+r")  # today's 出入登记表 of this checkpoint
        assert app.screen.query_one("#job-path").value.endswith(
            f"{checkpoint}出入登记表_{clock.today():%Y-%m-%d}.xlsx")
        await run_file_job(pilot, tmp_path / "gate.xlsx")
        assert "已导出 " in screen_text(pilot)
    ws = load_workbook(tmp_path / "gate.xlsx").active
    assert ws["A1"].value.startswith(f"{checkpoint}人员车辆出入登记表")
    assert any("外地司机" in [str(c) for c in row] and "劝返" in [str(c) for c in row]
               for row in ws.iter_rows(values_only=True))
    passage = GatePassage.select().order_by(GatePassage.id.desc()).first()
    assert GatePassage.select().count() == before + 1
    assert (passage.outcome, passage.plate, passage.is_local) == ("劝返", "沪A12345", False)
    assert passage.at.date() == clock.today()


async def test_outsider_at_the_gate_becomes_a_key_person(demo_path: Path) -> None:
    from db.models import KeyPerson
    from tests.factories import make_id

    async with running(demo_path, "f5", "enter") as (app, pilot):
        await press(pilot, "g")
        await gate_entry(pilot, "36.6", name="钱多多", phone="13912345678",
                         origin="返乡，来自上海市浦东新区")
        assert "放行" in screen_text(pilot)
        await press(pilot, "f10")
        app.screen.query_one("#form-id_number").value = make_id("19900909", 19)
        app.screen.query_one("#form-address").value = "桃园村8号"
        await press(pilot, "ctrl+s")
        assert any("已登记为重点人员" in n for n in notices(pilot))
    person = KeyPerson.select().order_by(KeyPerson.id.desc()).first()
    assert person.resident.name == "钱多多" and person.source == "卡口发现"
    assert person.category == "中高风险地区返乡" and "上海" in person.origin


async def test_staff_list_add_and_unavailable(demo_path: Path) -> None:
    from db.models import Unavailability

    async with running(demo_path, "f5", "w") as (app, pilot):
        await press(pilot, "n")
        app.screen.query_one("#form-name").value = "新志愿者"
        app.screen.query_one("#form-phone").value = "1390000"
        await press(pilot, "ctrl+s")
        assert "不是有效的手机号" in screen_text(pilot)
        app.screen.query_one("#form-phone").value = "13900001111"
        await press(pilot, "ctrl+s")
        await press(pilot, "slash", *"xzyz", "enter")
        assert "新志愿者" in screen_text(pilot)
        await press(pilot, "u")
        app.screen.query_one("#form-slot").value = "00:00-08:00"
        app.screen.query_one("#form-reason").value = "不值夜班"
        await press(pilot, "ctrl+s")
    person = Staff.get(Staff.name == "新志愿者")
    rule = Unavailability.get(Unavailability.staff == person.id)
    assert rule.slot.name == "00:00-08:00" and rule.start_date is None


async def test_staff_home_community_is_typed_by_name(demo_path: Path) -> None:
    from db.models import Area

    village = Area.select().where(Area.level == 1).order_by(Area.id).first()
    async with running(demo_path, "f5", "w") as (app, pilot):
        await press(pilot, "n")
        app.screen.query_one("#form-name").value = "本村志愿者"
        app.screen.query_one("#form-phone").value = "13900002222"
        app.screen.query_one("#form-home").value = "不存在村"
        await press(pilot, "ctrl+s")
        assert "没有名为“不存在村”的社区" in screen_text(pilot)
        assert not Staff.select().where(Staff.name == "本村志愿者").exists()
        app.screen.query_one("#form-home").value = village.name
        await press(pilot, "ctrl+s")
        await press(pilot, "slash", *"bcz", "enter", "e")
        assert app.screen.query_one("#form-home").value == village.name  # shown when editing
    assert Staff.get(Staff.name == "本村志愿者").home_area_id == village.id


async def test_a_sampling_points_week_on_its_own_slots(demo_path: Path) -> None:
    """F5 plans the sampling point too (p), and its week shows the 采样点班次 only (whole at
    100 columns), filled with people who stand no checkpoint shift meeting theirs; no gate (g)."""
    from db import roster
    from db.testing import new_point

    point = new_point("文化广场采样点", staff_per_shift=2)
    async with running(demo_path) as (app, pilot):
        await press(pilot, "f5")
        assert "文化广场采样点" in screen_text(pilot) and "采样点·2人" in screen_text(pilot)
        await press(pilot, "p")
        assert "全部排满" in screen_text(pilot) and "4/4" in screen_text(pilot)
        row = next(n for n, cp in enumerate(app.screen.checkpoints) if cp.id == point.id)
        for _ in range(row):
            await pilot.press("down")
        await press(pilot, "enter")
        text = screen_text(pilot)
        assert "文化广场采样点（采样点）" in text and "每班2人" in text
        assert "06:00-12:00" in text and "12:00-18:00" in text and "16:00-24:00" not in text
        monday = app.screen.days[0]
        on_duty = [a.staff.name for a in roster.people_on(
            point.id, monday, roster.stored_slots("采样点")[0].id)]
        assert len(on_duty) == 2 and all(name in text for name in on_duty)
        assert "出入登记" not in text  # no gate key offered at a sampling point
        await press(pilot, "g")
        assert app.screen.checkpoint.id == point.id and "06:00-12:00" in screen_text(pilot)
    assert roster.check_roster(monday, monday + dt.timedelta(days=6)).ok
    planned = (Assignment.select().join(Shift)
               .where((Shift.checkpoint == point.id) & (Shift.date >= monday)).count())
    assert planned == 7 * 2 * 2


async def test_sampling_slots_are_set_in_f9(demo_path: Path) -> None:
    """F9's 采样点班次: a bad value is refused with where and why and nothing saved; a good
    one moves the slots of the sampling point's shifts not yet begun."""
    from db import roster
    from db.settings import get_setting
    from db.testing import new_point
    from tui.screens.settings.settings import field_id

    point = new_point("文化广场采样点", staff_per_shift=1)
    later = clock.today() + dt.timedelta(days=3)
    roster.create_shifts(later, later, point.id)
    async with running(demo_path) as (app, pilot):
        await press(pilot, "f9")
        field = app.screen.query_one(f"#{field_id('sampling_slots')}")
        assert field.value == "06:00-12:00,12:00-18:00"
        field.value = "06:00-12:00,11:00-18:00"
        await press(pilot, "ctrl+s")
        assert "采样点班次（不必覆盖全天）：" in screen_text(pilot) and "重叠" in screen_text(pilot)
        assert get_setting("sampling_slots") == "06:00-12:00,12:00-18:00"
        field.value = "7:00-11:30，14:00-17:00"
        await press(pilot, "ctrl+s")
        assert "已保存" in screen_text(pilot)
    assert get_setting("sampling_slots") == "07:00-11:30,14:00-17:00"
    shifts = Shift.select().where(Shift.checkpoint == point.id).order_by(Shift.ends_at)
    assert [(s.slot.name, s.hours, str(s.ends_at)[11:16]) for s in shifts] == [
        ("07:00-11:30", 4.5, "11:30"), ("14:00-17:00", 3.0, "17:00")]
