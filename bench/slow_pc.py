"""The slow-PC figures of bench/run.py: what a clerk feels on one core, each beside a reference
measured in the same run (temperature Enter → next, memory over section rounds, cold first start,
form open, progress of a long job, import and export against the libraries' floor).

Every TUI figure runs in a fresh process on a copy of the town file (or the file itself where
nothing is written) and reports JSON on its last line.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
Row = dict[str, object]

# Records when a frame was written and what the temperature table's cursor was then, so that
# "Enter → next" ends when the next person is on screen, not when the handler returns.
DRAWN = """
import asyncio, json, os, statistics, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from textual import events
from tui.start import open_app
app = open_app(Path({db!r}), backup=False)
state = {{"table": None, "drawn": []}}
_display = app._display
def display(screen, renderable):
    _display(screen, renderable)
    if renderable is not None:
        row = state["table"].cursor_row if state["table"] is not None else None
        state["drawn"].append((time.perf_counter(), row))
app._display = display
async def loaded(pilot):
    while not getattr(pilot.app.screen, "loaded", False):
        await asyncio.sleep(0.002)
    await pilot.pause()
def rss_mb():
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(l.split()[1]) / 1024 for l in fh if l.startswith("VmRSS:"))
"""

TEMPERATURE = DRAWN + """
async def until_moved(pilot, key, char):
    table = state["table"]
    row = table.cursor_row
    state["drawn"].clear()
    start = time.perf_counter()
    pilot.app.post_message(events.Key(key, char))
    while not any(r != row for _t, r in state["drawn"]):
        await asyncio.sleep(0.0005)
    return next(t for t, r in state["drawn"] if r != row) - start
async def run(pilot):
    await loaded(pilot)
    from tui.screens.keypersons.temperatures import TemperatureScreen
    pilot.app.push_screen(TemperatureScreen())
    await pilot.pause()
    state["table"] = pilot.app.screen.query_one("#temp-table")
    enter, move = [], []
    for n in range({count}):
        await pilot.press(*f"36.{{n % 9}}")
        await pilot.pause(0.05)
        enter.append(await until_moved(pilot, "enter", "\\r"))
        await pilot.pause(0.05)
        move.append(await until_moved(pilot, "down", None))
        await pilot.press("up")
        await pilot.pause(0.05)
    pilot.app.exit({{"enter": enter, "move": move, "rows": len(pilot.app.screen.rows)}})
print(json.dumps(app.run(headless=True, size=(100, 30), auto_pilot=run)))
"""

ROUNDS = DRAWN + """
from textual.widgets._footer import FooterKey
import gc
KEYS = ["f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f1"]
async def run(pilot):
    await loaded(pilot)
    marks = {{}}
    for n in range(1, {rounds} + 1):
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause()
            await pilot.app.workers.wait_for_complete()
        if n in (1, {rounds}):
            gc.collect()
            keys = sum(1 for o in gc.get_objects() if isinstance(o, FooterKey))
            marks[n] = {{"rss": rss_mb(), "footer_keys": keys}}
    pilot.app.exit(marks)
print(json.dumps(app.run(headless=True, size=(100, 30), auto_pilot=run)))
"""

FORM = DRAWN + """
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label
class Bare(ModalScreen):
    def compose(self):
        with VerticalScroll():
            for n in range(14):
                yield Label(f"字段{{n}}")
                yield Input(id=f"f{{n}}")
async def shown(pilot, kind):
    while not isinstance(pilot.app.screen, kind) or not pilot.app.screen.query(Input):
        await asyncio.sleep(0.001)
    await pilot.pause()
async def run(pilot):
    await loaded(pilot)
    await pilot.press("f2")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    ours, bare = [], []
    for _ in range(5):
        start = time.perf_counter()
        await pilot.press("n")
        await shown(pilot, ModalScreen)
        ours.append(time.perf_counter() - start)
        pilot.app.pop_screen()
        await pilot.pause()
        start = time.perf_counter()
        pilot.app.push_screen(Bare())
        await shown(pilot, Bare)
        bare.append(time.perf_counter() - start)
        pilot.app.pop_screen()
        await pilot.pause()
    pilot.app.exit({{"form": ours, "bare": bare}})
