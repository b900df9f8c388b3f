"""Township-scale figures, each beside a reference measured in the same run.

    python bench/run.py [--json] [--rebuild] [--pinned] [--quick | --start]

Builds (or reuses) the 400,000-resident `town` demo file, then measures start-up, search as you
type, the resident list, and the import and export of a 100,000-row residents sheet, and the
slow-PC figures of bench/slow_pc.py. ``--pinned`` runs everything (children included) on one core
(`taskset -c 1` where available, else the OS affinity call), a stand-in for a low-end office PC.
``--quick`` leaves out the import/export and roster figures; ``--start`` measures the start-up
figures alone (about half a minute). Figures, not tests: nothing here fails a build.
"""

from __future__ import annotations

import compileall
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import slow_pc  # noqa: E402
from bench.build_town import town_file  # noqa: E402
from db import clock  # noqa: E402

Row = dict[str, object]


def timed(func: Callable[[], object], repeat: int = 1) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def figure(value: float, unit: str, reference: float | None, target: str, met: bool) -> Row:
    ratio = round(value / reference, 2) if reference else None
    return {"value": round(value, 3), "unit": unit,
            "reference": None if reference is None else round(reference, 3),
            "ratio": ratio, "target": target, "met": met}


# --- start-up ---------------------------------------------------------------------------------

START_SCRIPT = """
import sys, time, resource
t0 = time.perf_counter()
sys.path.insert(0, {root!r})

def peak_kb():
    # VmHWM is this process's own peak; ru_maxrss would include the parent forked before exec
    try:
        with open("/proc/self/status", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1])
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
{body}
"""

# Both apps stop through the same autopilot: once the screen shows what it is for (the bare
# app's one line; eprc's dashboard with its numbers) and that frame has been drawn.
BARE_APP = """
import asyncio
from textual.app import App
from textual.widgets import Static
class Bare(App):
    def compose(self):
        yield Static("hello")
async def drawn(pilot):
    while not pilot.app.screen.query(Static):
        await asyncio.sleep(0.002)
    await pilot.pause()
    pilot.app.exit((time.perf_counter() - t0, peak_kb()))
r = Bare().run(headless=True, size=(120, 40), auto_pilot=drawn)
print(r[0], r[1])
"""

# A Textual frame with none of eprc in it: Textual's Header and Footer, ten keys, modes and eprc's
# stylesheet around five lines of text. Not a target; it shows how much of the ratio Textual's
# own frame would set (eprc's 首页 draws its title line as one widget and has no footer).
SHELL_APP = """
import asyncio
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
class Frame(Screen):
    def compose(self):
        yield Header()
        for n in range(5):
            yield Static(f"line {{n}}")
        yield Footer()
class Shell(App):
    CSS_PATH = {css!r}
    ENABLE_COMMAND_PALETTE = False
    MODES = {{"first": Frame}}
    DEFAULT_MODE = "first"
    BINDINGS = [Binding(f"f{{n}}", "bell", f"键{{n}}") for n in range(1, 10)] + [
        Binding("ctrl+q", "quit", "退出")]
async def drawn(pilot):
    while not pilot.app.screen.query(Static):
        await asyncio.sleep(0.002)
    await pilot.pause()
    pilot.app.exit((time.perf_counter() - t0, peak_kb()))
r = Shell().run(headless=True, size=(120, 40), auto_pilot=drawn)
print(r[0], r[1])
"""

# the same steps as `eprc --db FILE` (eprc.py): open the file, start reading the dashboard,
# import and run the app
EPRC_APP = """
import asyncio
from pathlib import Path
from tui.start import open_app
app = open_app(Path({db!r}), backup=False)
async def drawn(pilot):
    while not getattr(pilot.app.screen, "loaded", False):
        await asyncio.sleep(0.002)
    await pilot.pause()
    pilot.app.exit((time.perf_counter() - t0, peak_kb()))
r = app.run(headless=True, size=(120, 40), auto_pilot=drawn)
print(r[0], r[1])
"""


def _start(body: str) -> tuple[float, float]:
    script = START_SCRIPT.format(root=str(ROOT), body=body)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout.split()
    return float(out[0]), float(out[1]) / 1024


