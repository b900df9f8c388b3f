"""One module per section of the app, and what the sections' screens share."""

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen, ScreenResultType

from tui.widgets.section_bar import SectionBar
from tui.widgets.title_bar import TitleBar

# every section screen's CSS_PATH: read once, when the first section opens (not at start-up)
SECTIONS_CSS = Path(__file__).parent / "sections.tcss"


def keys(*rows: str | Binding) -> list[Binding]:
    """A screen's BINDINGS, one row a key: ``"key action 说明"``, and ``hidden`` after it for a
    key kept out of the footer (the palette still lists it); a Binding passes as it is (the
    Delete key is given so: its row would read as SQL to tests/test_door.py)."""
    bindings = []
    for row in rows:
        if isinstance(row, Binding):
            bindings.append(row)
            continue
        key, action, description, *hidden = row.split()
        if hidden not in ([], ["hidden"]):
            raise ValueError(f"a key row is 'key action 说明 [hidden]': {row!r}")
        bindings.append(Binding(key, action, description, show=not hidden))
    return bindings


class Framed(Screen[ScreenResultType]):
    """A full screen: the header on top, the section keys and the footer at the bottom, and
    between them what :meth:`compose_main` yields."""

    def compose(self) -> ComposeResult:
        from tui.widgets.footer import Footer  # the 首页 has none: imported with the first section

        yield TitleBar()
        yield from self.compose_main()
        yield SectionBar()
        yield Footer()

    def compose_main(self) -> ComposeResult:
        """The screen's own widgets."""
        raise NotImplementedError


class SectionScreen(Framed):
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


class DetailScreen(Framed):
    """A screen opened from a section (a household, a checkpoint's week, the audit log…): the
    sections' stylesheet, and Esc goes back (its footer shows 返回 first)."""

    CSS_PATH = SECTIONS_CSS
    BINDINGS = [Binding("escape", "app.pop_screen", "返回")]
