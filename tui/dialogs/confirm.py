"""Small questions: yes/no (Enter or y confirms, Esc or n cancels), and 保存/放弃/继续编辑 when a
changed form is left."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "确定"),
        Binding("n,escape", "answer(False)", "取消"),
    ]

    def __init__(self, question: str, confirm: str = "确定") -> None:
        super().__init__()
        self.question = question
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="question", markup=False)
            with Horizontal(id="buttons"):
                yield Button(Content(f"{self.confirm}(Y)"), variant="error", id="yes")
                yield Button("取消(N)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class LeaveDialog(ModalScreen[str]):
    """Asked when the clerk leaves a form with changes: ``save``, ``discard`` or ``continue``
    (Esc, and the button focused first: the safe answer is to keep editing)."""

    BINDINGS = [
        Binding("s", "answer('save')", "保存"),
        Binding("d", "answer('discard')", "放弃"),
        Binding("escape", "answer('continue')", "继续编辑"),
    ]

    def __init__(self, question: str = "有未保存的修改，要保存吗？") -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="leave"):
            yield Label(self.question, id="question", markup=False)
            with Horizontal(id="buttons"):
                yield Button("保存(S)", variant="primary", id="save", compact=True)
                yield Button("放弃修改(D)", variant="error", id="discard", compact=True)
                yield Button("继续编辑(Esc)", id="continue", compact=True)

    def on_mount(self) -> None:
        self.query_one("#continue", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(str(event.button.id))

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)