SECTIONS_SCRIPT = """
import asyncio, json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from tui.start import open_app
app = open_app(Path({db!r}), backup=False)
opened = {{}}
async def visit(pilot):
    while not getattr(pilot.app.screen, "loaded", False):
        await asyncio.sleep(0.002)
    for key in ["f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"]:
        start = time.perf_counter()
        await pilot.press(key)
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        opened[pilot.app.screen.TITLE] = round(time.perf_counter() - start, 3)
    pilot.app.exit(opened)
print(json.dumps(app.run(headless=True, size=(120, 40), auto_pilot=visit), ensure_ascii=False))
"""


def bench_sections(db: Path) -> Row:
    """Each section opened for the first time (its module imported, its list read and drawn),
    F2 to F9 in turn, in a fresh process on the town file."""
    from db.database import close_file

    close_file()  # the search figures' write lock would keep the child out of the file
    script = SECTIONS_SCRIPT.format(root=str(ROOT), db=str(db))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    opened = json.loads(done.stdout)
    slowest = max(opened.values())
    row = figure(slowest, "s", None, "≤ 0.5 s each", slowest <= 0.5)
    row["sections"] = opened
    return row


def bench_start(db: Path, rounds: int = 9) -> dict[str, Row]:
    """Bare and eprc started in turn, ``rounds`` times: the median of each, and of the ratios
    of each round (a slow second on this shared machine slows both of a pair)."""
    if sys.platform == "win32":
        return {}
    # an installed eprc has its bytecode compiled (pip does it); this checkout may not
    compileall.compile_dir(ROOT, quiet=1, rx=re.compile(r"[\\/](\.|bench|tests)"))
    bare, ours, shell = [], [], []
    for _ in range(rounds):
        bare.append(_start(BARE_APP))
        ours.append(_start(EPRC_APP.format(db=str(db))))
        shell.append(_start(SHELL_APP.format(css=str(ROOT / "tui" / "app.tcss"))))
    bare_time = statistics.median(t for t, _m in bare)
    app_time = statistics.median(t for t, _m in ours)
    ratio = statistics.median(o[0] / b[0] for o, b in zip(ours, bare, strict=True))
    bare_mem = statistics.median(m for _t, m in bare)
    app_mem = statistics.median(m for _t, m in ours)
    row = figure(app_time, "s", bare_time, "≤ 1.5×", ratio <= 1.5)
    row["ratio"] = round(ratio, 2)
    row["rounds"] = rounds
    row["textual_frame_ratio"] = round(
        statistics.median(f[0] / b[0] for f, b in zip(shell, bare, strict=True)), 2)
    return {
        "start": row,
        "start_memory": figure(app_mem, "MB", bare_mem, "≤ +60 MB", app_mem - bare_mem <= 60),
    }


# --- search and list --------------------------------------------------------------------------

QUERIES = {
    "search_name": ["王", "李明", "新超", "张伟", "陈", "刘", "芳", "建国"],
    "search_pinyin": ["zs", "wxc", "zxm", "lj", "cgc", "hzh", "wj", "ly"],
    "search_id_tail": ["0071", "123X", "5678", "004518", "3412", "1990", "7605", "8888"],
    "search_phone": ["1381", "5555", "13912", "8888", "0000", "6789", "18612", "2345"],
}


