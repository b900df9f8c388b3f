"""A one-line question (the household to move to, the area of a new resident, the U disk's
folder): Enter answers with every key typed before it, Esc cancels."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.keys import after_typed


class AskText(ModalScreen[str | None]):
    """A one-line question; Enter answers, Esc cancels. Enter is a priority key, answered
    once the field has every key typed before it; keys typed after it wait for the answer,
    and when ``then`` opens a form with the answer they land in that form's first field."""

    BINDINGS = [Binding("escape", "cancel", "取消"),
                Binding("enter", "answer", show=False, priority=True)]

    def __init__(self, question: str, value: str = "",
                 then: Callable[[str], Awaitable[None]] | None = None) -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.then = then

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, markup=False)
            yield Input(self.value, id="answer")
            yield Label("Enter 确定　Esc 取消", classes="hint")

    def action_answer(self) -> None:
        field = self.query_one("#answer", Input)
        if self.focused is not field:
            raise SkipAction
        after_typed(field, self._answer)

    def _answer(self) -> Awaitable[None] | None:
        value = self.query_one("#answer", Input).value
        self.dismiss(value)
        return self.then(value) if self.then is not None else None

    def action_cancel(self) -> None:
        self.dismiss(None)
