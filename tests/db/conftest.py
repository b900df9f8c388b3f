"""A settable township clock for tests that record entries at known moments."""

from __future__ import annotations

import datetime as dt

import pytest

from db import clock


class FakeClock:
    """Stands in for ``db.clock.now``: what it says is ``at`` until told otherwise."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def fake_clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock(dt.datetime(2022, 4, 11, 8))
    monkeypatch.setattr(clock, "now", fake)
    return fake