def bench_search(db: Path) -> dict[str, Row]:
    """Each keystroke's work as the residents screen does it: the matching ids (up to 200),
    then the rows of the first screenful. The reference runs the same SQL through sqlite3.
    Each query runs three times; who goes first alternates, so cold pages cost both alike."""
    from db.database import open_database
    from db.residents import _ROW_SQL, _search_parts, find_residents, resident_rows
    from tui.screens.residents.residents import SEARCH_PAGE

    open_database(db)
    raw = sqlite3.connect(db)
    rows: dict[str, Row] = {}
    for kind, queries in QUERIES.items():
        ours, reference = [], []
        for n, query in enumerate(queries * 3):
            parts, scans = _search_parts(query)

            def eprc(query: str = query) -> None:
                resident_rows(find_residents(query, limit=200)[:SEARCH_PAGE])

            def direct(parts=parts, scans=scans) -> None:
                found: list[int] = []
                for sql, params in parts:
                    if len(found) >= 200:
                        break
                    found += [r[0] for r in raw.execute(f"{sql} LIMIT 200", params)]
                for sql, params in scans if not found else []:
                    if len(found) >= 200:
                        break
                    found += [r[0] for r in raw.execute(f"{sql} LIMIT 200", params)]
                if found:
                    page = found[:SEARCH_PAGE]
                    marks = ",".join("?" * len(page))
                    raw.execute(f"{_ROW_SQL} WHERE r.id IN ({marks})", page).fetchall()

            if n % 2:
                reference += timed(direct)
                ours += timed(eprc)
            else:
                ours += timed(eprc)
                reference += timed(direct)
        med, p95 = statistics.median(ours), statistics.quantiles(ours, n=20)[-1]
        ref = statistics.median(reference)
        rows[kind] = figure(med * 1000, "ms", ref * 1000, "≤ 2×, ≤ 50 ms",
                            med <= max(2 * ref, 0.002) and p95 <= 0.05)
        rows[kind]["p95"] = round(p95 * 1000, 2)
        rows[kind]["reference_p95"] = round(statistics.quantiles(reference, n=20)[-1] * 1000, 2)
    raw.close()
    return rows


def bench_list(db: Path) -> Row:
    from db.residents import count_residents, page_residents

    def open_and_jump() -> None:
        page_residents(limit=100)
        count_residents()
        page_residents(before=-1, limit=100)

    value = statistics.median(timed(open_and_jump, 5))
    return figure(value * 1000, "ms", None, "≤ 100 ms", value <= 0.1)


# --- import and export ------------------------------------------------------------------------

def make_sheet(path: Path, n: int) -> None:
    from openpyxl import Workbook
    from stdnum.cn.ric import calc_check_digit

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民")
    ws.append(["新村居民信息登记表"])
    ws.append(["填报单位：新村", None, None, "填报日期：2022年4月11日"])
    ws.append(["序号", "户号", "姓名", "性别", "身份证号码", "与户主关系", "联系电话", "社区（村）",
               "小区（村民组）", "楼栋", "单元", "门牌号", "备注"])
    for i in range(n):
        body = f"6501021985{i % 12 + 1:02d}{i // 12 % 28 + 1:02d}{i // 336 % 1000:03d}"
        idn = body + calc_check_digit(body + "0")
        ws.append([i + 1, f"BX{i // 3:06d}", "王新超" if i % 2 else "李梅", "男" if i % 2 else "女",
                   idn, "户主" if i % 3 == 0 else "子", f"138{i:08d}", "新村", f"第{i // 5000}组",
                   None, None, f"{i // 3}号", None])
    wb.save(path)


