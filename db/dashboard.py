"""The numbers on the dashboard, counted straight from the file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.database import database
from db.settings import fever_threshold


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


def _one(sql: str, params: list[object] | None = None) -> int | float:
    return database.execute_sql(sql, params or []).fetchone()[0] or 0


def dashboard_counts(today: dt.date | None = None) -> Counts:
    """Every headline count, each one indexed query."""
    day = (today or dt.date.today()).isoformat()
    return Counts(
        residents=int(_one("SELECT count(*) FROM resident")),
        households=int(_one("SELECT count(*) FROM household")),
        key_persons_under_control=int(_one(
            "SELECT count(DISTINCT person_id) FROM measure WHERE released_on IS NULL "
            "AND start_date <= ?", [day])),
        checkpoints=int(_one(
            "SELECT count(*) FROM checkpoint WHERE (active_from IS NULL OR active_from <= ?) "
            "AND (active_to IS NULL OR active_to >= ?)", [day, day])),
        staff=int(_one("SELECT count(*) FROM staff WHERE active")),
        volunteers=int(_one("SELECT count(*) FROM staff WHERE active AND is_volunteer")),
        donations=int(_one("SELECT count(*) FROM donation")),
        donated_money=float(_one("SELECT total(amount) FROM donation WHERE is_money")),
        gate_refused_today=int(_one(
            "SELECT count(*) FROM gate_passage WHERE outcome = '劝返' AND at >= ? AND at < ?",
            [day, (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat()])),
        fever_today=int(_one(
            "SELECT count(DISTINCT measure_id) FROM temperature_reading WHERE date = ? "
            "AND value >= ?", [day, fever_threshold()])),
        due_release=int(_one(
            "SELECT count(*) FROM measure WHERE released_on IS NULL AND planned_end BETWEEN ? "
            "AND date(?, '+1 day')", [day, day])),
        overdue=int(_one(
            "SELECT count(*) FROM measure WHERE released_on IS NULL AND planned_end < ?", [day])),
        pushed_open=int(_one("SELECT count(*) FROM pushed_row WHERE result = ''")),
    )
