"""Figures of a whole-population testing round on the 400,000-resident town file.

    python bench/testing.py [--town PATH] [--rows N] [--json]

Writes the sampling system's list of N (default 300,000) residents as xlsx, then measures, on a
copy of the town file: python-calamine only reading that sheet (the reference: the mean of a read
before and one after the check-off, as other work on the machine comes and goes), the check-off
of the whole list through eprc (read, checks, matching, one transaction; target ≤ 2× the
reference; CPU seconds beside wall seconds), importing the same list again (nothing changes),
and the coverage query. The check-off uses two more threads (the register read while calamine
parses, the samples written while the next block is matched): its CPU seconds are given for
all threads and for the main thread alone, whose work is the wall time on an idle machine.
Figures, not tests.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.build_town import town_file  # noqa: E402
from db import clock  # noqa: E402


def write_list(town: Path, path: Path, rows: int) -> None:
    """The sampling system's export: a title, then 序号/姓名/证件号码/手机号/采样时间/采样点."""
    from openpyxl import Workbook

    with sqlite3.connect(f"file:{town}?mode=ro", uri=True) as conn:
        people = conn.execute("SELECT name, id_number, phone FROM resident ORDER BY id LIMIT ?",
                              [rows]).fetchall()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("采样名单")
    ws.append(["全员核酸采样人员名单"])
    ws.append(["序号", "姓名", "证件号码", "手机号", "采样时间", "采样点"])
    at = dt.datetime(2022, 4, 12, 6, 30)
    for n, (name, number, phone) in enumerate(people, start=1):
        ws.append([n, name, number, phone, at + dt.timedelta(seconds=n), f"采样点{n % 300}"])
    wb.save(path)


def settled_copy(town: Path, copy: Path) -> None:
    """A copy of the town file, on disk before anything is timed: left in the page cache, its
    250 MB would be flushed by the check-off's commit (which syncs the file), a cost of the
    copy and not of the work measured (0.3 s)."""
    shutil.copyfile(town, copy)
    with copy.open("rb+") as written:
        os.fsync(written.fileno())


def calamine_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    count = sum(1 for _ in workbook.get_sheet_by_index(0).iter_rows())
    workbook.close()
    return count


def timed(work: Callable[[], object]) -> tuple[float, float, float]:
    """(wall, CPU of every thread, CPU of this thread) seconds of ``work``: CPU times compare
    even while other processes share the cores."""
    start, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
    work()
    return time.perf_counter() - start, time.process_time() - cpu, time.thread_time() - own


def main() -> None:
    args = sys.argv[1:]
    town = Path(args[args.index("--town") + 1]) if "--town" in args else town_file()[0]
    rows = int(args[args.index("--rows") + 1]) if "--rows" in args else 300_000
    from db import testing
    from db.database import close_database, open_database
    from db.testing import ImportResult
    from exports.sampling import import_sample_list

    with tempfile.TemporaryDirectory(prefix="eprc-bench-testing-") as folder:
        tmp = Path(folder)
        listed = tmp / "list.xlsx"
        write_list(town, listed, rows)
        copy = tmp / "town.db"
        settled_copy(town, copy)
        references = [timed(lambda: calamine_read(listed))]
        open_database(copy)
        try:
            today = clock.today()
            found = testing.new_round("第1轮", today, today + dt.timedelta(days=1))
            outcome: list[ImportResult] = []
            check_off, check_off_cpu, main_cpu = timed(
                lambda: outcome.append(import_sample_list(found.id, listed)))
            first = outcome[0]
            references.append(timed(lambda: calamine_read(listed)))
            start = time.perf_counter()
            again = import_sample_list(found.id, listed)
            repeat = time.perf_counter() - start
            start = time.perf_counter()
            numbers = testing.coverage(found.id)
            query = time.perf_counter() - start
        finally:
            close_database()
    reference = statistics.mean(wall for wall, _cpu, _own in references)
    reference_cpu = statistics.mean(cpu for _wall, cpu, _own in references)
    figures = {
        "testing_check_off": {"rows": rows, "value": round(check_off, 3),
                              "reference_calamine_read": round(reference, 3),
                              "ratio": round(check_off / reference, 2), "target": "≤ 2×",
                              "met": check_off <= 2 * reference, "matched": first.matched,
                              "cpu": round(check_off_cpu, 3),
                              "reference_cpu": round(reference_cpu, 3),
                              "cpu_ratio": round(check_off_cpu / reference_cpu, 2),
                              "main_thread_cpu": round(main_cpu, 3),
                              "main_thread_cpu_ratio": round(main_cpu / reference_cpu, 2)},
        "testing_reimport": {"value": round(repeat, 3), "matched": again.matched,
                             "already": again.already},
        "testing_coverage": {"value": round(query, 3), "expected": numbers.expected,
                             "tested": numbers.tested, "grids": len(numbers.grids)},
    }
    if "--json" in args:
        print(json.dumps(figures, ensure_ascii=False))
        return
    f = figures["testing_check_off"]
    verdict = "met" if f["met"] else "NOT met"
    print(f"check-off of {rows:,} rows: {f['value']:.2f} s vs calamine read "
          f"{f['reference_calamine_read']:.2f} s = {f['ratio']}× (target ≤ 2×, {verdict}; "
          f"matched {f['matched']:,}); CPU {f['cpu']:.2f} s vs {f['reference_cpu']:.2f} s = "
          f"{f['cpu_ratio']}× (main thread {f['main_thread_cpu']:.2f} s = "
          f"{f['main_thread_cpu_ratio']}×)")
    r = figures["testing_reimport"]
    print(f"same list again: {r['value']:.2f} s, matched {r['matched']}, already {r['already']:,}")
    c = figures["testing_coverage"]
    print(f"coverage query: {c['value']:.2f} s (应检 {c['expected']:,}, 已检 {c['tested']:,}, "
          f"{c['grids']} grids)")


if __name__ == "__main__":
    main()