def bench_import_export(db: Path, tmp: Path, n: int = 100_000) -> dict[str, Row]:
    from openpyxl import load_workbook

    from db.database import close_database, open_database
    from exports.residents import export_register, import_residents_file

    sheet = tmp / "import.xlsx"
    make_sheet(sheet, n)

    def iterate() -> None:
        wb = load_workbook(sheet, read_only=True, data_only=True)
        for _row in wb.worksheets[0].iter_rows(values_only=True):
            pass
        wb.close()

    reference = min(timed(iterate, 2))
    work = tmp / "work.db"
    shutil.copyfile(db, work)
    close_database()
    open_database(work)
    summary = None

    def run_import() -> None:
        nonlocal summary
        summary = import_residents_file(sheet, create_areas=True)

    value = timed(run_import)[0]
    assert summary is not None and summary.added + summary.updated >= n - len(summary.rejected)
    rows = {"import": figure(value, "s", reference, "≤ 2×", value <= 2 * reference)}
    rows["import_floor"] = slow_pc.import_floor(sheet, db, tmp, value)
    open_database(work)
    try:
        import pandas
    except ImportError:
        rows["import_vs_pandas"] = {"value": round(value, 3), "unit": "s", "reference": None,
                                    "ratio": None, "target": "faster",
                                    "met": None, "note": "pandas not installed"}
    else:
        pandas_time = min(timed(lambda: pandas.read_excel(sheet, header=2, engine="openpyxl"), 1))
        rows["import_vs_pandas"] = figure(value, "s", pandas_time, "faster", value < pandas_time)
        rows["import_vs_pandas"]["engine"] = "openpyxl (pandas' default for .xlsx)"
        # pandas says its default will become calamine, the reader eprc now uses; for the
        # record, what pandas takes to merely read the sheet that way
        rows["import_vs_pandas"]["pandas_calamine"] = round(
            min(timed(lambda: pandas.read_excel(sheet, header=2, engine="calamine"), 1)), 3)

    # export the 100,000 residents just imported (they form the 新村 community)
    from db.models import Area
    out = tmp / "export.xlsx"
    village = Area.get((Area.name == "新村") & (Area.level == 1))
    count = [0]

    def run_export() -> None:
        count[0] = export_register(out, village)

    value = timed(run_export)[0]
    written = list(load_workbook(out, read_only=True).worksheets[0].iter_rows(
        min_row=4, max_row=3 + count[0], values_only=True))

    def openpyxl_only() -> None:
        """openpyxl write-only writing the same rows, one cached style per column (what eprc
        did before xlsxwriter)."""
        from copy import copy

        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Border, Font, Side

        from exports.residents import REGISTER_COLUMNS
        from exports.sheet import NUMBER_FORMATS

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("ref")
        thin = Side(style="thin")
        styles = []
        for column in REGISTER_COLUMNS:
            cell = WriteOnlyCell(ws)
            cell.font = Font(name="宋体", size=11)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(horizontal="left" if column.kind == "text" else "center",
                                       vertical="center", wrap_text=True)
            cell.number_format = NUMBER_FORMATS.get(column.kind, "General")
            styles.append(cell._style)
        for values in written:
            cells = []
            for value, style in zip(values, styles, strict=True):
                cell = WriteOnlyCell(ws, value=value)
                cell._style = copy(style)
                cells.append(cell)
            ws.append(cells)
        wb.save(tmp / "ref.xlsx")

    ref = timed(openpyxl_only)[0]
    rows["export"] = figure(value, "s", ref, "≤ 1.3×", value <= 1.3 * ref)
    rows["export"]["rows"] = count[0]
    from exports.residents import REGISTER_COLUMNS

    rows["export_xlsxwriter"] = slow_pc.export_xlsxwriter(written, REGISTER_COLUMNS,
                                                          tmp / "xlsxwriter.xlsx", value)
    close_database()
    return rows


def bench_daily(db: Path) -> Row:
    from db.database import open_database
    from db.report import daily_numbers

    open_database(db)
    value = statistics.median(timed(lambda: daily_numbers(clock.today()), 3))
    return figure(value, "s", None, "≤ 1 s", value <= 1.0)


def bench_key_lists(db: Path) -> Row:

    from db.database import open_database
    from db.keypersons import temperature_sheet, under_control

    open_database(db)
    today = clock.today()
    value = statistics.median(timed(lambda: (under_control(today),
                                             temperature_sheet(today, "上午")), 3))
    return figure(value * 1000, "ms", None, "opens at once", value <= 0.2)


def bench_roster(db: Path, tmp: Path) -> Row:
    import datetime as dt

    from db.database import close_database, open_database
    from db.roster import plan, spread

    work = tmp / "roster.db"
    close_database()
    shutil.copyfile(db, work)
    open_database(work)
    start = clock.today() + dt.timedelta(days=40)
    end = start + dt.timedelta(days=6)
    result = None

    def run() -> None:
        nonlocal result
        result = plan(start, end)

    value = timed(run)[0]
    spreads = spread(start, end)
    worst = max(high - low for low, high in spreads.values())
    row = figure(value, "s", None, "≤ 3 s", value <= 3.0)
    row["shifts"] = result.shifts
    row["filled"] = result.added
    row["gaps"] = len(result.gaps)
    row["spread_max_minus_min"] = worst
    close_database()
    return row


def machine() -> str:
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}")


PINNED_CORE = 1


