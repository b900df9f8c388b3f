"""Fast paths write the one row and show the one row: nothing reads the list again after a save
(a reload froze the town file's gate and temperature screens for a third of a second)."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import gate
from db import keypersons as kp
from db.models import GatePassage
from tests.tui.conftest import gate_entry, press, running, screen_text


async def test_gate_adds_the_new_passage_without_reading_the_day_again(
        demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(demo_path, "f5", "enter") as (app, pilot):
        await press(pilot, "g")
        table = app.screen.query_one("#gate-table")
        shown = table.row_count
        reads: list[object] = []
        original = gate.passages
        monkeypatch.setattr(gate, "passages", lambda *a: reads.append(a) or original(*a))
        for name in ("外地司机甲", "外地司机乙"):
            await gate_entry(pilot, "36.4", name=name, origin="送货")
        assert reads == []
        assert table.row_count == shown + 2
        assert [str(c) for c in table.get_row_at(table.row_count - 1)][1] == "外地司机乙"
        assert table.cursor_row == table.row_count - 1
        assert "外地司机乙" in screen_text(pilot)
    assert GatePassage.select().where(GatePassage.name.startswith("外地司机")).count() == 2


async def test_temperature_saves_never_read_the_round_again(
        demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with running(demo_path, "f3") as (app, pilot):
        await press(pilot, "t")
        reads: list[object] = []
        original = kp.temperature_round
        monkeypatch.setattr(kp, "temperature_round", lambda *a: reads.append(a) or original(*a))
        rows = app.screen.rows
        start = app.screen.query_one("#temp-table").cursor_row
        then = next(n for n in range(start + 1, len(rows)) if app.screen.values[n] is None)
        await press(pilot, *"36.3", "enter", *"36.4", "enter")
        assert reads == []
        table = app.screen.query_one("#temp-table")
        assert [str(table.get_row_at(n)[4]) for n in (start, then)] == ["36.3", "36.4"]
    assert len(rows) > 2
