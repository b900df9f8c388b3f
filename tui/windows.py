"""The clerk's Windows console: what eprc changes in Textual's Windows input path, as pure rules.

Everything here imports on any platform, so the rules are tested on Linux; the driver that applies
them (``tui/windows_driver.py``) imports Textual's Windows-only modules and is loaded on win32 only.

- **Microsoft Pinyin's Shift+punctuation** (textual#6667): the IME delivers ``？！：（）`` as key
  events without a virtual key code while Shift is still held. Textual skips every key event
  without a key code when *any* modifier bit is set (Shift, even NumLock), so those characters
  never arrive. eprc skips them only when Ctrl or Alt is held.
- **QuickEdit**: a click in a conhost window with QuickEdit on selects text and freezes all
  output until Esc. Textual sets the input mode without ``ENABLE_EXTENDED_FLAGS``, which leaves
  QuickEdit as it was; eprc sets the flag without QuickEdit for the session. Textual's own
  restore on exit puts back the mode it read before, QuickEdit included.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.driver import Driver

# dwControlKeyState bits of a KEY_EVENT_RECORD
RIGHT_ALT_PRESSED = 0x0001
LEFT_ALT_PRESSED = 0x0002
RIGHT_CTRL_PRESSED = 0x0004
LEFT_CTRL_PRESSED = 0x0008
SHIFT_PRESSED = 0x0010
NUMLOCK_ON = 0x0020
CTRL_OR_ALT = RIGHT_ALT_PRESSED | LEFT_ALT_PRESSED | RIGHT_CTRL_PRESSED | LEFT_CTRL_PRESSED

# console input mode bits
ENABLE_QUICK_EDIT_MODE = 0x0040
ENABLE_EXTENDED_FLAGS = 0x0080


def keep_key_event(control_key_state: int, virtual_key_code: int) -> bool:
    """Whether a key-down event is passed on to the key parser.

    Events without a key code are dropped only when Ctrl or Alt is held; Shift, NumLock and
    CapsLock do not count (an IME's Shift+punctuation has no key code and Shift still held).
    """
    return virtual_key_code != 0 or not control_key_state & CTRL_OR_ALT


def quick_edit_off(mode: int) -> int:
    """The console input ``mode`` with QuickEdit off (which takes ``ENABLE_EXTENDED_FLAGS``)."""
    return (mode | ENABLE_EXTENDED_FLAGS) & ~ENABLE_QUICK_EDIT_MODE


def driver_class() -> type[Driver] | None:
    """eprc's Textual driver for this platform; None where Textual's own is used unchanged."""
    if sys.platform != "win32":
        return None
    from tui.windows_driver import EprcWindowsDriver

    return EprcWindowsDriver


# ---- conhost with a CJK font: box drawing two cells wide ----------------------------------------

# Console code pages of Chinese, Japanese and Korean Windows: there conhost draws East Asian
# "ambiguous" characters (box drawing, block elements, …) two cells wide.
CJK_CODE_PAGES = frozenset({932, 936, 949, 950})
CJK_FACES = frozenset({"nsimsun", "simsun", "simhei", "ms gothic", "ms mincho", "mingliu", "gulimche",
                       "batangche", "dotumche", "gungsuhche", "microsoft yahei", "dengxian"})


def box_drawing_is_wide(face_name: str, code_page: int, terminal_program: str = "") -> bool:
    """Whether the console draws box-drawing characters two cells wide.

    ``terminal_program`` names a modern terminal eprc runs in (Windows Terminal sets
    ``WT_SESSION``, VS Code ``TERM_PROGRAM``); those measure characters as Textual does. In the old
    console a CJK font (新宋体, SimSun, …) or a CJK code page means wide.
    """
    if terminal_program:
        return False
    face = face_name.strip().lower()
    return not face.isascii() or face in CJK_FACES or code_page in CJK_CODE_PAGES


def single_width_glyphs() -> None:
    """Draw frames with ``+ - |`` (Textual's borders, Rich's boxes, tree guides) and scrollbars,
    progress bars and sparklines without partial blocks, so that each is one cell wide in every
    font. Text eprc itself shows (—, ×, ℃, arrows) is not changed. Call before the app draws."""
    from rich import box
    from textual import _border
    from textual.renderables.bar import Bar
    from textual.renderables.sparkline import Sparkline
    from textual.scrollbar import ScrollBarRender
    from textual.widgets import Tree

    keep = {"", "none", "hidden", "blank", "ascii"}
    for kind in list(_border.BORDER_CHARS):
        if kind not in keep:
            _border.BORDER_CHARS[kind] = _border.BORDER_CHARS["ascii"]
            _border.BORDER_LOCATIONS[kind] = _border.BORDER_LOCATIONS["ascii"]
    _border.get_box.cache_clear()
    for name, value in vars(box).items():
        if isinstance(value, box.Box) and name.isupper() and not name.startswith("ASCII"):
            setattr(box, name, box.ASCII)
    ScrollBarRender.VERTICAL_BARS = [" "]
    ScrollBarRender.HORIZONTAL_BARS = [" "]
    Bar.HALF_BAR_LEFT, Bar.BAR, Bar.HALF_BAR_RIGHT = " ", "=", " "
    Sparkline.BARS = "_.-=+*#"
    for kind in list(Tree.LINES):
        Tree.LINES[kind] = ("  ", "| ", "`-", "|-")
    Tree.ICON_NODE, Tree.ICON_NODE_EXPANDED = "> ", "v "
