"""Runs one long operation on a database so a test can kill it midway (SIGKILL).

    python tests/crash_worker.py DB OPERATION ARG...

It writes "started" to standard output just before the operation begins. The ``-paused``
operations stop at a deterministic fault point and wait there to be killed, so the kill lands
in the middle of the work for certain rather than by timing: ``import-paused`` inside the write
transaction ("writing"), ``plan-paused`` inside the planner's transaction once the shifts are
made ("planning"), ``export-paused`` when half of the file's bytes are written ("half").
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from db.database import open_database  # noqa: E402


def main() -> None:
    db, operation, *args = sys.argv[1:]
    open_database(Path(db))
    print("started", flush=True)
    if operation == "import":
        from exports.residents import import_residents_file

        import_residents_file(Path(args[0]), create_areas=True)
    elif operation == "import-paused":
        from exports.residents import import_residents_file

        def pause_when_writing(stage: str, _fraction: float) -> None:
            if stage == "写入":
                print("writing", flush=True)
                time.sleep(60)

        import_residents_file(Path(args[0]), progress=pause_when_writing, create_areas=True)
    elif operation == "export":
        from exports.residents import export_register

        export_register(Path(args[0]))
    elif operation == "plan-paused":
        from db import roster

        make_shifts = roster.create_shifts

        def pause_after_shifts(*shift_args: object) -> None:
            make_shifts(*shift_args)
            print("planning", flush=True)
            time.sleep(60)

        roster.create_shifts = pause_after_shifts
        start = dt.date.fromisoformat(args[0])
        roster.plan(start, start + dt.timedelta(days=int(args[1])))
    elif operation == "export-paused":
        import io

        from exports.book import Book
        from exports.residents import export_register

        real_save = Book.save

        def save_half(self: Book, target: object) -> None:
            whole = io.BytesIO()
            real_save(self, whole)
            data = whole.getvalue()
            target.write(data[: len(data) // 2])  # type: ignore[attr-defined]
            target.flush()  # type: ignore[attr-defined]
            print("half", flush=True)
            time.sleep(60)

        Book.save = save_half  # type: ignore[method-assign]
        export_register(Path(args[0]))
    elif operation == "plan":
        from db.roster import plan

        start = dt.date.fromisoformat(args[0])
        plan(start, start + dt.timedelta(days=int(args[1])))
    elif operation == "save":
        from db.residents import ResidentInput, register_resident

        for n in range(int(args[0])):
            register_resident(ResidentInput(f"新人{n}", args[1 + n]), address=f"{n}号")
    print("finished", flush=True)


if __name__ == "__main__":
    main()
