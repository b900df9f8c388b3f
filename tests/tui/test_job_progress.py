"""A long job shows that it started at once and keeps moving while it runs, even when the job
itself reports nothing for a long time (an export once showed nothing for its first second)."""

from __future__ import annotations

import threading
from pathlib import Path

from textual.app import App
from textual.widgets import Static

from tests.tui.conftest import SIZE, settle
from tui.dialogs.file_job import FileJobDialog, JobResult, Progress


def stage_text(app: App) -> str:
    return str(app.screen.query_one("#job-stage", Static).render())


async def test_the_running_line_appears_at_once_and_moves_until_the_end(tmp_path: Path) -> None:
    release = threading.Event()

    def job(path: Path, _dry: bool, _progress: Progress) -> JobResult:
        release.wait(10)  # a job silent until it ends
        return JobResult(f"已导出 {path.name}")

    app = App()
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(FileJobDialog("导出", job, path=str(tmp_path / "a.xlsx")))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        first = stage_text(app)
        assert first.startswith("开始…")
        await pilot.pause(0.6)
        moved = stage_text(app)
        assert moved.startswith("开始…") and moved != first
        release.set()
        await settle(pilot)
        assert stage_text(app) == "完成"
        ended = stage_text(app)
        await pilot.pause(0.6)
        assert stage_text(app) == ended
