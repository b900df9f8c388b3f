"""设置: the first-start questions and the settings form, both over db.settings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from db.settings import DEFAULTS, SECRET, all_settings, get_setting, set_setting, set_settings
from db.validate import Invalid
from tui.dialogs.form import FieldKeys, FormScreen
from tui.markup import escape
from tui.screens import SECTIONS_CSS, Framed

FIRST_START_KEYS = ("township", "preparer", "checker", "phone", "operator")
FORM_KEYS = tuple(k for k in DEFAULTS if k != "setup_done")


def field_id(key: str) -> str:
    """A widget id for a setting key (ids must be ASCII)."""
    return "set-" + (key.replace(".", "_") if key.isascii() else key.encode("utf-8").hex())


def _stored(keys: tuple[str, ...]) -> dict[str, str]:
    """The stored values of ``keys``: the settings in one read, the mail password (kept by the
    OS's credential store, slow to ask) once, instead of a read per field."""
    values = all_settings()
    if SECRET in keys:
        values[SECRET] = get_setting(SECRET)
    return {key: values[key] for key in keys}


def _field(key: str, value: str) -> ComposeResult:
    with Horizontal(classes="field"):
        yield Label(DEFAULTS[key][1], classes="field-label")
        yield Input(
            value=value, id=field_id(key),
            password=key == "smtp.password",
        )


def _save_settings(screen: Screen | ModalScreen, keys: tuple[str, ...]) -> None:
    """Save every field in one transaction (db.settings.set_settings); on a bad value it
    raises Invalid naming the field, and nothing is saved."""
    set_settings({key: screen.query_one(f"#{field_id(key)}", Input).value for key in keys})


def _values(screen: Screen | ModalScreen, keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(screen.query_one(f"#{field_id(key)}", Input).value for key in keys)


class FirstStartDialog(FormScreen):
    """Asked once on a new file; Esc skips (everything can be changed later in 设置)."""

    HINT = "Enter 下一项　Ctrl+S 保存　Esc 跳过"
    LEAVE_LABEL = "跳过"

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form"):
            yield Label("[b]欢迎使用 eprc[/b]　请填写本单位信息（以后可在“设置”中修改）")
            with self.body():
                for key, value in _stored(FIRST_START_KEYS).items():
                    yield from _field(key, value)
            yield from self.foot()

    def submit_form(self) -> bool:
        _save_settings(self, FIRST_START_KEYS)
        set_setting("setup_done", "1")
        return True

    def discard_changes(self) -> None:
        set_setting("setup_done", "1")
        self.dismiss(False)


class SettingsScreen(FieldKeys, Framed):
    """The settings form. Switching to another section with changes not saved asks first
    (the app asks every screen with ``unsaved_changes``)."""

    CSS_PATH = SECTIONS_CSS
    TITLE = "设置"
    BINDINGS = [Binding("ctrl+s", "save", "保存"), Binding("ctrl+b", "backups", "备份与恢复"),
                *FieldKeys.FIELD_KEYS]
    _saved: tuple[str, ...] = ()

    def compose_main(self) -> ComposeResult:
        yield Static("修改后按 Ctrl+S 保存", id="settings-message")
        with VerticalScroll(id="settings-form"):
            for key, value in _stored(FORM_KEYS).items():
                yield from _field(key, value)

    def on_screen_resume(self) -> None:
        values = _stored(FORM_KEYS)
        for key, value in values.items():
            self.query_one(f"#{field_id(key)}", Input).value = value
        self._saved = tuple(values.values())

    def fields(self) -> list[Widget]:
        return [self.query_one(f"#{field_id(key)}", Input) for key in FORM_KEYS]

    def unsaved_changes(self) -> bool:
        return _values(self, FORM_KEYS) != self._saved

    def save_changes(self) -> bool:
        message = self.query_one("#settings-message", Static)
        try:
            _save_settings(self, FORM_KEYS)
        except Invalid as exc:
            message.update(f"[red]{escape(str(exc))}[/red]")
            return False
        self._saved = _values(self, FORM_KEYS)
        message.update("[green]已保存[/green]")
        return True

    def discard_changes(self) -> None:
        for key, value in _stored(FORM_KEYS).items():
            self.query_one(f"#{field_id(key)}", Input).value = value
        self._saved = _values(self, FORM_KEYS)
        self.query_one("#settings-message", Static).update("修改后按 Ctrl+S 保存")

    def action_save(self) -> None:
        self.save_changes()

    def action_backups(self) -> None:
        from tui.screens.settings.backups import BackupsScreen

        self.app.push_screen(BackupsScreen())