print(json.dumps(app.run(headless=True, size=(100, 30), auto_pilot=run)))
"""

PROGRESS = DRAWN + """
from textual.widgets import Static
async def run(pilot):
    await loaded(pilot)
    await pilot.press("f2")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.press("x")
    await pilot.pause()
    pilot.app.screen.query_one("#job-path").value = {out!r}
    stage = pilot.app.screen.query_one("#job-stage", Static)
    changes = []
    last = str(stage.render())
    start = time.perf_counter()
    pilot.app.post_message(events.Key("enter", "\\r"))
    while time.perf_counter() - start < {watch}:
        text = str(stage.render())
        if text != last:
            changes.append(time.perf_counter() - start)
            last = text
        await asyncio.sleep(0.005)
    print(json.dumps({{"changes": changes}}), flush=True)
    os._exit(0)  # the export goes on in its thread; the figure is taken
app.run(headless=True, size=(100, 30), auto_pilot=run)
"""


def _child(script: str, timeout: float = 900) -> dict:
    from db.database import close_file

    close_file()  # the parent's write lock would keep the child out of the file
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def figure(value: float, unit: str, reference: float | None, target: str, met: bool | None) -> Row:
    ratio = round(value / reference, 2) if reference else None
    return {"value": round(value, 3), "unit": unit,
            "reference": None if reference is None else round(reference, 3),
            "ratio": ratio, "target": target, "met": met}


def bench_temperature(db: Path, tmp: Path, count: int = 30) -> Row:
    """体温录入 on the town file: Enter (save the reading) → the next person drawn, beside the
    cursor moving down one row with nothing saved (Textual redrawing the same table)."""
    work = tmp / "temperature.db"
    shutil.copyfile(db, work)
    out = _child(TEMPERATURE.format(root=str(ROOT), db=str(work), count=count))
    enter, move = statistics.median(out["enter"]), statistics.median(out["move"])
    row = figure(enter * 1000, "ms", move * 1000, "≤ 50 ms", enter <= 0.05)
    row["max"] = round(max(out["enter"]) * 1000, 1)
    row["p90"] = round(statistics.quantiles(out["enter"], n=10)[-1] * 1000, 1)
    row["persons"] = out["rows"]
    row["reference_is"] = "cursor down one row, nothing saved"
    work.unlink()
    return row


def bench_memory_rounds(db: Path, rounds: int = 20) -> Row:
    """Memory (VmRSS) after one and after ``rounds`` rounds of every section (F2…F9, F1)."""
    out = _child(ROUNDS.format(root=str(ROOT), db=str(db), rounds=rounds))
    first, last = out["1"], out[str(rounds)]
    row = figure(last["rss"], "MB", first["rss"], "≤ +10 MB", last["rss"] - first["rss"] <= 10)
    row["rounds"] = rounds
    row["footer_keys"] = [first["footer_keys"], last["footer_keys"]]
    return row


def bench_form_open(db: Path) -> Row:
    """The resident form (n on 居民) opened and drawn, beside a bare Textual modal with the same
    number of inputs pushed in the same app."""
    out = _child(FORM.format(root=str(ROOT), db=str(db)))
    ours, bare = statistics.median(out["form"]), statistics.median(out["bare"])
    return figure(ours * 1000, "ms", bare * 1000, "≤ 2× bare modal", ours <= 2 * bare)


def bench_progress(db: Path, tmp: Path, watch: float = 3.0) -> Row:
    """Exporting the whole town's register from 居民 (x, Enter): when the dialog first shows it
    started, and the longest it then goes without moving."""
    work = tmp / "progress.db"
    shutil.copyfile(db, work)
    out = _child(PROGRESS.format(root=str(ROOT), db=str(work), out=str(tmp / "progress.xlsx"),
                                 watch=watch))
    changes = out["changes"] or [watch]
    gaps = [b - a for a, b in zip(changes, changes[1:], strict=False)] or [watch]
    row = figure(changes[0], "s", None, "≤ 0.2 s, moves every ≤ 0.5 s",
                 changes[0] <= 0.2 and max(gaps) <= 0.5)
    row["longest_still"] = round(max(gaps), 3)
    row["updates"] = len(changes)
    work.unlink()
    return row


def _evict(paths: list[Path]) -> int:
    """Drop these files from the OS page cache where the OS allows it (POSIX_FADV_DONTNEED on
    each file; no root needed). Returns how many files were evicted."""
    if not hasattr(os, "posix_fadvise"):
        return 0
    count = 0
    for base in paths:
        files = [base] if base.is_file() else [p for p in base.rglob("*") if p.is_file()]
        for file in files:
            try:
                fd = os.open(file, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd) if os.access(file, os.W_OK) else None
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                count += 1
            except OSError:
                pass
            finally:
                os.close(fd)
    return count


def bench_cold_start(db: Path, tmp: Path, start: Callable[[str], tuple[float, float]],
                     bare_app: str, eprc_app: str) -> Row:
    """The first start of the day: the file and the libraries out of the OS cache (where the OS
    allows dropping them) and the daily backup due, beside the bare app started just as cold."""
    import rich
    import textual

    work = tmp / "cold" / "town.db"
    work.parent.mkdir(exist_ok=True)
    shutil.copyfile(db, work)
    libraries = [Path(textual.__file__).parent, Path(rich.__file__).parent]
    ours, bare, evicted = [], [], 0
    for n in range(3):
        evicted = _evict(libraries)
        bare.append(start(bare_app)[0])
        evicted += _evict([*libraries, work, ROOT / "db", ROOT / "tui", ROOT / "exports"])
        for old in work.parent.glob("*backup*"):
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
        os.environ["EPRC_BENCH_COLD"] = str(n)
        ours.append(start(eprc_app.replace("backup=False", "backup=True").format(db=str(work)))[0])
    value, reference = statistics.median(ours), statistics.median(bare)
    row = figure(value, "s", reference, "(figure)", None)
    row["files_evicted"] = evicted
    return row


def import_floor(sheet: Path, db: Path, tmp: Path, imported: float) -> Row:
    """The floor under an import: python-calamine reading the sheet plus SQLite inserting the
    same rows (eprc's columns, B-tree indexes and search index, one transaction, bulk path)."""
    import python_calamine

    from db.database import close_file, database, open_database
    from db.pinyin import name_keys
    from db.search_index import bulk_insert

    start = time.perf_counter()
    rows = python_calamine.CalamineWorkbook.from_path(str(sheet)).get_sheet_by_index(0).to_python()
    read = time.perf_counter() - start
    work = tmp / "floor.db"
    close_file()
    shutil.copyfile(db, work)
    open_database(work)
    first_id = (database.execute_sql("SELECT max(id) FROM resident").fetchone()[0] or 0) + 1
    values = []
    for n, r in enumerate(rows[3:]):
        name, idn = str(r[2]), str(r[4])
        key, alt = name_keys(name)
        values.append((first_id + n, None, name, name[::-1], key, alt, idn, idn[::-1], str(r[3]),
                       f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}", str(r[6]), str(r[5]), "常住",
                       "在册", "", "2022-04-11 00:00:00"))
    columns = ("id, household_id, name, name_rev, name_key, name_key_alt, id_number, id_tail, sex, "
               "birth_date, phone, relation, kind, status, notes, updated_at")
    start = time.perf_counter()
    with database.atomic(), bulk_insert(database):
        database.cursor().executemany(
            f"INSERT INTO resident ({columns}) VALUES ({','.join('?' * 16)})", values)
    insert = time.perf_counter() - start
    close_file()
    work.unlink()
    floor = read + insert
    row = figure(imported, "s", floor, "≤ 3×", imported <= 3 * floor)
    row["calamine_read"] = round(read, 3)
    row["sqlite_insert"] = round(insert, 3)
    return row


