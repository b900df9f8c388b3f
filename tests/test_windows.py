"""eprc's Windows console rules (tui/windows.py) and its copy of Textual's Windows input code.

The rules are pure functions, tested here on any platform with key events as the Windows console
delivers them. The copy in tui/windows_driver.py is compared, as source text, with the installed
Textual's: the test fails the day Textual changes the code eprc copied.
"""

from __future__ import annotations

import ast
import ctypes
import importlib
import importlib.util
import re
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, NamedTuple

import pytest

from tui.windows import (
    ENABLE_EXTENDED_FLAGS,
    ENABLE_QUICK_EDIT_MODE,
    LEFT_ALT_PRESSED,
    LEFT_CTRL_PRESSED,
    NUMLOCK_ON,
    RIGHT_ALT_PRESSED,
    SHIFT_PRESSED,
    box_drawing_is_wide,
    driver_class,
    keep_key_event,
    quick_edit_off,
    single_width_glyphs,
)

ROOT = Path(__file__).resolve().parents[1]


class KeyRecord(NamedTuple):
    """The fields of a KEY_EVENT_RECORD that the input loop reads."""

    key_down: bool
    virtual_key_code: int
    char: str
    control_key_state: int


VK_SHIFT, VK_CONTROL, VK_OEM_2, VK_C, VK_A, VK_PROCESSKEY = 0x10, 0x11, 0xBF, 0x43, 0x41, 0xE5
SHIFT_NUM = SHIFT_PRESSED | NUMLOCK_ON

# Microsoft Pinyin, Chinese mode, NumLock on: Shift+/ Shift+1 Shift+; Shift+9 Shift+0 give the
# full-width ？！：（） as key events without a key code while Shift is still down; then 张 is
# committed with no modifier; then a plain "a"; then Ctrl+C; then a key-code-less event with
# Ctrl+Alt held (AltGr), which Textual skips on purpose.
RECORDED: list[KeyRecord] = [
    KeyRecord(True, VK_SHIFT, "\0", SHIFT_NUM),
    KeyRecord(True, 0, "？", SHIFT_NUM),
    KeyRecord(False, 0, "？", SHIFT_NUM),
    KeyRecord(False, VK_OEM_2, "/", SHIFT_NUM),
    KeyRecord(True, 0, "！", SHIFT_NUM),
    KeyRecord(False, 0, "！", SHIFT_NUM),
    KeyRecord(True, 0, "：", SHIFT_NUM),
    KeyRecord(True, 0, "（", SHIFT_NUM),
    KeyRecord(True, 0, "）", SHIFT_NUM),
    KeyRecord(False, VK_SHIFT, "\0", NUMLOCK_ON),
    KeyRecord(True, VK_PROCESSKEY, "\0", NUMLOCK_ON),
    KeyRecord(True, 0, "张", NUMLOCK_ON),
    KeyRecord(True, VK_A, "a", NUMLOCK_ON),
    KeyRecord(False, VK_A, "a", NUMLOCK_ON),
    KeyRecord(True, VK_CONTROL, "\0", LEFT_CTRL_PRESSED | NUMLOCK_ON),
    KeyRecord(True, VK_C, "\x03", LEFT_CTRL_PRESSED | NUMLOCK_ON),
    KeyRecord(True, 0, "€", LEFT_CTRL_PRESSED | RIGHT_ALT_PRESSED | NUMLOCK_ON),
    KeyRecord(True, 0, "x", LEFT_ALT_PRESSED),
]


def _typed(records: list[KeyRecord], keep: object) -> str:
    """The text the input loop hands to the key parser (key-down events that pass ``keep``)."""
    assert callable(keep)
    return "".join(
        r.char for r in records if r.key_down and keep(r.control_key_state, r.virtual_key_code)
    )


def _textual_8_2_8_keeps(control_key_state: int, virtual_key_code: int) -> bool:
    return not (control_key_state and virtual_key_code == 0)


def test_shift_full_width_punctuation_from_the_ime_reaches_the_app() -> None:
    assert _typed(RECORDED, keep_key_event) == "\0？！：（）\0张a\0\x03"


def test_textual_alone_loses_the_punctuation_and_the_committed_character() -> None:
    assert _typed(RECORDED, _textual_8_2_8_keeps) == "\0\0a\0\x03"


@pytest.mark.parametrize("held", [LEFT_CTRL_PRESSED, RIGHT_ALT_PRESSED, LEFT_ALT_PRESSED])
def test_key_code_less_events_are_skipped_while_ctrl_or_alt_is_held(held: int) -> None:
    assert not keep_key_event(held | SHIFT_PRESSED, 0)
    assert keep_key_event(held, VK_C)


