"""Build (once, then reuse) the 400,000-resident `town` demo file and print its figures.

    python bench/build_town.py [--rebuild]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.database import close_database  # noqa: E402
from db.demo import build_demo  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
TOWN = CACHE / "town.db"


def town_file(rebuild: bool = False) -> tuple[Path, float | None]:
    """The cached town file, and the seconds it took to build (None when reused)."""
    if rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(str(TOWN) + suffix).unlink(missing_ok=True)
    if TOWN.exists():
        return TOWN, None
    CACHE.mkdir(exist_ok=True)
    start = time.perf_counter()
    build_demo(TOWN, "town", seed=2022)
    close_database()
    return TOWN, time.perf_counter() - start


def main() -> None:
    path, took = town_file("--rebuild" in sys.argv)
    built = f"built in {took:.1f} s" if took is not None else "reused (--rebuild to build anew)"
    print(f"town demo file: {path}")
    print(f"  {built}")
    print(f"  size: {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
