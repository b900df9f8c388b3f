"""设置: the first-start questions and the settings form, both over db.settings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Header, Input, Label, Static

from db.settings import DEFAULTS, get_setting, set_setting, set_settings
from db.validate import Invalid
from tui.markup import escape
from tui.screens import SECTIONS_CSS
from tui.widgets.footer import Footer
from tui.widgets.section_bar import SectionBar

FIRST_START_KEYS = ("township", "preparer", "checker", "phone", "operator")
FORM_KEYS = tuple(k for k in DEFAULTS if k != "setup_done")


def field_id(key: str) -> str:
    """A widget id for a setting key (ids must be ASCII)."""
    return "set-" + (key.replace(".", "_") if key.isascii() else key.encode("utf-8").hex())


def _field(key: str) -> ComposeResult:
    with Horizontal(classes="field"):
        yield Label(DEFAULTS[key][1], classes="field-label")
        yield Input(
            value=get_setting(key), id=field_id(key),
            password=key == "smtp.password",
        )


def _save(screen: Screen | ModalScreen, keys: tuple[str, ...]) -> bool:
    """Save every field in one transaction; on a bad value show it and save nothing."""
    message = screen.query_one("#settings-message", Static)
    try:
        set_settings({key: screen.query_one(f"#{field_id(key)}", Input).value for key in keys})
    except Invalid as exc:
        message.update(f"[red]{escape(str(exc))}[/red]")
        return False
    message.update("[green]已保存[/green]")
    return True


class FirstStartDialog(ModalScreen[bool]):
    """Asked once on a new file; Esc skips (everything can be changed later in 设置)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存"),
        Binding("escape", "skip", "跳过"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("[b]欢迎使用 eprc[/b]　请填写本单位信息（以后可在“设置”中修改）")
            for key in FIRST_START_KEYS:
                yield from _field(key)
            yield Static(id="settings-message")
            yield Label("Enter 下一项　Ctrl+S 保存　Esc 跳过", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == field_id(FIRST_START_KEYS[-1]):
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if _save(self, FIRST_START_KEYS):
            set_setting("setup_done", "1")
            self.dismiss(True)

    def action_skip(self) -> None:
        set_setting("setup_done", "1")
        self.dismiss(False)


class SettingsScreen(Screen):
    CSS_PATH = SECTIONS_CSS
    TITLE = "设置"
    BINDINGS = [Binding("ctrl+s", "save", "保存"), Binding("ctrl+b", "backups", "备份与恢复")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("修改后按 Ctrl+S 保存", id="settings-message")
        with VerticalScroll(id="settings-form"):
            for key in FORM_KEYS:
                yield from _field(key)
        yield SectionBar()
        yield Footer()

    def on_screen_resume(self) -> None:
        for key in FORM_KEYS:
            self.query_one(f"#{field_id(key)}", Input).value = get_setting(key)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def action_save(self) -> None:
        _save(self, FORM_KEYS)

    def action_backups(self) -> None:
        from tui.screens.settings.backups import BackupsScreen

        self.app.push_screen(BackupsScreen())