def test_quick_edit_off_sets_the_extended_flag_and_keeps_the_rest() -> None:
    conhost_default = 0x1F7  # processed, line, echo, window, mouse, insert, quick edit, extended
    assert quick_edit_off(conhost_default) == 0x1B7
    vt_input = 0x0200  # what Textual sets: QuickEdit unchanged without the extended flag
    assert quick_edit_off(vt_input) == vt_input | ENABLE_EXTENDED_FLAGS
    assert not quick_edit_off(vt_input | ENABLE_QUICK_EDIT_MODE) & ENABLE_QUICK_EDIT_MODE


# What eprc's copies change in Textual's code: (qualified name, Textual's text, eprc's text).
CHANGES: list[tuple[str, str, str]] = [
    (
        "EventMonitor.run",
        """\
                        if (
                            key_event.dwControlKeyState
                            and key_event.wVirtualKeyCode == 0
                        ):
""",
        """\
                        if not keep_key_event(
                            key_event.dwControlKeyState, key_event.wVirtualKeyCode
                        ):
""",
    ),
    (
        "WindowsDriver.start_application_mode",
        "    self._restore_console = win32.enable_application_mode()\n",
        "    self._restore_console = win32.enable_application_mode()\n    turn_quick_edit_off()\n",
    ),
    (
        "WindowsDriver.start_application_mode",
        "    self._event_thread = win32.EventMonitor(\n",
        "    self._event_thread = EprcEventMonitor(\n",
    ),
]

COPIES = {
    "EventMonitor.run": ("drivers/win32.py", "EprcEventMonitor.run"),
    "WindowsDriver.start_application_mode": (
        "drivers/windows_driver.py", "EprcWindowsDriver.start_application_mode",
    ),
}


def _method_source(path: Path, qualified: str) -> str:
    """The dedented source of ``Class.method`` in the file at ``path`` (read, never imported)."""
    class_name, method_name = qualified.split(".")
    text = path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == method_name:
                    segment = ast.get_source_segment(text, item, padded=True)
                    assert segment is not None
                    return textwrap.dedent(segment)
    raise AssertionError(f"{qualified} not found in {path}")


@pytest.mark.parametrize("upstream_name", sorted(COPIES))
def test_the_copy_is_textuals_code_with_only_the_listed_changes(upstream_name: str) -> None:
    spec = importlib.util.find_spec("textual")
    assert spec is not None and spec.submodule_search_locations
    textual_dir = Path(list(spec.submodule_search_locations)[0])
    relative, copy_name = COPIES[upstream_name]
    upstream = _method_source(textual_dir / relative, upstream_name)
    expected = upstream
    for name, theirs, ours in CHANGES:
        if name == upstream_name:
            assert expected.count(theirs) == 1, (
                f"Textual's {upstream_name} changed where eprc's copy differs: review "
                "tui/windows_driver.py (is textual#6667 fixed?) before moving the textual pin"
            )
            expected = expected.replace(theirs, ours)
    copy = _method_source(ROOT / "tui" / "windows_driver.py", copy_name)
    assert copy == expected, f"installed Textual's {upstream_name} no longer matches eprc's copy"


