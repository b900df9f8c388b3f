"""Ctrl+P: a Chinese command palette over every section's actions, the section switches and
every export of the catalog, found by Chinese text or by pinyin initials (``drjm`` → 导入居民).

Imported only when the palette is first opened (start-up stays quick). The commands and their
initials are built once per run: the sections' screens are imported then, and the initials are
read from pypinyin's single-character table (``pinyin_dict.json``, read as a file: importing
pypinyin would load its phrase dictionaries, about 67 MB, for nothing).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from pathlib import Path

from textual.app import App
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider, SearchIcon

# keys pointless from the palette (going back, clearing a search box)
_SKIP_ACTIONS = ("app.pop_screen", "clear_search")


@cache
def _readings() -> dict[int, str]:
    """pypinyin's single-character readings, read from its JSON file without importing it."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    try:
        return {int(k): v for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError):
        return {}


def initials(text: str) -> str:
    """The pinyin initials of ``text`` (first reading of each character); letters and digits as
    themselves, everything else left out."""
    out = []
    table = _readings()
    for char in text:
        if char.isascii():
            if char.isalnum():
                out.append(char.lower())
            continue
        reading = table.get(ord(char), "")
        plain = unicodedata.normalize("NFKD", reading.split(",")[0])
        letter = next((c for c in plain if c.isascii() and c.isalpha()), "")
        out.append(letter.lower())
    return "".join(out)


@dataclass(frozen=True)
class Command:
    label: str  # what the palette shows
    help: str  # the key, or where it leads
    keys: tuple[str, ...]  # pinyin initials it is found by
    mode: str  # the section it runs in
    action: str = ""  # run on that section's screen; "" only switches
    export_index: int = -1  # an export of the catalog: its row in the report centre


def _section_screens(app_class: type[App]) -> Iterable[tuple[str, str, type]]:
    """(mode, section name, screen class) of every section in the app's bindings."""
    for binding in app_class.BINDINGS:
        if not binding.action.startswith("switch_mode("):
            continue
        mode = binding.action.split("'")[1]
        factory = app_class.MODES[mode]
        module, name = getattr(factory, "screen_path", (None, None))
        screen = getattr(import_module(module), name) if module else factory
        yield mode, binding.description, screen


def _key_text(key: str) -> str:
    return key.upper().replace("CTRL+", "Ctrl+").replace("SLASH", "/").replace(
        "DELETE", "Delete").replace("ENTER", "Enter")


@cache
def commands_of(app_class: type[App]) -> tuple[Command, ...]:
    """Every command of the app, with its initials: built once per run."""
    commands: list[Command] = []
    for binding in app_class.BINDINGS:
        if binding.action == "quit":
            commands.append(Command("退出", _key_text(binding.key), ("tc",), "", "app.quit"))
    for mode, section, screen in _section_screens(app_class):
        key = next(_key_text(b.key) for b in app_class.BINDINGS if f"'{mode}'" in b.action)
        commands.append(Command(f"{section}", f"{key} 打开", (initials(section),), mode))
        seen: set[str] = set()
        for binding in vars(screen).get("BINDINGS", []):  # the section's own, not Textual's
            description = getattr(binding, "description", "")
            action = getattr(binding, "action", "")
            if (not description or description.isascii() or action in seen
                    or action.startswith(_SKIP_ACTIONS)):
                continue
            seen.add(action)
            keys = (initials(description + section), initials(section + description),
                    initials(description))
            commands.append(Command(f"{description}（{section}）",
                                    f"{section} · {_key_text(binding.key.split(',')[0])}",
                                    keys, mode, action))
    from exports.catalog import EXPORTS

    reports = next((mode for mode, _s, screen in _section_screens(app_class)
                    if screen.__name__ == "ReportsScreen"), "")
    for index, export in enumerate(EXPORTS):
        commands.append(Command(f"导出{export.title}", "报表中心", (
            initials("导出" + export.title), initials(export.title)), reports, "export", index))
    return tuple(commands)


def run(app: App, command: Command) -> Callable[[], None]:
    """What choosing ``command`` does: switch section (asking about unsaved changes first),
    then run its action on the section's screen."""

    async def go() -> None:
        if command.action == "app.quit":
            await app.action_quit()
            return
        if app.current_mode != command.mode:
            await app.switch_mode(command.mode)
        screen = app.screen_stack[0]
        if command.export_index >= 0:
            screen.query_one("#report-table").move_cursor(row=command.export_index)
        if command.action:
            await screen.run_action(command.action)

    def chosen() -> None:
        if command.action == "app.quit" or app.current_mode == command.mode:
            app.call_later(go)
        else:
            app.leave_then(lambda: app.call_later(go))

    return chosen


class EprcCommands(Provider):
    """Every command, matched by initials first, then by the Chinese text."""

    commands: tuple[Command, ...] = ()

    async def startup(self) -> None:
        """Build the list off the event loop (the first time it imports every section's
        screen and reads the readings table): the palette is drawn at once meanwhile."""
        self.commands = await asyncio.to_thread(commands_of, type(self.app))

    async def discover(self) -> Hits:
        for command in self.commands:
            yield DiscoveryHit(command.label, run(self.app, command), help=command.help)

    async def search(self, query: str) -> Hits:
        query = query.strip()
        if not query:
            return
        letters = query.lower() if query.isascii() else ""
        matcher = self.matcher(query)
        found = False
        for command in self.commands:
            score = 0.0
            if letters:
                if any(k.startswith(letters) for k in command.keys):
                    score = 1.0
                elif any(letters in k for k in command.keys):
                    score = 0.7
            text_score = matcher.match(command.label)
            if text_score > score:
                score = text_score
            if score > 0:
                found = True
                yield Hit(score, matcher.highlight(command.label) if text_score else
                          command.label, run(self.app, command), text=command.label,
                          help=command.help)
        if not found:
            yield Hit(0.01, f"没有找到“{query}”（可输入中文或拼音首字母，如 drjm = 导入居民）",
                      lambda: None, help="Esc 关闭")


class EprcPalette(CommandPalette):
    """Textual's palette with eprc's commands and a Chinese prompt."""

    def __init__(self) -> None:
        super().__init__(providers=[EprcCommands], placeholder="输入命令名称或拼音首字母"
                         "（如 drjm = 导入居民），↑↓ 选择，Enter 执行，Esc 关闭",
                         id="--command-palette")

    def on_mount(self) -> None:
        self.query_one(SearchIcon).icon = ">"  # Textual's 🔎 is not in GBK
