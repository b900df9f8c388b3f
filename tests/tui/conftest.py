"""Pilot helpers: a fixed 120×40 terminal and waiting for workers."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.worker import WorkerFailed

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
