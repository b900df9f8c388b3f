"""Stopping someone on the staff list offers to take their future shifts off the roster."""

from __future__ import annotations

from pathlib import Path

from db import clock
from db.database import database
from db.models import Staff
from tests.tui.conftest import press, running, screen_text


def _future_places(staff_id: int) -> int:
    return database.execute_sql(
        "SELECT count(*) FROM assignment a JOIN shift h ON h.id = a.shift_id "
        "WHERE a.staff_id = ? AND h.date >= ?", [staff_id, clock.today().isoformat()]).fetchone()[0]


async def test_deactivating_offers_to_withdraw_future_shifts(demo_path: Path) -> None:
    keys = [s.name_key for s in Staff.select()]
    person = next(s for s in Staff.select().where(Staff.active).order_by(Staff.id)
                  if sum(k.startswith(s.name_key) for k in keys) == 1
                  and _future_places(s.id) > 0)  # the only one its initials find
    places = _future_places(person.id)
    async with running(demo_path, "f5", "w") as (app, pilot):
        await press(pilot, "slash", *person.name_key, "enter")
        assert person.name in screen_text(pilot)
        await press(pilot, "delete")
        assert f"今后还排有0 个班次（卡口已停用）、{places} 人次无法值守" in screen_text(pilot)
        await press(pilot, "y")
    assert not Staff.get_by_id(person.id).active
    assert _future_places(person.id) == 0
