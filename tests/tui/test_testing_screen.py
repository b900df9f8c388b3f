"""核酸检测 (F12) as the clerk works a round: set it up, check people off at a point, a grid
worker's reason, a positive made a key person in one step (and on the 首页 at once), the
sampling system's list imported; at 100×30 and at 80×24."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import clock, testing
from db.models import KeyPerson, Measure, MissingReason, Resident, Sample, SamplingRound
from db.settings import set_setting
from tests.tui.conftest import burst, notices, press, run_file_job, running, save_form, screen_text, settle


async def fill(pilot, values: dict[str, str]) -> None:
    for key, value in values.items():
        pilot.app.screen.query_one(f"#form-{key}").value = value
    await pilot.pause()


def people(n: int) -> list[Resident]:
    return list(Resident.select().where((Resident.status == "在册") & (Resident.phone != ""))
                .order_by(Resident.id).limit(n))


async def test_a_round_from_setup_to_positive(demo_path: Path) -> None:
    set_setting("setup_done", "1")
    first, second, third = people(3)
    async with running(demo_path, size=(100, 30)) as (app, pilot):
        await press(pilot, "f12")
        assert "还没有核酸检测轮次" in screen_text(pilot)
        await press(pilot, "n")
        today = clock.today()
        await save_form(pilot, {"name": "第1轮", "start": today.isoformat(),
                                "end": (today + dt.timedelta(days=1)).isoformat(),
                                "points": "文化广场采样点"})
        found = SamplingRound.get(SamplingRound.name == "第1轮")
        assert [p.name for p in testing.round_points(found.id)] == ["文化广场采样点"]
        expected = testing.coverage(found.id).expected
        assert f"应检 {expected:,}" in screen_text(pilot) and "已检 0" in screen_text(pilot)
        assert "最落后的网格" in screen_text(pilot)
        # check-off at the point: by full ID, then the same person again
        await press(pilot, "c")
        for text in (first.id_number, second.id_number, first.id_number):
            await press(pilot, *text)
            await press(pilot, "enter")
        assert "核销过，未重复登记" in screen_text(pilot)
        assert {s.resident_id for s in Sample.select()} == {first.id, second.id}
        await press(pilot, "escape")
        assert "已检 2" in screen_text(pilot)
        # the missing list and a reason
        await press(pilot, "3")
        keys = pilot.app.screen.keys
        assert third.id in keys and first.id not in keys and second.id not in keys
        pilot.app.screen.query_one("DataTable").move_cursor(row=keys.index(third.id))
        await settle(pilot)
        assert third.name in screen_text(pilot)
        await save_form(pilot, {"reason": "卧床已上门"}, "r")
        assert MissingReason.get(MissingReason.resident == third.id).reason == "卧床已上门"
        assert "卧床已上门" in screen_text(pilot)
        # a positive: key person, measure and sample in one step
        await press(pilot, "p")
        assert pilot.app.screen.query_one("#form-who").value == third.id_number
        await press(pilot, "ctrl+s")
        person = KeyPerson.get(KeyPerson.resident == third.id)
        assert (person.category, person.source) == ("疑似", "全员核酸检测")
        assert Measure.get(Measure.person == person.id).kind == "集中隔离"
        assert any("已登记为重点人员" in n for n in notices(pilot))
        assert "阳性 1" in screen_text(pilot)
        await press(pilot, "f1")
        assert "核酸 第1轮" in screen_text(pilot) and "阳性 1" in screen_text(pilot)


async def test_small_terminal_import_and_door_list(demo_path: Path, tmp_path: Path) -> None:
    set_setting("setup_done", "1")
    today = clock.today()
    found = testing.new_round("第1轮", today, today)
    listed = people(5)
    testing.set_immobile([listed[4].id])
    path = tmp_path / "名单.csv"
    path.write_text("姓名,身份证号码\n" + "".join(f"{p.name},{p.id_number}\n" for p in listed[:3])
                    + "无名氏,110101199003070000\n", encoding="gbk")
    async with running(demo_path, size=(80, 24)) as (app, pilot):
        await press(pilot, "f12")
        assert "第1轮" in screen_text(pilot) and "最落后的网格" in screen_text(pilot)
        await run_file_job(pilot, path, "i")
        assert "新核销 3 人" in screen_text(pilot)
        assert "第5行" in screen_text(pilot) and "不在居民库中" in screen_text(pilot)
        assert Sample.select().where(Sample.round == found.id).count() == 3
        await press(pilot, "escape")
        assert "已检 3" in screen_text(pilot)
        await press(pilot, "4")
        assert listed[4].name in screen_text(pilot)
        await press(pilot, "x")  # the door-to-door list of this view
        out = tmp_path / "上门.xlsx"
        await run_file_job(pilot, out)
        assert "已导出上门采样名单 1 人" in screen_text(pilot)
        assert load_workbook(out).active["A1"].value.startswith("第1轮上门采样名单（")
        await press(pilot, "escape")
        await press(pilot, "1")
        assert "第1轮" in screen_text(pilot) and "全镇" in screen_text(pilot)


async def test_the_resident_form_sets_away_and_immobile(db_path: Path) -> None:
    from db.residents import ResidentInput, register_resident
    from tests.factories import make_id

    set_setting("setup_done", "1")
    person = register_resident(ResidentInput("钱外出", make_id("19800101", 3)), address="1号")
    async with running(db_path, size=(100, 30)) as (app, pilot):
        await press(pilot, "f2")
        await press(pilot, "slash", *"钱外出", "enter", "e")
        form = pilot.app.screen
        form.query_one("#f-away-from").value = "2022-04-01"
        form.query_one("#f-away-to").value = "2022-03-01"
        form.query_one("#f-immobile").value = "是"
        await press(pilot, "ctrl+s")
        assert "返回日期不能早于外出日期" in str(form.query_one("#form-error").render())
        assert Resident.get_by_id(person.id).away_from is None  # nothing half-saved
        form.query_one("#f-away-to").value = ""
        await press(pilot, "ctrl+s")
        saved = Resident.get_by_id(person.id)
        assert (saved.away_from, saved.away_to, saved.immobile) == (dt.date(2022, 4, 1), None,
                                                                    True)
        found = testing.new_round("第1轮", dt.date(2022, 4, 12), dt.date(2022, 4, 12))
        assert testing.coverage(found.id).exempt["外出"] == 1


async def test_infant_age_is_set_in_f9_and_moves_the_numbers(demo_path: Path) -> None:
    set_setting("setup_done", "1")
    today = clock.today()
    found = testing.new_round("第1轮", today, today)
    before = testing.coverage(found.id).exempt["婴幼儿"]
    async with running(demo_path, size=(100, 30)) as (app, pilot):
        await press(pilot, "f9")
        field = pilot.app.screen.query_one("#set-testing_infant_age")
        assert field.value == "3"
        field.value = "6"
        await press(pilot, "ctrl+s")
        await press(pilot, "f12")
        after = testing.coverage(found.id).exempt["婴幼儿"]
        assert after > before and f"婴幼儿{after}" in screen_text(pilot)


SIZES = [(100, 30), (80, 24)]


@pytest.mark.parametrize("size", SIZES)
async def test_a_card_readers_burst_checks_off_each_person_once(demo_path: Path,
                                                               size: tuple[int, int]) -> None:
    set_setting("setup_done", "1")
    first, second = people(2)
    today = clock.today()
    found = testing.new_round("第1轮", today, today, [], [testing.find_or_add_point("广场").id])
    async with running(demo_path, size=size) as (app, pilot):
        await press(pilot, "f12")
        await press(pilot, "c")
        # three cards read with no pause between them, each ended by the reader's Enter
        burst(pilot, *first.id_number, "enter", *second.id_number, "enter",
              *first.id_number, "enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert f"{first.name} 已于" in text and "核销过，未重复登记" in text
        assert "Enter 核销，Esc 返回" in text
        assert app.screen.query_one("#check-find").value == ""
        assert app.screen.query_one("#check-table").row_count == 3
    assert sorted(s.resident_id for s in Sample.select().where(Sample.round == found.id)) == \
        sorted([first.id, second.id])


@pytest.mark.parametrize("size", SIZES)
async def test_the_new_round_forms_error_and_keys_stay_in_view(demo_path: Path,
                                                              size: tuple[int, int]) -> None:
    set_setting("setup_done", "1")
    async with running(demo_path, size=size) as (app, pilot):
        await press(pilot, "f12")
        await press(pilot, "n")
        await fill(pilot, {"name": "第1轮", "end": "2020-01-01"})
        await press(pilot, "ctrl+s")
        lines = screen_text(pilot).splitlines()
        keys = next(i for i, line in enumerate(lines) if "Ctrl+S 保存" in line)
        error = app.screen.query_one("#form-error").render()
        assert str(error) and str(error) in "\n".join(lines[:keys])
        assert keys < size[1] and "Esc 取消" in lines[keys]
        assert SamplingRound.select().count() == 0
