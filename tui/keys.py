"""Type-ahead across an Enter that has to read its field first.

Textual hands each key from the app's queue to the focused widget's own queue, so when the
app runs a priority Enter the field may not have taken the keys typed before it yet. Moving on
needs nothing from the field (:class:`tui.dialogs.form.FieldKeys` just moves the focus), but an
Enter that answers with the field's value (a search, a one-line question) must wait for those
keys, and the keys typed *after* it belong to whatever that answer opens. :func:`after_typed`
holds every later key in the app, runs the answer in the field's queue behind the keys already
sent to it, and then hands the held keys out again, in order, to whatever is focused by then.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import events
from textual.app import App
from textual.widget import Widget


class KeyHolding(App):
    """The app side: keys read from the terminal while held wait here, in order."""

    _held: list[events.Key] | None = None
    _holder: Widget | None = None  # the field whose turn is awaited

    async def on_event(self, event: events.Event) -> None:
        if self._held is not None and isinstance(event, events.Key) and not event.is_forwarded:
            self._held.append(event)
            if self._holder is not None and not self._holder.is_attached:
                self._holder = None  # the field went away before its turn: never hold for ever
                self.release_keys()
            return
        await super().on_event(event)

    def hold_keys(self, holder: Widget | None = None) -> None:
        """Hold keys until :meth:`release_keys`; while ``holder`` is given, a key arriving after
        it has left the screen releases them."""
        if self._held is None:
            self._held = []
        self._holder = holder

    def release_keys(self) -> None:
        """Hand the held keys out from the app's queue (a key among them that holds again,
        such as a second Enter that searches, holds the rest behind it)."""
        self.call_later(self._replay)

    async def _replay(self) -> None:
        held, self._held, self._holder = self._held or [], None, None
        for event in held:
            await self.on_event(event)


def after_typed(field: Widget, answer: Callable[[], Awaitable[None] | None]) -> None:
    """Run ``answer`` once ``field`` has taken the keys already sent to it; keys typed after
    wait until it is done. An answer that opens a screen returns a coroutine awaiting it (run
    in the app's queue), so the held keys go to the new screen's first field."""
    app = field.app
    if not isinstance(app, KeyHolding):
        field.call_later(answer)
        return
    app.hold_keys(field)

    async def finish(opening: Awaitable[None]) -> None:
        try:
            await opening
        finally:
            app.release_keys()

    def run() -> None:
        app.hold_keys()  # its turn came: what it opens may replace it on the screen
        opening = None
        try:
            opening = answer()
        finally:
            if opening is None:
                app.release_keys()
            else:
                app.call_later(finish, opening)

    field.call_later(run)
