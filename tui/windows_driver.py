"""Textual's Windows driver with eprc's changes (see ``tui/windows.py``). Windows only.

``EprcEventMonitor.run`` and ``EprcWindowsDriver.start_application_mode`` are copies of Textual's
private ``EventMonitor.run`` and ``WindowsDriver.start_application_mode`` (textual 8.2.8) with
the changes listed in ``tests/test_windows.py``, which fails when the installed Textual's source
of either no longer matches. Drop the copies once textual#6667 is fixed upstream.
"""
# The copies keep Textual's spelling (typing.List, Optional), so that they compare line by line.
# ruff: noqa: UP006, UP035, UP045

from __future__ import annotations

import asyncio
import os
import sys
from ctypes import POINTER, Structure, byref, sizeof, wintypes
from typing import TYPE_CHECKING, List, Optional

from textual import constants
from textual._xterm_parser import XTermParser
from textual.drivers import win32
from textual.drivers._writer_thread import WriterThread
from textual.drivers.win32 import (
    INPUT_RECORD,
    KERNEL32,
    STD_INPUT_HANDLE,
    EventMonitor,
    GetStdHandle,
    wait_for_handles,
)
from textual.drivers.windows_driver import WindowsDriver

from tui.windows import box_drawing_is_wide, keep_key_event, quick_edit_off, single_width_glyphs

if TYPE_CHECKING:
    from textual.app import App

STD_OUTPUT_HANDLE = -11


class _Coord(Structure):
    _fields_ = [("X", wintypes.SHORT), ("Y", wintypes.SHORT)]


class _ConsoleFontInfoEx(Structure):
    _fields_ = [("cbSize", wintypes.ULONG), ("nFont", wintypes.DWORD), ("dwFontSize", _Coord),
                ("FontFamily", wintypes.UINT), ("FontWeight", wintypes.UINT),
                ("FaceName", wintypes.WCHAR * 32)]


def console_face_name() -> str:
    """The console window's font (新宋体, Consolas…); empty when it cannot be asked."""
    get_font = KERNEL32.GetCurrentConsoleFontEx
    get_font.argtypes = [wintypes.HANDLE, wintypes.BOOL, POINTER(_ConsoleFontInfoEx)]
    info = _ConsoleFontInfoEx()
    info.cbSize = sizeof(info)
    if not get_font(GetStdHandle(STD_OUTPUT_HANDLE), False, byref(info)):
        return ""
    return str(info.FaceName)


def terminal_program() -> str:
    """The modern terminal eprc runs in, if it says so (Windows Terminal, VS Code); else empty."""
    if os.environ.get("WT_SESSION"):
        return "Windows Terminal"
    return os.environ.get("TERM_PROGRAM", "")


def turn_quick_edit_off() -> None:
    """Switch QuickEdit off on the console's input (Textual's restore on exit switches it back)."""
    stdin = sys.__stdin__
    win32.set_console_mode(stdin, quick_edit_off(win32.get_console_mode(stdin)))


class EprcEventMonitor(EventMonitor):
    """Textual's input thread, passing on an IME's Shift+punctuation."""

    def run(self) -> None:
        exit_requested = self.exit_event.is_set
        parser = XTermParser(debug=constants.DEBUG)

        try:
            read_count = wintypes.DWORD(0)
            hIn = GetStdHandle(STD_INPUT_HANDLE)

            MAX_EVENTS = 1024
            KEY_EVENT = 0x0001
            WINDOW_BUFFER_SIZE_EVENT = 0x0004

            arrtype = INPUT_RECORD * MAX_EVENTS
            input_records = arrtype()
            ReadConsoleInputW = KERNEL32.ReadConsoleInputW
            keys: List[str] = []
            append_key = keys.append

            while not exit_requested():

                for event in parser.tick():
                    self.process_event(event)

                # Wait for new events
                if wait_for_handles([hIn], 100) is None:
                    # No new events
                    continue

                # Get new events
                ReadConsoleInputW(
                    hIn, byref(input_records), MAX_EVENTS, byref(read_count)
                )
                read_input_records = input_records[: read_count.value]

                del keys[:]
                new_size: Optional[tuple[int, int]] = None

                for input_record in read_input_records:
                    event_type = input_record.EventType

                    if event_type == KEY_EVENT:
                        # Key event, store unicode char in keys list
                        key_event = input_record.Event.KeyEvent
                        key = key_event.uChar.UnicodeChar
                        if key_event.bKeyDown:
                            if not keep_key_event(
                                key_event.dwControlKeyState, key_event.wVirtualKeyCode
                            ):
                                continue
                            append_key(key)
                    elif event_type == WINDOW_BUFFER_SIZE_EVENT:
                        # Window size changed, store size
                        size = input_record.Event.WindowBufferSizeEvent.dwSize
                        new_size = (size.X, size.Y)

                if keys:
                    # Process keys
                    #
                    # https://github.com/Textualize/textual/issues/3178 has
                    # the context for the encode/decode here.
                    for event in parser.feed(
                        "".join(keys).encode("utf-16", "surrogatepass").decode("utf-16")
                    ):
                        self.process_event(event)
                if new_size is not None:
                    # Process changed size
                    self.on_size_change(*new_size)

        except Exception as error:
            self.app.log.error("EVENT MONITOR ERROR", error)


class EprcWindowsDriver(WindowsDriver):
    """Textual's Windows driver with QuickEdit off, eprc's input thread, and single-width frames
    where the console would draw box-drawing characters two cells wide."""

    def __init__(self, app: App, *, debug: bool = False, mouse: bool = True,
                 size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        if box_drawing_is_wide(console_face_name(), KERNEL32.GetConsoleOutputCP(), terminal_program()):
            single_width_glyphs()

    def start_application_mode(self) -> None:
        """Start application mode."""
        loop = asyncio.get_running_loop()

        self._restore_console = win32.enable_application_mode()
        turn_quick_edit_off()

        self._writer_thread = WriterThread(self._file)
        self._writer_thread.start()

        self.write("\x1b[?1049h")  # Enable alt screen
        self._enable_mouse_support()
        self.write("\x1b[?25l")  # Hide cursor
        self.write("\033[?1004h")  # Enable FocusIn/FocusOut.
        self.write("\x1b[>1u")  # https://sw.kovidgoyal.net/kitty/keyboard-protocol/
        self.flush()
        self._enable_bracketed_paste()

        self._event_thread = EprcEventMonitor(
            loop, self._app, self.exit_event, self.process_message
        )
        self._event_thread.start()
