"""Pilot helpers: a fixed 120×40 terminal and waiting for workers."""

from __future__ import annotations

from textual.pilot import Pilot

SIZE = (120, 40)


async def settle(pilot: Pilot) -> None:
    """Let timers, workers and the messages they post finish."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(pilot: Pilot) -> str:
    """Everything the screen currently shows, as plain text."""
    return "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())


def notices(pilot: Pilot) -> list[str]:
    """The messages of the notifications (toasts) currently shown."""
    return [n.message for n in pilot.app._notifications]
