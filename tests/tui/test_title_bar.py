"""The title line (tui/widgets/title_bar.py) looks, cell for cell, as Textual's Header did."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Header

from tui.widgets.title_bar import TitleBar

LONG = "一个很长很长的文件名-for-a-township-that-names-its-files-this-way.db"


class OneLine(App):
    ENABLE_COMMAND_PALETTE = False  # as eprc: the icon is disabled

    def __init__(self, widget: Widget, sub_title: str) -> None:
        super().__init__()
        self.widget = widget
        self.start_sub_title = sub_title

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_mount(self) -> None:
        self.title = "清溪镇 疫情防控台账"
        self.sub_title = self.start_sub_title


def cells(app: App) -> list[tuple[str, str]]:
    """The first line's characters with what shows of their style (a space: its background)."""
    out = []
    for segment in app.screen._compositor.render_strips()[0]:
        style = segment.style
        for char in segment.text:
            shown = (style.bgcolor,) if char == " " else (style.color, style.bgcolor, style.dim)
            out.append((char, str(shown)))
    return out


async def first_line(widget: Widget, size: tuple[int, int], sub_title: str,
                     new_sub_title: str | None = None) -> list[tuple[str, str]]:
    app = OneLine(widget, sub_title)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        if new_sub_title is not None:
            app.sub_title = new_sub_title
            await pilot.pause()
        return cells(app)


@pytest.mark.parametrize("size", [(100, 30), (80, 24), (81, 24), (30, 10)])
@pytest.mark.parametrize("sub_title", ["demo.db", "", LONG])
async def test_title_bar_draws_what_the_header_drew(size: tuple[int, int], sub_title: str) -> None:
    header = await first_line(Header(), size, sub_title)
    assert await first_line(TitleBar(), size, sub_title) == header
    assert "⭘" in "".join(char for char, _style in header)


async def test_title_bar_follows_the_sub_title() -> None:
    header = await first_line(Header(), (100, 30), "demo.db", "town.db")
    shown = await first_line(TitleBar(), (100, 30), "demo.db", "town.db")
    assert shown == header
    assert "清溪镇 疫情防控台账 — town.db" in "".join(char for char, _style in shown)