def export_xlsxwriter(written: list[tuple], columns: list, out: Path, exported: float) -> Row:
    """xlsxwriter (constant_memory) writing the same styled cells as eprc's export: title row,
    header, one format per column kind, widths, print titles, fit to width."""
    try:
        import xlsxwriter
    except ImportError:
        row = figure(exported, "s", None, "≤ 1×", None)
        row["note"] = "xlsxwriter not installed"
        return row
    start = time.perf_counter()
    wb = xlsxwriter.Workbook(str(out), {"constant_memory": True})
    ws = wb.add_worksheet("居民")
    title = wb.add_format({"bold": True, "font_size": 16, "align": "center"})
    header = wb.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True})
    text = wb.add_format({"border": 1, "num_format": "@"})
    number = wb.add_format({"border": 1})
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(2)
    for n, column in enumerate(columns):
        ws.set_column(n, n, getattr(column, "width", 12))
    ws.merge_range(0, 0, 0, len(columns) - 1, "居民信息登记表", title)
    for n, column in enumerate(columns):
        ws.write_string(2, n, str(getattr(column, "title", column)), header)
    for y, values in enumerate(written, start=3):
        for x, value in enumerate(values):
            if value is None:
                ws.write_blank(y, x, None, text)
            elif isinstance(value, (int, float)):
                ws.write_number(y, x, value, number)
            else:
                ws.write_string(y, x, str(value), text)
    wb.close()
    reference = time.perf_counter() - start
    return figure(exported, "s", reference, "≤ 1×", exported <= reference)
