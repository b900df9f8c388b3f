"""The title line at the top of every screen: Textual's ``Header`` as it looks in eprc, drawn by
one widget.

Textual's Header is four widgets (itself, an icon, the title and the space its clock would
take), each with its own stylesheet to parse and styles to work out: about an eighth of
eprc's start-up on one core beyond a bare Textual app. eprc shows no clock and keeps the
command palette's icon disabled, so the line is only this: the icon in the first 8 columns,
the screen's title and the file's name (Textual's own ``App.format_title``) centred between
them and the 10 columns the clock would have had, cut with an ellipsis when too long. It
follows the app's and the screen's title and sub-title as Textual's Header does.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

ICON = "⭘"
ICON_WIDTH = 8  # Textual's HeaderIcon: 8 columns, the icon after one column of padding
CLOCK_WIDTH = 10  # Textual's HeaderClockSpace, kept empty: eprc shows no clock


class TitleBar(Widget):
    """Drop-in for ``textual.widgets.Header()`` (no clock) as eprc shows it."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def on_mount(self) -> None:
        for node in (self.app, self.screen):
            self.watch(node, "title", self._retitle, init=False)
            self.watch(node, "sub_title", self._retitle, init=False)

    def _retitle(self) -> None:
        self.refresh()

    def render(self) -> Content:
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        text = app.format_title(title, sub_title)
        width = self.size.width
        middle = max(0, width - ICON_WIDTH - CLOCK_WIDTH)
        if text.cell_length > middle:
            text = text.truncate(middle, ellipsis=True)
        left = (middle - text.cell_length) // 2
        icon = f" {ICON}".ljust(ICON_WIDTH)
        return Content.assemble(icon, " " * left, text,
                                " " * (width - ICON_WIDTH - left - text.cell_length))
