"""Import figures on the town file, each beside its floor measured in the same round.

    python bench/imports.py [--town PATH] [--rows N] [--repeat R] [--json]

Writes the 100,000-row residents sheet of ``bench/run.py`` (``make_sheet``), then R times
(default 3): imports it into a fresh copy of the town file and measures the floor under it
(``bench/slow_pc.py``'s ``import_floor``: python-calamine reading the sheet plus SQLite inserting
the same rows with eprc's indexes). Prints each round and the medians; the target is the
``import_floor`` key of ``bench/run.py`` (≤ 3×). Then the peak memory of importing 20,000 rows
in a process of its own (target < 150 MB), and whether pypinyin's phrase dictionaries were
loaded (they must not be). Figures, not tests.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import slow_pc  # noqa: E402
from bench.build_town import town_file  # noqa: E402
from bench.run import make_sheet  # noqa: E402

MEMORY_SCRIPT = """
import shutil, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from db.database import open_database
from exports.residents import import_residents_file
shutil.copyfile({town!r}, {work!r})
open_database(Path({work!r}))
summary = import_residents_file(Path({sheet!r}), create_areas=True)
with open("/proc/self/status", encoding="utf-8") as fh:
    peak = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
phrases = any(name.startswith("pypinyin.phrases") for name in sys.modules)
print(summary.added, peak, phrases)
"""


def one_round(town: Path, sheet: Path, tmp: Path) -> dict[str, float]:
    from db.database import close_file, open_database
    from exports.residents import import_residents_file

    work = tmp / "work.db"
    shutil.copyfile(town, work)
    open_database(work)
    start = time.perf_counter()
    summary = import_residents_file(sheet, create_areas=True)
    took = time.perf_counter() - start
    assert not summary.rejected and summary.added, summary.text()
    close_file()
    row = slow_pc.import_floor(sheet, town, tmp, took)
    close_file()
    work.unlink()
    return {"import": took, "calamine_read": float(row["calamine_read"]),
            "sqlite_insert": float(row["sqlite_insert"]), "floor": float(row["reference"]),
            "ratio": took / float(row["reference"])}


def memory(town: Path, tmp: Path, rows: int = 20_000) -> dict[str, object]:
    sheet = tmp / f"import{rows}.xlsx"
    make_sheet(sheet, rows)
    script = MEMORY_SCRIPT.format(root=str(ROOT), town=str(town), work=str(tmp / "mem.db"),
                                  sheet=str(sheet))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    return {"rows": rows, "added": int(out[0]), "peak_mb": round(int(out[1]) / 1024, 1),
            "phrase_dictionaries_loaded": out[2] == "True", "target": "< 150 MB"}


def main() -> None:
    args = sys.argv[1:]
    town = Path(args[args.index("--town") + 1]) if "--town" in args else town_file()[0]
    rows = int(args[args.index("--rows") + 1]) if "--rows" in args else 100_000
    repeat = int(args[args.index("--repeat") + 1]) if "--repeat" in args else 3
    with tempfile.TemporaryDirectory(prefix="eprc-bench-imports-") as folder:
        tmp = Path(folder)
        sheet = tmp / "import.xlsx"
        make_sheet(sheet, rows)
        rounds = [one_round(town, sheet, tmp) for _ in range(repeat)]
        mem = memory(town, tmp)
    medians = {key: round(statistics.median(r[key] for r in rounds), 3) for key in rounds[0]}
    figures = {"import_floor": {"rows": rows, "rounds": rounds, "median": medians,
                                "target": "≤ 3×", "met": medians["ratio"] <= 3},
               "import_memory": mem}
    if "--json" in args:
        print(json.dumps(figures, ensure_ascii=False))
        return
    for n, r in enumerate(rounds, start=1):
        print(f"round {n}: import {r['import']:.2f} s, floor {r['floor']:.2f} s (calamine "
              f"{r['calamine_read']:.2f} + SQLite {r['sqlite_insert']:.2f}) = {r['ratio']:.2f}×")
    print(f"median of {repeat}: import {medians['import']:.2f} s vs floor {medians['floor']:.2f} s "
          f"= {medians['ratio']:.2f}× (target ≤ 3×, {'met' if medians['ratio'] <= 3 else 'NOT met'})")
    print(f"{mem['rows']:,} rows: peak {mem['peak_mb']} MB (target < 150 MB); pypinyin phrase "
          f"dictionaries loaded: {mem['phrase_dictionaries_loaded']}")


if __name__ == "__main__":
    main()
