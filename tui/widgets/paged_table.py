"""A DataTable that holds one page of a long list and asks for the neighbouring page when the
cursor runs off either end, so a list of any length scrolls without loading it all."""

from __future__ import annotations

from textual.message import Message

from tui.widgets.plain_table import PlainTable


class PagedTable(PlainTable):
    """Posts :class:`PagedTable.Edge` when the cursor tries to leave the page and
    :class:`PagedTable.Jump` on Ctrl+Home / Ctrl+End (first / last page)."""

    class Edge(Message):
        def __init__(self, table: PagedTable, forward: bool) -> None:
            super().__init__()
            self.table = table
            self.forward = forward

    class Jump(Message):
        def __init__(self, table: PagedTable, to_end: bool) -> None:
            super().__init__()
            self.table = table
            self.to_end = to_end

    def action_scroll_top(self) -> None:
        self.post_message(self.Jump(self, to_end=False))

    def action_scroll_bottom(self) -> None:
        self.post_message(self.Jump(self, to_end=True))

    def _at_end(self) -> bool:
        return self.row_count == 0 or self.cursor_row >= self.row_count - 1

    def action_cursor_down(self) -> None:
        if self._at_end():
            self.post_message(self.Edge(self, forward=True))
        else:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            self.post_message(self.Edge(self, forward=False))
        else:
            super().action_cursor_up()

    def action_page_down(self) -> None:
        if self._at_end():
            self.post_message(self.Edge(self, forward=True))
        else:
            super().action_page_down()

    def action_page_up(self) -> None:
        if self.cursor_row <= 0:
            self.post_message(self.Edge(self, forward=False))
        else:
            super().action_page_up()