def _module_names(path: Path) -> set[str]:
    """Top-level names a module defines or imports (read, never imported)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def test_every_name_the_driver_takes_from_textual_is_there() -> None:
    """tui/windows_driver.py imports on Windows only; check its imports from Textual here."""
    spec = importlib.util.find_spec("textual")
    assert spec is not None and spec.submodule_search_locations
    textual_dir = Path(list(spec.submodule_search_locations)[0])
    tree = ast.parse((ROOT / "tui" / "windows_driver.py").read_text(encoding="utf-8"))
    checked = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("textual"):
            parts = node.module.split(".")[1:]
            module = textual_dir.joinpath(*parts)
            source = module / "__init__.py" if module.is_dir() else module.with_suffix(".py")
            available = _module_names(source) | {p.stem for p in module.glob("*.py")}
            for alias in node.names:
                assert alias.name in available, f"{node.module}.{alias.name} is gone from Textual"
                checked += 1
    assert checked >= 10


@pytest.mark.skipif(sys.platform == "win32", reason="on Windows eprc uses its own driver")
def test_textuals_own_driver_elsewhere() -> None:
    assert driver_class() is None


def test_the_app_takes_its_driver_from_tui_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.drivers.headless_driver import HeadlessDriver

    from tui.app import EprcApp

    app = EprcApp.__new__(EprcApp)  # the driver is chosen before the file is opened
    monkeypatch.setattr("tui.windows.driver_class", lambda: HeadlessDriver)
    assert app.get_driver_class() is HeadlessDriver
    monkeypatch.setattr("tui.windows.driver_class", lambda: None)
    assert app.get_driver_class() is not HeadlessDriver


@pytest.mark.parametrize(
    ("face", "code_page", "terminal", "wide"),
    [
        ("新宋体", 936, "", True),
        ("NSimSun", 65001, "", True),
        ("Consolas", 936, "", True),  # a Chinese Windows' console: ambiguous width drawn wide
        ("Consolas", 437, "", False),
        ("新宋体", 936, "Windows Terminal", False),
        ("", 936, "vscode", False),
    ],
)
def test_when_box_drawing_is_drawn_two_cells_wide(face: str, code_page: int, terminal: str,
                                                   wide: bool) -> None:
    assert box_drawing_is_wide(face, code_page, terminal) is wide


@pytest.fixture
def textual_glyphs() -> Iterator[None]:
    """Put back every table single_width_glyphs() changes (and Textual's box cache)."""
    from rich import box
    from textual import _border
    from textual.renderables.bar import Bar
    from textual.renderables.sparkline import Sparkline
    from textual.scrollbar import ScrollBarRender
    from textual.widgets import Tree

    dicts = [(d, dict(d)) for d in (_border.BORDER_CHARS, _border.BORDER_LOCATIONS, Tree.LINES)]
    attrs = [(obj, name, getattr(obj, name)) for obj, names in (
        (ScrollBarRender, ("VERTICAL_BARS", "HORIZONTAL_BARS")),
        (Bar, ("HALF_BAR_LEFT", "BAR", "HALF_BAR_RIGHT")), (Sparkline, ("BARS",)),
        (Tree, ("ICON_NODE", "ICON_NODE_EXPANDED")),
    ) for name in names]
    attrs += [(box, name, value) for name, value in vars(box).items() if isinstance(value, box.Box)]
    try:
        yield
    finally:
        for table, saved in dicts:
            table.clear()
            table.update(saved)
        for obj, name, value in attrs:
            setattr(obj, name, value)
        _border.get_box.cache_clear()


BOX_AND_BLOCKS = re.compile("[\u2500-\u257f\u2581-\u2587\u2589-\u259f\u25b6\u25bc]")


async def test_single_width_glyphs_leave_no_box_drawing_on_any_section(
    demo_path: Path, textual_glyphs: None
) -> None:
    from tests.tui.conftest import SIZE, screen_text, settle
    from tui.app import EprcApp

    app = EprcApp(demo_path, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert BOX_AND_BLOCKS.search(screen_text(pilot)), "the dashboard draws frames"
    single_width_glyphs()
    app = EprcApp(demo_path, backup=False)
    texts = []
    async with app.run_test(size=SIZE) as pilot:
        for key in ("f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"):
            await pilot.press(key)
            await settle(pilot)
            text = screen_text(pilot)
            assert not BOX_AND_BLOCKS.findall(text), (key, set(BOX_AND_BLOCKS.findall(text)))
            texts.append(text)
    assert any("+--" in text for text in texts), "frames are drawn with + - |"


# ---- the input loops themselves, fed the recorded events -----------------------------------------

class _FakeFunction:
    """A kernel32 function: attributes may be set on it; calling it runs ``impl`` (or returns 1)."""

    def __init__(self) -> None:
        self.impl: Callable[..., int] | None = None

    def __call__(self, *args: object) -> int:
        return self.impl(*args) if self.impl else 1


class _FakeKernel32:
    def __init__(self, *_args: object, **_kwargs: object) -> None:
        self.functions: dict[str, _FakeFunction] = {}

    def __getattr__(self, name: str) -> _FakeFunction:
        if name.startswith("_"):
            raise AttributeError(name)
        return self.functions.setdefault(name, _FakeFunction())


@pytest.fixture
def windows_input(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, ModuleType]]:
    """Textual's win32 module and eprc's driver module, importable here: off Windows, kernel32
    and msvcrt are stand-ins (the input loop only reads what ReadConsoleInputW gives it)."""
    import asyncio  # noqa: F401 - the real modules first: subprocess decides by msvcrt
    import subprocess  # noqa: F401

    import textual.drivers

    names = ("textual.drivers.win32", "textual.drivers.windows_driver", "tui.windows_driver")
    if sys.platform != "win32":
        monkeypatch.setattr(ctypes, "WinDLL", _FakeKernel32, raising=False)
        monkeypatch.setitem(sys.modules, "msvcrt", ModuleType("msvcrt"))
        for name in names:
            monkeypatch.delitem(sys.modules, name, raising=False)
    win32 = importlib.import_module("textual.drivers.win32")
    driver = importlib.import_module("tui.windows_driver")
    try:
        yield win32, driver
    finally:
        if sys.platform != "win32":
            for name in names:
                sys.modules.pop(name, None)
            for attribute in ("win32", "windows_driver"):
                if attribute in vars(textual.drivers):
                    delattr(textual.drivers, attribute)


def _typed_through(module: ModuleType, monitor_class: type, records: list[KeyRecord],
                   monkeypatch: pytest.MonkeyPatch) -> str:
    """Run ``monitor_class.run`` (the input thread's loop) over ``records``; the keys it sends."""
    kernel32 = _FakeKernel32()

    def read_console_input(_handle: object, records_ref: Any, _max: int, count_ref: Any) -> int:
        array = records_ref._obj
        for slot, record in zip(array, records, strict=False):
            slot.EventType = 0x0001  # KEY_EVENT
            key = slot.Event.KeyEvent
            key.bKeyDown, key.wVirtualKeyCode = record.key_down, record.virtual_key_code
            key.uChar.UnicodeChar, key.dwControlKeyState = record.char, record.control_key_state
            key.wRepeatCount = 1
        count_ref._obj.value = len(records)
        return 1

    kernel32.ReadConsoleInputW.impl = read_console_input
    exit_event = threading.Event()
    waits: list[object] = []

    def wait_for_handles(handles: list[object], _timeout: int) -> object:
        if waits:  # everything was read once: stop the loop
            exit_event.set()
            return None
        waits.append(handles[0])
        return handles[0]

    monkeypatch.setattr(module, "KERNEL32", kernel32)
    monkeypatch.setattr(module, "wait_for_handles", wait_for_handles)
    monkeypatch.setattr(module, "GetStdHandle", lambda _which: 1)
    errors: list[object] = []
    app = SimpleNamespace(log=SimpleNamespace(error=lambda *args: errors.append(args)))
    sent: list[object] = []
    monitor_class(None, app, exit_event, sent.append).run()
    assert not errors and waits
    from textual.events import Key

    return "".join(event.character or "" for event in sent if isinstance(event, Key))


def test_eprcs_input_loop_passes_the_ime_punctuation_textuals_drops(
    windows_input: tuple[ModuleType, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    win32, driver = windows_input
    ours = _typed_through(driver, driver.EprcEventMonitor, RECORDED, monkeypatch)
    assert ours == "\0？！：（）\0张a\0\x03"
    theirs = _typed_through(win32, win32.EventMonitor, RECORDED, monkeypatch)
    assert theirs == "\0\0a\0\x03"


def test_quick_edit_is_off_for_the_session_and_back_after_it(
    windows_input: tuple[ModuleType, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    win32, driver = windows_input
    conhost_default = 0x1F7  # QuickEdit on
    modes: dict[object, int] = {sys.__stdin__: conhost_default, sys.__stdout__: 0x3}
    monkeypatch.setattr(win32, "get_console_mode", lambda file: modes[file])
    monkeypatch.setattr(win32, "set_console_mode", lambda file, mode: modes.__setitem__(file, mode))
    restore = win32.enable_application_mode()  # what start_application_mode does first
    assert modes[sys.__stdin__] & ENABLE_QUICK_EDIT_MODE == 0 and not modes[sys.__stdin__] & 0x80, (
        "Textual alone leaves QuickEdit as it was (no extended flag)")
    driver.turn_quick_edit_off()
    assert modes[sys.__stdin__] & ENABLE_EXTENDED_FLAGS
    assert not modes[sys.__stdin__] & ENABLE_QUICK_EDIT_MODE
    restore()  # what the driver's close() does on exit
    assert modes[sys.__stdin__] == conhost_default


@pytest.mark.parametrize(("face", "wide"), [("新宋体", True), ("Consolas", False)])
async def test_the_driver_switches_to_single_width_frames_only_where_needed(
    windows_input: tuple[ModuleType, ModuleType], monkeypatch: pytest.MonkeyPatch, face: str,
    wide: bool,
) -> None:
    from textual.app import App

    _win32, driver = windows_input
    kernel32 = _FakeKernel32()
    kernel32.GetConsoleOutputCP.impl = lambda: 437
    monkeypatch.setattr(driver, "KERNEL32", kernel32)
    monkeypatch.setattr(driver, "console_face_name", lambda: face)
    monkeypatch.setattr(driver, "terminal_program", lambda: "")
    switched: list[bool] = []
    monkeypatch.setattr(driver, "single_width_glyphs", lambda: switched.append(True))
    driver.EprcWindowsDriver(App())
    assert switched == ([True] if wide else [])


def test_eprcs_driver_on_windows(
    windows_input: tuple[ModuleType, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.drivers.windows_driver import WindowsDriver

    monkeypatch.setattr(sys, "platform", "win32")
    cls = driver_class()
    assert cls is windows_input[1].EprcWindowsDriver and issubclass(cls, WindowsDriver)
