"""Forms: the base every form dialog shares, and a generic form over a function of the domain.

:class:`FormScreen` is what makes a form safe at 80×24 and for an ID-card reader: its fields
scroll while the error line, the key hint and the 保存/取消 buttons stay docked in view; Enter,
Tab and Shift+Tab move the focus *before* the next key is handed out (priority bindings run in
the app's own queue, so a burst typed right after Enter lands in the next field, not the one
just left); Enter on the last field goes to 保存 and only a second Enter (or Ctrl+S) saves; and
Esc on a changed form asks 保存/放弃/继续编辑. :class:`FormDialog` is the generic form:
labelled inputs and choices, Ctrl+S submits to a function of the domain, and its Chinese error
is shown in place (nothing is saved when it refuses).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static, TextArea

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


FIELD_SELECTOR = ".form-body Input, .form-body Select, .form-body ToggleBox"


class FieldKeys:
    """Enter, Tab and Shift+Tab between a screen's fields, moved *before* the next key is
    handed out: they are priority bindings, run in the app's own queue, and the focus is set
    at once (``widget.focus()`` would wait its turn behind the keys already typed). Alt+↓ (or
    Space) opens a choice; Enter in an open list chooses, Enter on a button presses it."""

    FIELD_KEYS = [
        Binding("enter", "enter", show=False, priority=True),
        Binding("tab", "move(1)", show=False, priority=True),
        Binding("shift+tab", "move(-1)", show=False, priority=True),
        Binding("alt+down", "open_choice", show=False),
    ]

    def fields(self) -> list[Widget]:
        return [w for w in self.query(FIELD_SELECTOR) if w.focusable]

    def last_field_done(self) -> None:
        """Enter on the last field."""

    def action_enter(self) -> None:
        fields = self.fields()
        if self.focused not in fields:
            raise SkipAction
        index = fields.index(self.focused)
        if index + 1 < len(fields):
            self.set_focus(fields[index + 1])
        else:
            self.last_field_done()

    def action_move(self, step: int) -> None:
        if self.focused is not None and isinstance(self.focused.parent, Select):
            raise SkipAction  # an open dropdown keeps Tab to itself
        if step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def action_open_choice(self) -> None:
        if not isinstance(self.focused, Select):
            raise SkipAction
        self.focused.action_show_overlay()


class FormScreen(FieldKeys, ModalScreen[Any]):
    """A form dialog. Subclasses compose their fields inside :meth:`body` (a scrolling
    container), end ``compose`` with :meth:`foot`, and implement :meth:`submit_form` (return
    what the dialog dismisses with; raise :class:`Invalid` or a refused write to stay open)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存"),
        Binding("escape", "leave", "取消"),
        *FieldKeys.FIELD_KEYS,
    ]
    HINT = "Enter 下一项　Ctrl+S 保存　Esc 取消"
    LEAVE_LABEL = "取消"
    _initial: tuple[object, ...] = ()

    @staticmethod
    def body() -> VerticalScroll:
        return VerticalScroll(classes="form-body")

    def foot(self) -> ComposeResult:
        with Vertical(classes="form-foot"):
            yield Static("", id="form-error", classes="error", markup=False)
            with Horizontal(classes="form-keys"):
                yield Label(self.HINT, classes="hint")
                yield Button("保存", id="form-save", compact=True, variant="primary")
                yield Button(self.LEAVE_LABEL, id="form-cancel", compact=True)

    def on_mount(self) -> None:
        fields = self.fields()
        # at once: a card reader's keys may already be on their way
        self.set_focus(fields[0] if fields else self.query_one("#form-save", Button))
        self._initial = self.snapshot()

    # --- what the clerk typed --------------------------------------------------------------

    def snapshot(self) -> tuple[object, ...]:
        return tuple(getattr(w, "value", None) for w in self.query(FIELD_SELECTOR))

    def unsaved_changes(self) -> bool:
        return self.snapshot() != self._initial

    def show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(message)

    # --- keys ------------------------------------------------------------------------------

    def last_field_done(self) -> None:
        """From the last field to 保存: a second Enter (or Ctrl+S) saves, so a card reader's
        trailing Enter never saves a half-filled form."""
        self.set_focus(self.query_one("#form-save", Button))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "form-save":
            event.stop()
            self.action_save()
        elif event.button.id == "form-cancel":
            event.stop()
            self.action_leave()

    # --- saving and leaving ----------------------------------------------------------------

    def submit_form(self) -> Any:
        raise NotImplementedError

    def action_save(self) -> None:
        self.save_changes()

    def save_changes(self) -> bool:
        """Save; on a bad value or a failed write (disk full, file read-only) say so on the
        docked error line and keep everything the clerk typed."""
        try:
            result = self.submit_form()
        except Exception as exc:
            self.show_error(why_not_saved(exc))
            return False
        self.dismiss(result)
        return True

    def discard_changes(self) -> None:
        self.dismiss(None)

    def action_leave(self) -> None:
        if not self.unsaved_changes():
            self.discard_changes()
            return
        from tui.dialogs.confirm import LeaveDialog

        def answered(choice: str | None) -> None:
            if choice == "save":
                self.save_changes()
            elif choice == "discard":
                self.discard_changes()

        self.app.push_screen(LeaveDialog(), answered)


class FormDialog(FormScreen):
    """Dismisses with whatever ``submit`` returned, or None when cancelled."""

    def __init__(self, title: str, fields: Sequence[Field],
                 submit: Callable[[dict[str, str]], Any], note: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.form_fields = fields
        self.submit = submit
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form"):
            yield Label(f"[b]{escape(self.title_text)}[/b]")
            with self.body():
                if self.note:
                    yield Static(self.note, classes="hint", markup=False)
                for field in self.form_fields:
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
            yield from self.foot()

    def values(self) -> dict[str, str]:
        out = {}
        for field in self.form_fields:
            widget = self.query_one(f"#form-{field.key}")
            if isinstance(widget, TextArea):
                out[field.key] = widget.text.strip()
            else:
                out[field.key] = str(widget.value).strip() if widget.value is not None else ""
        return out

    def submit_form(self) -> Any:
        return self.submit(self.values())

    def action_cancel(self) -> None:
        self.action_leave()
