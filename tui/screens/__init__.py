"""One module per section of the app, and what the sections' screens share."""

from pathlib import Path

from textual.binding import Binding
from textual.screen import Screen

# every section screen's CSS_PATH: read once, when the first section opens (not at start-up)
SECTIONS_CSS = Path(__file__).parent / "sections.tcss"


class SectionScreen(Screen):
    """A section (F2–F9) that shows the file's current state each time it comes to the front.

    Textual announces the first switch to a section twice; the list is read once."""

    CSS_PATH = SECTIONS_CSS
    _reload_pending = False

    def on_screen_resume(self) -> None:
        if not self._reload_pending:
            self._reload_pending = True
            self.call_later(self._reload_once)

    def _reload_once(self) -> None:
        self._reload_pending = False
        self.reload()

    def reload(self) -> None:
        """Read the section's list again and show it."""
        raise NotImplementedError


class DetailScreen(Screen):
    """A screen opened from a section (a household, a checkpoint's week, the audit log…): the
    sections' stylesheet, and Esc goes back (its footer shows 返回 first)."""

    CSS_PATH = SECTIONS_CSS
    BINDINGS = [Binding("escape", "app.pop_screen", "返回")]
