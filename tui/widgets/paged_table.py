"""A DataTable that holds one page of a long list and asks for the neighbouring page when the
cursor runs off either end, so a list of any length scrolls without loading it all."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message

from tui.widgets.plain_table import PlainTable


class PagedTable(PlainTable):
    """Posts :class:`PagedTable.Edge` when the cursor tries to leave the page and
    :class:`PagedTable.Jump` on Ctrl+Home / Ctrl+End (first / last page). With ``paged`` off
    it is a plain table (the whole list is on it)."""

    paged = True

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
        if self.paged:
            self.post_message(self.Jump(self, to_end=False))
        else:
            super().action_scroll_top()

    def action_scroll_bottom(self) -> None:
        if self.paged:
            self.post_message(self.Jump(self, to_end=True))
        else:
            super().action_scroll_bottom()

    def _edge(self, forward: bool) -> bool:
        """Whether the cursor is trying to leave the page (and the page's neighbour is asked for)."""
        if not self.paged:
            return False
        at_edge = (self.row_count == 0 or self.cursor_row >= self.row_count - 1) if forward \
            else self.cursor_row <= 0
        if at_edge:
            self.post_message(self.Edge(self, forward=forward))
        return at_edge

    def _moves(name: str, forward: bool) -> Callable[[PagedTable], None]:  # builds the moves below
        def move(self: PagedTable) -> None:
            if not self._edge(forward):
                getattr(PlainTable, name)(self)

        move.__name__ = name
        return move

    action_cursor_down = _moves("action_cursor_down", forward=True)
    action_cursor_up = _moves("action_cursor_up", forward=False)
    action_page_down = _moves("action_page_down", forward=True)
    action_page_up = _moves("action_page_up", forward=False)
    del _moves
