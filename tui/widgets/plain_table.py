"""A DataTable whose text cells are shown as written: Textual reads a ``str`` cell as markup, so
a resident named ``[/x]`` crashed the screen and ``[red]…`` in a note was drawn red."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from rich.text import Text
from textual.cache import LRUCache
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, ColumnKey, RowKey

from db.text import plain_text

T = TypeVar("T")
RENDER_CACHE_ROWS = 200  # rows of rendered cells and lines a table keeps: several screens' worth


def literal(value: CellType, wrap: bool = False) -> CellType:
    """A ``str`` as its plain text (:func:`db.text.plain_text`), held as a Text when it has a
    "[" (markup) or ":" (emoji codes such as :warning:); anything else unchanged. Text without
    either renders the same as markup or not, and stays a ``str`` for whoever reads the table."""
    if not isinstance(value, str):
        return value
    text = plain_text(value, lines=True)
    if "[" in text or ":" in text:
        return Text(text, end="", no_wrap=not wrap)
    return text


class PlainTable(DataTable):
    """Every table in eprc: cells and row labels are text, never markup. Its render caches are
    sized to a few screens (DataTable keeps 10,000 rendered cells and 1,000 lines and rows per
    table, which a day of switching sections fills to tens of MB)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._row_render_cache = LRUCache(RENDER_CACHE_ROWS)
        self._cell_render_cache = LRUCache(RENDER_CACHE_ROWS * 10)
        self._row_renderable_cache = LRUCache(RENDER_CACHE_ROWS)
        self._line_cache = LRUCache(RENDER_CACHE_ROWS)

    def at_cursor(self, rows: Sequence[T]) -> T | None:
        """The entry of ``rows`` (listed in the table's order) under the cursor, or None."""
        return rows[self.cursor_row] if 0 <= self.cursor_row < len(rows) else None

    def add_row(self, *cells: CellType, height: int | None = 1, key: str | None = None,
                label: str | Text | None = None) -> RowKey:
        wrap = height != 1
        return super().add_row(*(literal(c, wrap) for c in cells), height=height, key=key,
                               label=literal(label) if label is not None else None)

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: CellType, *,
                    update_width: bool = False) -> None:
        wrap = self.rows[row_key].height != 1 if row_key in self.rows else False
        super().update_cell(row_key, column_key, literal(value, wrap), update_width=update_width)

    def set_cell(self, row_index: int, column_index: int, value: CellType) -> None:
        """Change one cell and redraw its row only. ``update_cell`` makes the table render every
        visible cell anew (60 ms for a 3,000-row list on a slow PC); this drops only the cached
        renders of the one row."""
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        self._data[row_key][column_key] = literal(value, self.rows[row_key].height != 1)
        for cache in (self._cell_render_cache, self._row_render_cache):
            for key in [k for k in cache.keys() if k[0] == row_key]:
                cache.discard(key)
        for key in [k for k in self._row_renderable_cache.keys() if k[1] == row_index]:
            self._row_renderable_cache.discard(key)
        self._line_cache.clear()
        self.refresh_row(row_index)
