"""F8 → a at 100×30: each change says who (操作人), whose record and what changed in the forms'
words; the highlighted entry is shown whole below."""

from __future__ import annotations

from pathlib import Path

from db import clock
from db import keypersons as kp
from db.models import Measure
from db.settings import set_setting
from tests.tui.conftest import press, running, screen_text


async def test_history_names_who_whose_and_what(demo_path: Path) -> None:
    set_setting("setup_done", "1")
    set_setting("operator", "王芳")
    measure = Measure.select().where(Measure.released_on.is_null()).first()
    name = measure.person.resident.name
    today = clock.today()
    kp.record_temperature(measure.id, today, "上午", "36.5")
    kp.record_temperature(measure.id, today, "上午", "36.1")
    async with running(demo_path, size=(100, 30)) as (app, pilot):
        await press(pilot, "f8", "a")
        text = screen_text(pilot)
        first = next(line for line in text.splitlines() if "体温记录" in line)
        assert "王芳" in first and name in first and "体温 36.5→36.1" in first
        assert f"王芳 修改体温记录“{name}" in text  # the detail line of the highlighted entry
        for internal in ("pass_card", "household_id", "measure_id", "value", "root"):
            assert internal not in text
