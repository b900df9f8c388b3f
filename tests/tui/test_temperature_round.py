"""体温录入 as a round: one row per person under control, opening where the clerk left off,
asking before replacing a reading, and every key of a fast burst landing on the right person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual import events
from textual.app import App

from db import clock
from db import keypersons as kp
from db.models import TemperatureReading
from db.residents import ResidentInput, register_resident
from db.settings import set_setting
from tests.factories import make_id
from tests.tui.conftest import press, running, screen_text, settle
from tui.screens.keypersons.temperatures import TemperatureScreen

TODAY = clock.today()
NAMES = ["赵一", "钱二", "孙三", "李四", "周五"]


@pytest.fixture
def office(db_path: Path) -> dict[str, int]:
    """Five persons under home isolation, one of whom changed measure today, and one released
    today; their measure ids by name."""
    set_setting("setup_done", "1")
    measures: dict[str, int] = {}
    for n, name in enumerate([*NAMES, "吴六"], start=1):
        resident = register_resident(ResidentInput(name, make_id("19800101", 2 * n + 1)),
                                     address=f"阳光小区{n}栋")
        person = kp.register_key_person(kp.KeyPersonInput("次密接"), resident)
        measures[name] = kp.start_measure(person.id, "居家隔离", TODAY - dt.timedelta(days=3)).id
    measures["钱二"] = kp.follow_on(measures["钱二"], "居家健康监测", TODAY).id
    kp.release(measures["吴六"], TODAY, "转院")
    return measures


def burst(app: App, text: str) -> None:
    """Post every key of ``text`` to the app's queue at once, as a card reader or a fast typist
    sends them ("\\r" is Enter): nothing is awaited between keys."""
    for char in text:
        if char == "\r":
            key = events.Key("enter", "\r")
        elif char == ".":
            key = events.Key("full_stop", ".")
        else:
            key = events.Key(char, char)
        app.post_message(key)


def test_round_has_one_row_per_person_and_nobody_released(office: dict[str, int]) -> None:
    kp.record_temperature(office["赵一"], TODAY, "上午", "36.5")
    rows = kp.temperature_round(TODAY, "上午")
    assert sorted(r.name for r in rows) == sorted(NAMES)
    assert {r.name: r.measure_id for r in rows}["钱二"] == office["钱二"]
    assert {r.name: r.value for r in rows}["赵一"] == 36.5
    assert len(rows) == kp.list_counts(TODAY, "上午")["under_control"]


def test_a_morning_reading_survives_a_measure_change(db_path: Path) -> None:
    resident = register_resident(ResidentInput("郑七", make_id("19800101", 41)), address="1栋")
    person = kp.register_key_person(kp.KeyPersonInput("次密接"), resident)
    first = kp.start_measure(person.id, "居家隔离", TODAY - dt.timedelta(days=3))
    kp.record_temperature(first.id, TODAY, "上午", "36.4")
    second = kp.follow_on(first.id, "居家健康监测", TODAY)
    assert [(r.measure_id, r.value) for r in kp.temperature_round(TODAY, "上午")] == \
        [(second.id, 36.4)]
    kp.record_temperature(second.id, TODAY, "上午", "36.7")  # a correction, not a second reading
    readings = list(TemperatureReading.select().where(TemperatureReading.date == TODAY))
    assert [(r.half, r.value) for r in readings] == [("上午", 36.7)]


async def test_a_burst_of_readings_lands_on_the_right_persons(db_path: Path,
                                                             office: dict[str, int]) -> None:
    half = clock.current_half()
    async with running(db_path, "f3") as (app, pilot):
        await press(pilot, "t")
        assert isinstance(app.screen, TemperatureScreen)
        assert "应测 5 人，已录 0 人" in screen_text(pilot)
        order = [r.name for r in app.screen.rows]
        burst(app, "36.1\r36.2\r36.3\r36.4\r36.5\r")
        await settle(pilot)
        assert "已录 5 人" in screen_text(pilot)
    saved = {r.measure.person.resident.name: r.value
             for r in TemperatureReading.select().where((TemperatureReading.date == TODAY)
                                                        & (TemperatureReading.half == half))}
    assert saved == dict(zip(order, [36.1, 36.2, 36.3, 36.4, 36.5], strict=True))


async def test_reopening_starts_at_the_first_missing_and_replacing_asks(
        db_path: Path, office: dict[str, int]) -> None:
    half = clock.current_half()
    async with running(db_path) as (app, pilot):
        app.push_screen(TemperatureScreen())
        await settle(pilot)
        order = [r.name for r in app.screen.rows]
        await press(pilot, *"36.6", "enter", *"36.7", "enter")
        await press(pilot, "escape")
        app.push_screen(TemperatureScreen())
        await settle(pilot)
        screen = app.screen
        assert screen.query_one("#temp-table").cursor_row == 2  # the third person, not row 1
        assert "已录 2 人" in screen_text(pilot)
        await press(pilot, "up", *"36.9", "enter")
        assert f"{order[1]} {half}已录 36.7℃，改为 36.9℃？" in screen_text(pilot)
        await press(pilot, "n")
        assert "未保存" in screen_text(pilot)
        second = TemperatureReading.get(TemperatureReading.measure == screen.rows[1].measure_id)
        assert second.value == 36.7
        await press(pilot, *"36.9", "enter")
        await press(pilot, "y")
        assert TemperatureReading.get_by_id(second.id).value == 36.9
        assert TemperatureReading.select().count() == 2
        assert "36.9" in screen_text(pilot)
