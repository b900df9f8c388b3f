"""The township's clock follows the 时区 setting, not the PC's zone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db import clock
from db.settings import get_setting, set_setting
from db.validate import Invalid


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


@pytest.mark.parametrize(("zone", "offset"), [("Pacific/Kiritimati", 14), ("Etc/GMT+11", -11),
                                              ("Asia/Shanghai", 8)])
def test_now_is_the_settings_zone(db_path: Path, zone: str, offset: int) -> None:
    set_setting("time_zone", zone)
    expected = _utc_now() + dt.timedelta(hours=offset)
    assert abs((clock.now() - expected).total_seconds()) < 5


def test_default_is_shanghai(db_path: Path) -> None:
    expected = _utc_now() + dt.timedelta(hours=8)
    assert abs((clock.now() - expected).total_seconds()) < 5


def test_unknown_zone_is_refused_and_nothing_changes(db_path: Path) -> None:
    with pytest.raises(Invalid, match="时区“Mars/Olympus”无法识别"):
        set_setting("time_zone", "Mars/Olympus")
    assert get_setting("time_zone") == "Asia/Shanghai"


def test_shift_span_crosses_midnight() -> None:
    day = dt.date(2026, 11, 20)
    assert clock.shift_span(day, "16:00", "24:00") == (8.0, dt.datetime(2026, 11, 21))
    assert clock.shift_span(day, "20:00", "08:00") == (12.0, dt.datetime(2026, 11, 21, 8))
    assert clock.shift_span(day, "06:00", "12:00") == (6.0, dt.datetime(2026, 11, 20, 12))


@pytest.mark.parametrize(("zone", "offset"), [("Pacific/Kiritimati", 14), ("Etc/GMT+11", -11)])
def test_todays_report_is_as_of_the_townships_moment(db_path: Path, zone: str,
                                                     offset: int) -> None:
    from db.report import daily_report

    set_setting("time_zone", zone)
    local = _utc_now() + dt.timedelta(hours=offset)
    report = daily_report(local.date())
    assert abs((report.as_of - local).total_seconds()) < 120
    # the township's day is not over yet (unless midnight passed between the two readings)
    assert (report.as_of_text.startswith(f"截至{local.month}月{local.day}日")
            or report.as_of_text == "截至当日24时")
