"""What 已保存 = on disk costs: a temperature Enter and a resident form save, timed with
SQLite's synchronous=FULL (what eprc uses) beside NORMAL (what it used before), on copies of
the same demo township. Prints figures; it is not a test.

    python bench/sync_cost.py [--rounds 200]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stdnum.cn.ric import calc_check_digit  # noqa: E402

from db import clock
from db import database as door  # noqa: E402
from db.demo import build_demo  # noqa: E402


def _ids(n: int) -> list[str]:
    bodies = [f"3401041990{i % 12 + 1:02d}{i % 28 + 1:02d}{i % 1000:03d}" for i in range(n)]
    return [b + calc_check_digit(b + "0") for b in bodies]


def measure(path: Path, synchronous: str, rounds: int) -> tuple[list[float], list[float]]:
    from db.keypersons import record_temperature
    from db.models import Measure
    from db.residents import ResidentInput, register_resident

    door.PRAGMAS["synchronous"] = synchronous
    door.open_database(path)
    today = clock.today()
    measures = [m.id for m in Measure.select().where(Measure.released_on.is_null()).limit(rounds)]
    enter, save = [], []
    for n in range(rounds):  # each Enter writes (or corrects) one reading, as the clerk does
        start = time.perf_counter()
        record_temperature(measures[n % len(measures)], today, ("上午", "下午")[n % 2],
                           f"36.{n % 10}")
        enter.append(time.perf_counter() - start)
    for n, number in enumerate(_ids(rounds)):
        start = time.perf_counter()
        register_resident(ResidentInput(f"测试{n}", number), address=f"{n}号")
        save.append(time.perf_counter() - start)
    door.close_file()
    return enter, save


def _line(label: str, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return (f"{label:<22} median {statistics.median(ms):6.2f} ms   "
            f"p95 {ms[int(len(ms) * 0.95) - 1]:6.2f} ms   n={len(ms)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as folder:
        master = Path(folder) / "master.db"
        build_demo(master, "small", seed=7)
        door.close_file()
        for synchronous in ("normal", "full"):
            copy = Path(folder) / f"{synchronous}.db"
            shutil.copyfile(master, copy)
            enter, save = measure(copy, synchronous, rounds)
            print(_line(f"体温录入 {synchronous}", enter))
            print(_line(f"居民表单保存 {synchronous}", save))
    door.PRAGMAS["synchronous"] = "full"


if __name__ == "__main__":
    main()
