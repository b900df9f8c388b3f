"""Gate and household traps at 100×30: the temperature box holds a value (Enter registers
36.5), an ambiguous match asks which person, a pass card number is never given to two
households, and moving someone finds the household by 户主, address or 户号."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from db.models import GatePassage, Household, Resident
from db.residents import (
    ResidentInput,
    add_household,
    find_households,
    register_resident,
    update_household,
)
from db.validate import Invalid
from tests.factories import make_id
from tests.tui.conftest import press, running, screen_text, settle
from tui.app import EprcApp

SMALL = (100, 30)


async def open_gate(pilot) -> None:
    await settle(pilot)
    await press(pilot, "f5", "enter")
    await press(pilot, "g")


async def test_default_temperature_is_a_value(demo_path: Path) -> None:
    person = Resident.select().order_by(Resident.id).first()
    app = EprcApp(demo_path, backup=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_gate(pilot)
        screen = app.screen
        assert screen.query_one("#gate-temperature").value == "36.5"
        screen.query_one("#gate-find").value = person.id_number
        await settle(pilot)
        screen.query_one("#gate-temperature").focus()
        await press(pilot, "enter")
        assert f"已登记：{person.name}" in screen_text(pilot)
        assert screen.query_one("#gate-temperature").value == "36.5"  # ready for the next
        assert "[red b]" not in screen_text(pilot)
    passage = GatePassage.select().order_by(GatePassage.id.desc()).first()
    assert (passage.resident_id, passage.temperature) == (person.id, 36.5)


async def test_an_ambiguous_match_asks_which_person(demo_path: Path) -> None:
    east = register_resident(ResidentInput("甄同名", make_id("19800101", 501)), address="东街1号")
    west = register_resident(ResidentInput("甄同名", make_id("19800101", 503)), address="西街9号")
    before = GatePassage.select().count()
    app = EprcApp(demo_path, backup=False)
    async with app.run_test(size=SMALL) as pilot:
        await open_gate(pilot)
        screen = app.screen
        screen.query_one("#gate-find").value = "甄同名"
        await settle(pilot)
        assert "匹配到2人（甄同名、甄同名）" in screen_text(pilot)
        screen.query_one("#gate-temperature").focus()
        await press(pilot, "enter")
        assert "登记的是哪一位" in screen_text(pilot)
        assert GatePassage.select().count() == before  # nobody registered yet
        second = str(app.screen.query_one(OptionList).get_option_at_index(1).prompt)
        await press(pilot, "down", "enter")
        assert "已登记：甄同名" in screen_text(pilot)
    chosen = west if "西街9号" in second else east
    passage = GatePassage.select().order_by(GatePassage.id.desc()).first()
    assert passage.resident_id == chosen.id and GatePassage.select().count() == before + 1


def test_a_pass_card_number_is_refused_for_a_second_household(db_path: Path) -> None:
    first = add_household("幸福路1号", number="340122000000001", pass_card="a001")
    second = add_household("幸福路2号", number="340122000000002")
    assert first.pass_card == "A001"
    with pytest.raises(Invalid, match="出入卡号“A001”已发给户号340122000000001"):
        update_household(second.id, pass_card=" A001 ")
    with pytest.raises(Invalid, match="已发给"):
        add_household("幸福路3号", pass_card="A001")
    assert Household.get_by_id(second.id).pass_card == ""
    update_household(first.id, pass_card="a001")  # its own card again: fine


def test_households_are_found_by_head_address_or_number(db_path: Path) -> None:
    home = add_household("桃园村幸福路8号", number="340122000000008")
    register_resident(ResidentInput("王大山", make_id("19700101", 7), relation="户主"),
                      household=home)
    other = add_household("桃园村和平路3号", number="340122000000003")
    assert [h.id for h in find_households("王大山")] == [home.id]
    assert [h.id for h in find_households("幸福路")] == [home.id]
    assert [h.id for h in find_households("00008")] == [home.id]
    assert {h.id for h in find_households("桃园村")} == {home.id, other.id}
    assert [h.id for h in find_households("桃园村", besides=home.id)] == [other.id]


async def test_move_finds_the_household_by_its_head(db_path: Path) -> None:
    from db.settings import set_setting
    from tui.screens.residents.household import HouseholdScreen

    set_setting("setup_done", "1")
    home = add_household("幸福路1号", number="340122000000001")
    person = register_resident(ResidentInput("李小", make_id("20000101", 9)), household=home)
    target = add_household("和平路9号", number="340122000000009")
    register_resident(ResidentInput("赵大", make_id("19700101", 11), relation="户主"),
                      household=target)
    async with running(db_path, size=SMALL) as (app, pilot):
        app.push_screen(HouseholdScreen(home.id))
        await settle(pilot)
        await press(pilot, "m")
        assert "请输入户主姓名、住址或户号" in screen_text(pilot)
        await press(pilot, *"赵大", "enter")
        assert "户号340122000000009（和平路9号）　户主赵大" in screen_text(pilot)
        await press(pilot, "enter")
    assert Resident.get_by_id(person.id).household_id == target.id
