"""Every date and time the product records or shows comes from db.clock (the township's zone),
never the PC's: a PC set to UTC filed tonight's readings, passages and verifications under
yesterday between 00:00 and 08:00 Beijing time."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest

from db import clock

ROOT = Path(__file__).parent.parent
PC_CLOCK = re.compile(r"\b(?:date|datetime)\.(?:today|now)\b|\btime\.localtime\b")


def test_no_product_code_reads_the_pcs_clock() -> None:
    found = []
    for folder in ("db", "exports", "tui", "cmdline"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "db" / "clock.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if PC_CLOCK.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    for number, line in enumerate((ROOT / "eprc.py").read_text(encoding="utf-8").splitlines(), 1):
        if PC_CLOCK.search(line):
            found.append(f"eprc.py:{number}: {line.strip()}")
    assert found == []


def test_the_suite_runs_with_the_pc_clock_in_another_day_most_hours() -> None:
    """The conftest moves the PC twelve hours behind UTC; the township stays at UTC+8."""
    if not hasattr(time, "tzset"):
        pytest.skip("Windows cannot move the PC's zone from inside a run")
    pc = dt.datetime.now().astimezone().utcoffset()
    assert pc == dt.timedelta(hours=-12)
    assert clock.now() - dt.datetime.now().replace(microsecond=0) >= dt.timedelta(hours=19)
