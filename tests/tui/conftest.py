"""Pilot helpers: a fixed 120×40 terminal, the app opened on a file, keys pressed and waited
for, a form filled in, what the screen shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerFailed

from tui.app import EprcApp

SIZE = (120, 40)


async def settle(pilot: Pilot) -> None:
    """Let timers, workers and the messages they post finish."""
    await pilot.pause()
    try:
        await pilot.app.workers.wait_for_complete()
    except WorkerFailed:  # finished all the same: showing its error is the screen's job, and
        pass  # whether Textual still lists the worker when we wait is a matter of timing
    await pilot.pause()


def screen_text(pilot: Pilot) -> str:
    """Everything the screen currently shows, as plain text."""
    return "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())


def notices(pilot: Pilot) -> list[str]:
    """The messages of the notifications (toasts) currently shown."""
    return [n.message for n in pilot.app._notifications]


async def press(pilot: Pilot, *keys: str) -> None:
    """Press the clerk's keys, then let what they started finish."""
    await pilot.press(*keys)
    await settle(pilot)


@asynccontextmanager
async def running(path: Path, *keys: str, size: tuple[int, int] = SIZE
                  ) -> AsyncIterator[tuple[EprcApp, Pilot]]:
    """The app on ``path`` (no daily backup), settled after start and after ``keys``."""
    app = EprcApp(path, backup=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if keys:
            await press(pilot, *keys)
        yield app, pilot


async def fill(pilot: Pilot, values: dict[str, str]) -> None:
    """Type into the open form: ``{"name": "张三"}`` fills ``#form-name``."""
    for key, value in values.items():
        pilot.app.screen.query_one(f"#form-{key}").value = value
    await pilot.pause()


async def save_form(pilot: Pilot, values: dict[str, str], *opening: str) -> None:
    """Press the keys that open a form (a section's, then the form's own), fill it as
    :func:`fill` does and press Ctrl+S."""
    if opening:
        await press(pilot, *opening)
    await fill(pilot, values)
    await press(pilot, "ctrl+s")


async def gate_entry(pilot: Pilot, temperature: str, **fields: str) -> None:
    """On the gate entry screen: type ``fields`` (``name="张三"`` fills ``#gate-name``) and the
    temperature, and press Enter in the temperature as the guard does."""
    screen = pilot.app.screen
    for key, value in fields.items():
        screen.query_one(f"#gate-{key}").value = value
    screen.query_one("#gate-temperature").value = temperature
    screen.query_one("#gate-temperature").focus()
    await press(pilot, "enter")


async def run_file_job(pilot: Pilot, path: Path | str, *opening: str) -> None:
    """Press the keys that open a file dialog (an import or an export), give it ``path`` and
    press Enter (an import shows its preview; an export writes)."""
    if opening:
        await press(pilot, *opening)
    pilot.app.screen.query_one("#job-path").value = str(path)
    await press(pilot, "enter")


def burst(pilot: Pilot, *keys: str) -> None:
    """Post every key to the app's queue at once, as an ID-card reader or a fast typist sends
    them: nothing is awaited between keys (``pilot.press`` waits for each key to be handled)."""
    import unicodedata

    from textual import events
    from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

    app = pilot.app
    for key in keys:
        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        original = REPLACED_KEYS.get(key, key)
        try:
            char: str | None = unicodedata.lookup(_get_unicode_name_from_key(original))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)
