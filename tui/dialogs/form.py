"""A generic form dialog: labelled inputs and choices, Ctrl+S submits to a function of the domain,
and its Chinese error is shown in place (nothing is saved when it refuses)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from db.errors import explain_sqlite
from db.validate import Invalid
from tui.markup import escape


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    value: str = ""
    options: Sequence[str] | None = None  # a choice instead of free text
    placeholder: str = ""
    lines: int = 1  # more than one: a text box that keeps line breaks (Enter starts a new line)


def why_not_saved(exc: Exception) -> str:
    """The clerk's line for a save that failed: a bad value, or a write the disk refused
    (full, read-only); anything else is a bug and is raised again."""
    if isinstance(exc, Invalid):
        return str(exc)
    explained = explain_sqlite(exc)
    if explained is None:
        raise exc
    return f"未保存：{explained}"


class FormDialog(ModalScreen[Any]):
    """Dismisses with whatever ``submit`` returned, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存"),
        Binding("escape", "cancel", "取消"),
    ]

    def __init__(self, title: str, fields: Sequence[Field],
                 submit: Callable[[dict[str, str]], Any], note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields
        self.submit = submit
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form"):
            yield Label(f"[b]{escape(self.title_text)}[/b]")
            if self.note:
                yield Static(self.note, classes="hint", markup=False)
            with VerticalScroll(classes="form-fields"):
                for field in self.fields:
                    with Horizontal(classes="field"):
                        yield Label(field.label, classes="field-label", markup=False)
                        if field.lines > 1:
                            area = TextArea(field.value, id=f"form-{field.key}",
                                            classes="field-text", show_line_numbers=False)
                            area.styles.height = field.lines + 2
                            yield area
                        elif field.options is not None:
                            yield Select([(Content(o), o) for o in field.options], value=field.value
                                         or field.options[0], allow_blank=False,
                                         id=f"form-{field.key}")
                        else:
                            yield Input(field.value, placeholder=field.placeholder,
                                        id=f"form-{field.key}")
            yield Static("", id="form-error", classes="error", markup=False)
            yield Label("Ctrl+S 保存　Esc 取消　Enter 下一项", classes="hint")

    def on_mount(self) -> None:
        fields = self.query(".field Input, .field Select, .field TextArea")
        if fields:
            fields.first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def values(self) -> dict[str, str]:
        out = {}
        for field in self.fields:
            widget = self.query_one(f"#form-{field.key}")
            if isinstance(widget, TextArea):
                out[field.key] = widget.text.strip()
            else:
                out[field.key] = str(widget.value).strip() if widget.value is not None else ""
        return out

    def action_save(self) -> None:
        """Save; on a bad value or a failed write (disk full, file read-only) say so and keep
        everything the clerk typed."""
        try:
            result = self.submit(self.values())
        except Exception as exc:
            self.query_one("#form-error", Static).update(why_not_saved(exc))
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)
