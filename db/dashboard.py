"""The numbers on the dashboard, counted straight from the file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db import clock
from db.config import DEFAULT_TOWNSHIP, all_settings, fever_threshold
from db.connection import database
from db.report import report_reminder, trend


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


# One statement for every count: the dashboard reads them in a worker thread, and each
# statement is a hand-over of Python's GIL to a UI thread that is busy drawing.
_COUNTS_SQL = """SELECT
    (SELECT count(*) FROM resident),
    (SELECT count(*) FROM household),
    (SELECT count(DISTINCT person_id) FROM measure WHERE released_on IS NULL
        AND start_date <= :day),
    (SELECT count(*) FROM checkpoint WHERE (active_from IS NULL OR active_from <= :day)
        AND (active_to IS NULL OR active_to >= :day)),
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
    (SELECT count(*) FROM pushed_row WHERE result = '')"""


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


def load_dashboard(now: dt.datetime | None = None) -> Dashboard:
    """The dashboard as of ``now``: headline counts, the report reminder and the 14-day trend."""
    now = now or clock.now()
    settings = all_settings()
    return Dashboard(township=settings["township"] or DEFAULT_TOWNSHIP,
                     preparer=settings["preparer"],
                     counts=dashboard_counts(now.date(), float(settings["fever_threshold"])),
                     reminder=report_reminder(now, settings["report_deadline"]),
                     trend=trend(now.date()))
