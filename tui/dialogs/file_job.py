"""A dialog that runs one import or export on a file in a worker, with a progress bar, and ends
on its summary. Each section passes the job; the dialog knows nothing of what the job does.

A job may end on a preview instead: what it would do that the clerk must see first (姓名 that
would change, areas that would be created, a list already imported). Its result then carries
the step that does it, run on Enter (确认导入); Esc leaves without doing it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from db.logfile import clerk_line
from exports.output import OutputExists
from tui.markup import escape
from tui.widgets.toggle import ToggleBox

Progress = Callable[[str, float], None]
TICK = 0.25  # seconds between redraws of the running line: it moves at least twice a second


@dataclass
class JobResult:
    """What a finished job says: one summary line and the details below it."""

    summary: str
    details: list[str] = field(default_factory=list)
    changed: bool = False
    confirm: Callable[[Progress], JobResult] | None = None  # a preview: what Enter then does
    confirm_label: str = "确认导入"


Job = Callable[[Path, bool, Progress], JobResult]


class FileJobDialog(ModalScreen[bool]):
    """Returns True when the job changed the database."""

    BINDINGS = [Binding("escape", "close", "关闭")]

    def __init__(self, title: str, job: Job, path: str = "", dry_run_label: str | None = None,
                 placeholder: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.job = job
        self.path = path
        self.dry_run_label = dry_run_label
        self.placeholder = placeholder
        self.changed = False
        self.running = False
        self.pending: tuple[str, Callable[[Progress], JobResult]] | None = None
        self.started = 0.0
        self.stage = ""
        self.ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"[b]{escape(self.title_text)}[/b]")
            yield Label("文件（可直接粘贴完整路径）：")
            yield Input(self.path, placeholder=self.placeholder, id="job-path")
            if self.dry_run_label:
                yield ToggleBox(self.dry_run_label, id="job-dry-run")
            yield ProgressBar(total=1.0, show_eta=False, id="job-progress")
            yield Static("", id="job-stage")
            with VerticalScroll(id="job-result"):
                yield Static("", id="job-summary")
            yield Label("Enter 开始　Esc 关闭", id="job-keys", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#job-path", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.running:
            return
        text = event.value.strip().strip('"')
        if not text:
            self.query_one("#job-summary", Static).update("[red]请填写文件路径[/red]")
            return
        pending, self.pending = self.pending, None
        self.running = True
        self.query_one("#job-summary", Static).update("")
        if pending is not None and pending[0] == text:
            self.run_step(pending[1])
            return
        path = Path(text).expanduser()
        dry_run = bool(self.dry_run_label) and self.query_one("#job-dry-run", ToggleBox).value
        self.run_step(lambda progress: self.job(path, dry_run, progress), text)

    def run_step(self, step: Callable[[Progress], JobResult], text: str = "") -> None:
        """Start a step: the dialog says so at once and the line keeps moving (time spent) until
        the step ends, however long the job goes without reporting."""
        self.started = time.monotonic()
        self.stage = "开始"
        self._show_stage()
        if self.ticker is None:
            self.ticker = self.set_interval(TICK, self._show_stage)
        else:
            self.ticker.resume()
        self._run_step(step, text)

    @work(thread=True, exclusive=True, group="file-job", exit_on_error=False)
    def _run_step(self, step: Callable[[Progress], JobResult], text: str = "",
                  ) -> tuple[str, JobResult | OutputExists]:
        def progress(stage: str, fraction: float) -> None:
            self.app.call_from_thread(self._progress, stage, fraction)

        try:
            return text, step(progress)
        except OutputExists as exc:  # a question for the clerk, not a failure
            return text, exc

    def _show_stage(self) -> None:
        elapsed = time.monotonic() - self.started
        self.query_one("#job-stage", Static).update(
            escape(f"{self.stage}…　已用 {elapsed:.1f} 秒"))

    def _progress(self, stage: str, fraction: float) -> None:
        self.query_one("#job-progress", ProgressBar).update(progress=fraction)
        self.stage = stage
        self._show_stage()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "file-job" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR):
            return
        if self.ticker is not None:
            self.ticker.pause()
        self.running = False
        summary = self.query_one("#job-summary", Static)
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            event.stop()
            message = clerk_line(error, self.title_text)
            self.query_one("#job-stage", Static).update("")
            summary.update(f"[red]{escape(message)}[/red]")
            return
        text, result = event.worker.result
        if isinstance(result, OutputExists):
            self.query_one("#job-stage", Static).update("")
            self._ask_to_replace(result.path)
            return
        self.changed = self.changed or result.changed
        self.query_one("#job-progress", ProgressBar).update(progress=1.0)
        lines = [f"[b]{escape(result.summary)}[/b]", *(escape(d) for d in result.details)]
        if result.confirm is not None:
            self.pending = (text or self.query_one("#job-path", Input).value.strip().strip('"'),
                            result.confirm)
            self.query_one("#job-stage", Static).update(
                f"[b]Enter {escape(result.confirm_label)}[/b]　Esc 取消（不导入）")
            lines.insert(0, f"[yellow]请核对后按 Enter {escape(result.confirm_label)}[/yellow]")
        else:
            self.query_one("#job-stage", Static).update("完成")
        summary.update("\n".join(lines))

    def _ask_to_replace(self, path: Path) -> None:
        """The target is a file eprc did not write for this report: replace it only if the
        clerk says so."""
        from exports.output import allow_replace
        from tui.dialogs.confirm import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                allow_replace(path)
                self.running = True
                self.run_step(lambda progress: self.job(path, False, progress), str(path))
            else:
                self.query_one("#job-stage", Static).update("")
                self.query_one("#job-summary", Static).update("[red]未导出：请换一个文件名[/red]")

        self.app.push_screen(ConfirmDialog(
            f"“{path.name}”已存在，且不是 eprc 为这份报表导出的文件。\n替换它吗？", "替换"),
            answered)

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(self.changed)
