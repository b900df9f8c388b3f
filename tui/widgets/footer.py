"""The key footer of every screen: Textual's Footer without its leak.

Textual 8.2.8's Footer rebuilds its key widgets whenever a screen's bindings change (every screen
switch and focus move) and binds each new FooterKey to its own ``compact`` reactive. The binding is
a watcher stored on the Footer, dropped only when ``compact`` changes, which it never does: every
FooterKey ever built stays alive (about 2 MB per round of the sections; Textualize/textual#6666).
This Footer drops the watchers of keys it no longer shows after each rebuild. Screens import
``Footer`` from here instead of ``textual.widgets``; a test keeps it so.

The dropped keys would still live on in ``StylesCache.get_inner_outer``, an ``lru_cache`` on a
method: it keeps the last 1,024 widgets' style caches (with their rendered lines) as part of its
keys. It is cleared on each rebuild; it only saves recomputing two colours.

Textual queues a whole rebuild for every change of bindings it is told of, and a section's first
opening tells it of a dozen or more before the next frame (each focus and mount): this Footer
rebuilds once for all those already queued, from the bindings as they stand then.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer as TextualFooter

WATCHERS = "__watchers"


class Footer(TextualFooter):
    """Drop-in for ``textual.widgets.Footer`` whose memory stays flat over screen switches."""

    _rebuild_queued = False

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if (screen.app.app_focus and self.is_attached and screen is self.screen
                and not self._rebuild_queued):
            self._rebuild_queued = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_queued = False
        await self.recompose()

    async def recompose(self) -> None:
        await super().recompose()
        self.forget_old_keys()
        StylesCache.get_inner_outer.cache_clear()

    def forget_old_keys(self) -> None:
        """Remove the watchers on this footer held by widgets no longer in the DOM."""
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, WATCHERS, {})
        for entries in watchers.values():
            entries[:] = [(node, callback) for node, callback in entries
                          if not isinstance(node, Widget) or node.is_attached]