def pin() -> str:
    """Run this process and its children on one core: re-run under ``taskset -c 1`` where it
    exists, else set the affinity directly. Says how (or why not)."""
    if os.environ.get("EPRC_BENCH_PINNED"):
        return os.environ["EPRC_BENCH_PINNED"]
    taskset = shutil.which("taskset")
    if taskset and (os.cpu_count() or 1) > PINNED_CORE:
        os.environ["EPRC_BENCH_PINNED"] = f"taskset -c {PINNED_CORE}"
        os.execv(taskset, [taskset, "-c", str(PINNED_CORE), sys.executable, *sys.argv])
    if hasattr(os, "sched_setaffinity"):
        core = min(PINNED_CORE, (os.cpu_count() or 1) - 1)
        os.sched_setaffinity(0, {core})
        return f"sched_setaffinity core {core}"
    return "not pinned (no taskset or affinity call on this OS)"


def main() -> None:
    as_json = "--json" in sys.argv
    pinned = pin() if "--pinned" in sys.argv else "not pinned"
    db, built = town_file("--rebuild" in sys.argv)
    results: dict[str, Row] = {}

    def take(name: str, measure: Callable[[], object]) -> None:
        """One figure (or several); a figure that fails is reported as such, the rest go on."""
        try:
            got = measure()
        except Exception as exc:  # a bench reports what broke and goes on
            results[name] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
            return
        results.update({name: got} if "value" in got else got)  # one figure, or several

    take("start", lambda: bench_start(db))
    if "--start" in sys.argv:
        report(results, pinned, built, as_json)
        return
    take("search", lambda: bench_search(db))
    take("list_open", lambda: bench_list(db))
    take("section_open", lambda: bench_sections(db))
    take("daily_report", lambda: bench_daily(db))
    take("key_person_lists", lambda: bench_key_lists(db))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        take("temperature_entry", lambda: slow_pc.bench_temperature(db, work))
        take("memory_rounds", lambda: slow_pc.bench_memory_rounds(db))
        take("form_open", lambda: slow_pc.bench_form_open(db))
        take("progress_latency", lambda: slow_pc.bench_progress(db, work))
        take("first_start_of_day",
             lambda: slow_pc.bench_cold_start(db, work, _start, BARE_APP, EPRC_APP))
        if "--quick" not in sys.argv:
            take("roster_plan", lambda: bench_roster(db, work))
            take("import", lambda: bench_import_export(db, work))
    report(results, pinned, built, as_json)


def report(results: dict[str, Row], pinned: str, built: float | None, as_json: bool) -> None:
    """The figures as JSON, or as a table beside their references."""
    results["pinned"] = {"value": pinned}
    if as_json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"machine: {machine()}; {pinned}")
    if built is not None:
        print(f"town demo file built in {built:.1f} s")
    print(f"{'figure':<18}{'value':>12}{'reference':>12}{'ratio':>8}  target           met")
    for key, row in results.items():
        if "unit" not in row:
            print(f"{key:<18}{row}")
            continue
        extra = f" (p95 {row['p95']} ms, reference p95 {row['reference_p95']} ms)" if "p95" in row else ""
        if "textual_frame_ratio" in row:
            extra = f" (Textual frame alone: {row['textual_frame_ratio']}×)"
        if "sections" in row:
            extra = " (slowest; " + ", ".join(f"{k} {v}" for k, v in row["sections"].items()) + ")"
        if "pandas_calamine" in row:
            extra = f" (pandas with engine=calamine: {row['pandas_calamine']} s)"
        if "spread_max_minus_min" in row:
            extra = (f" ({row['shifts']} shifts, {row['filled']} seats filled, {row['gaps']} gaps,"
                     f" spread {row['spread_max_minus_min']})")
        ref = "—" if row["reference"] is None else f"{row['reference']}"
        ratio = "—" if row["ratio"] is None else f"{row['ratio']}"
        print(f"{key:<18}{row['value']:>10} {row['unit']:<3}{ref:>10}{ratio:>8}  "
              f"{row['target']:<16} {row['met']}{extra}")


if __name__ == "__main__":
    main()
