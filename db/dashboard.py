"""The numbers on the dashboard, counted straight from the file.

What the 首页's first frame shows is read here with the models and SQL alone: the sections'
modules (reports, requests, testing…) cost more to import on a slow PC than the counts take
to read, so the running round's card (db.testing.testing_card) and the help requests come
after: the screen reads them on a worker through their own modules, and only when the counts
say there is something to show (a request open, a round under way): a township with neither
never imports those modules at start-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db import clock
from db.config import DEFAULT_TOWNSHIP, all_settings, fever_threshold, get_setting
from db.connection import database
from db.models import ReportSnapshot


@dataclass(frozen=True)
class Counts:
    residents: int
    households: int
    key_persons_under_control: int
    checkpoints: int
    staff: int
    volunteers: int
    donations: int
    donated_money: float
    gate_refused_today: int
    fever_today: int
    due_release: int
    overdue: int
    pushed_open: int
    requests_open: int  # help requests 待派单 or 已派单 (db.requests.OPEN)
    rounds_running: int  # sampling rounds under way today (db.testing.running_round)


# One statement for every count: the dashboard reads them in a worker thread, and each
# statement is a hand-over of Python's GIL to a UI thread that is busy drawing.
_COUNTS_SQL = """SELECT
    (SELECT count(*) FROM resident),
    (SELECT count(*) FROM household),
    (SELECT count(DISTINCT person_id) FROM measure WHERE released_on IS NULL
        AND start_date <= :day),
    (SELECT count(*) FROM checkpoint WHERE post_kind = '卡口' AND (active_from IS NULL
        OR active_from <= :day) AND (active_to IS NULL OR active_to >= :day)),
    (SELECT count(*) FROM staff WHERE active),
    (SELECT count(*) FROM staff WHERE active AND is_volunteer),
    (SELECT count(*) FROM donation),
    (SELECT total(amount) FROM donation WHERE is_money),
    (SELECT count(*) FROM gate_passage WHERE outcome = '劝返' AND at >= :day AND at < :next_day),
    (SELECT count(DISTINCT measure_id) FROM temperature_reading WHERE date = :day
        AND value >= :threshold),
    (SELECT count(*) FROM measure WHERE released_on IS NULL
        AND planned_end BETWEEN :day AND date(:day, '+1 day')),
    (SELECT count(*) FROM measure WHERE released_on IS NULL AND planned_end < :day),
    (SELECT count(*) FROM pushed_row WHERE result = ''),
    (SELECT count(*) FROM help_request WHERE status IN ('待派单', '已派单')),
    (SELECT count(*) FROM sampling_round WHERE start_date <= :day AND end_date >= :day)"""


def dashboard_counts(today: dt.date | None = None, threshold: float | None = None) -> Counts:
    """Every headline count, in one statement of indexed sub-queries."""
    day = today or clock.today()
    params = {"day": day.isoformat(), "next_day": (day + dt.timedelta(days=1)).isoformat(),
              "threshold": fever_threshold() if threshold is None else threshold}
    row = database.execute_sql(_COUNTS_SQL, params).fetchone()
    return Counts(*(int(v) for v in row[:7]), float(row[7]), *(int(v) for v in row[8:]))


@dataclass(frozen=True)
class Dashboard:
    """Everything the 首页 shows, read in one go (the screen reads it off the UI thread)."""

    township: str
    preparer: str
    counts: Counts
    reminder: str | None
    trend: dict[str, list[int]]


def report_reminder(now: dt.datetime, deadline: str | None = None) -> str | None:
    """The dashboard's reminder while today's report has not been sent, else None."""
    latest = (ReportSnapshot.select(ReportSnapshot.reported_at, ReportSnapshot.correction)
              .where(ReportSnapshot.date == now.date()).order_by(ReportSnapshot.id.desc())
              .first())
    if latest is not None and latest.reported_at is not None:
        return None
    deadline = deadline or get_setting("report_deadline")
    if latest is None:
        state = "今日日报尚未报送"
    else:
        state = f"今日日报{'更正稿' if latest.correction else ''}已生成未报送"
    if now.strftime("%H:%M") < deadline:
        return f"{state}，请于{deadline}前报送"
    return f"{state}，已过{deadline}报送时限"


def trend(day: dt.date, days: int = 14) -> dict[str, list[int]]:
    """Under control / new / released for each of the last ``days`` days (oldest first).

    Three queries in all, counted in Python: the dashboard draws this at start-up."""
    first = day - dt.timedelta(days=days - 1)
    dates = [(first + dt.timedelta(days=n)).isoformat() for n in range(days)]
    new = dict(database.execute_sql(
        "SELECT found_on, count(*) FROM key_person WHERE found_on BETWEEN ? AND ? "
        "GROUP BY found_on", [dates[0], dates[-1]]).fetchall())
    released = dict(database.execute_sql(
        "SELECT released_on, count(*) FROM measure WHERE released_on BETWEEN ? AND ? "
        "GROUP BY released_on", [dates[0], dates[-1]]).fetchall())
    # measures under control at some point of the window, grouped by (start, end) in SQL: a
    # few hundred groups to count in Python instead of every measure of the township
    spans = database.execute_sql(
        "SELECT max(start_date, ?), released_on, count(*) FROM measure WHERE start_date <= ? "
        "AND (released_on IS NULL OR released_on > ?) GROUP BY 1, 2",
        [dates[0], dates[-1], dates[0]]).fetchall()
    under = [sum(n for start, end, n in spans if start <= d and (end is None or end > d))
             for d in dates]
    return {"under_control": under,
            "new": [int(new.get(d, 0)) for d in dates],
            "released": [int(released.get(d, 0)) for d in dates]}


def load_dashboard(now: dt.datetime | None = None) -> Dashboard:
    """The dashboard as of ``now``: headline counts, the report reminder and the 14-day
    trend (the help requests and the running round are read after: module docstring)."""
    now = now or clock.now()
    settings = all_settings()
    return Dashboard(township=settings["township"] or DEFAULT_TOWNSHIP,
                     preparer=settings["preparer"],
                     counts=dashboard_counts(now.date(), float(settings["fever_threshold"])),
                     reminder=report_reminder(now, settings["report_deadline"]),
                     trend=trend(now.date()))
