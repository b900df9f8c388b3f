"""The township's clock: dates and day boundaries in the time zone set in 设置 (default
Asia/Shanghai), never the PC's own zone. Times are kept naive, in the township's zone.

Also the arithmetic of a shift's span, shared by the models and the roster: a slot written
"16:00-24:00" or "20:00-08:00" ends on the shift's date or the next day.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from db.connection import database, stored_setting

DEFAULT_ZONE = "Asia/Shanghai"


def check_zone(name: str) -> ZoneInfo:
    """The zone called ``name``; an unknown name is an error (ValueError)."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(name) from None


_last: dict[int, str] = {}  # the zone last read from each open file, for other threads


def zone() -> ZoneInfo:
    """The township's zone from settings; never opens a connection of its own (a thread
    without one uses what the file said last), the default when no file was read."""
    name = DEFAULT_ZONE
    if database.obj is not None:
        if not database.is_closed():
            _last[id(database.obj)] = stored_setting("time_zone") or DEFAULT_ZONE
        name = _last.get(id(database.obj), DEFAULT_ZONE)
    try:
        return check_zone(name)
    except ValueError:
        return check_zone(DEFAULT_ZONE)


def now() -> dt.datetime:
    """The township's wall-clock time now (naive, to the second)."""
    return dt.datetime.now(zone()).replace(tzinfo=None, microsecond=0)


def today() -> dt.date:
    return now().date()


def current_half() -> str:
    """The temperature round under way now: 上午 before noon, 下午 after."""
    return "上午" if now().hour < 12 else "下午"


def day_end(day: dt.date) -> dt.datetime:
    """24:00 of ``day``: the default moment a daily report is computed at."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time())


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def shift_span(day: dt.date, start: str, end: str) -> tuple[float, dt.datetime]:
    """(hours, end moment) of a shift on ``day`` in the slot ``start``-``end``."""
    first, last = _minutes(start), _minutes(end)
    if last <= first:
        last += 24 * 60
    ends_at = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=last)
    return round((last - first) / 60, 2), ends_at
