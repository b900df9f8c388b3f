"""A list whose columns are chosen by the width it is given, and a detail line under it.

Each list declares its columns once (:class:`Col`: label, the cells it needs, a priority). At
any width the columns a clerk acts on (priority 0) stay; the others are added by priority while
they fit, and whatever did not fit is shown for the highlighted row in the detail line under the
table (``table.detail``) with any value too long for its column, so at 80 columns nothing is out
of reach and nothing scrolls sideways.
A long list is paged: give the table :class:`Pages` (a db/ function behind each method) and it
asks for the neighbouring page when the cursor runs off either end, the first or last one on
Ctrl+Home/End; this is the one paging implementation in eprc."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellType

from db.text import plain_text
from tui.widgets.paged_table import PagedTable

T = TypeVar("T")
SCROLLBAR = 2  # the vertical scrollbar's cells, kept free so no column hides behind it


@dataclass(frozen=True)
class Col:
    """A column: its header, the cells its values need, and its priority (0 = the clerk acts
    on it, never dropped; larger numbers are dropped first). ``grow`` columns share the width
    left over (an address, a note)."""

    label: str
    width: int
    priority: int = 0
    grow: bool = False


def cell_text(value: CellType) -> str:
    """A cell's text as the clerk reads it (Text, numbers and ``None`` included)."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.plain
    return plain_text(str(value), lines=False)


def choose(columns: Sequence[Col], width: int, padding: int = 1) -> list[int]:
    """Indexes of the columns shown in ``width`` cells, in declared order: every priority-0
    column, then the others by priority (declared order among equals) while they fit."""
    used = sum(c.width + 2 * padding for c in columns if c.priority == 0)
    shown = {n for n, c in enumerate(columns) if c.priority == 0}
    for n, column in sorted(enumerate(columns), key=lambda nc: (nc[1].priority, nc[0])):
        if n in shown:
            continue
        need = column.width + 2 * padding
        if used + need <= width:
            shown.add(n)
            used += need
    return sorted(shown)


class Pages(Protocol[T]):
    """Where a paged list's rows come from, a page at a time (each method one db/ call).
    ``grows``: rows after the last are added below instead of turning the page (search
    results read a screenful at a time)."""

    grows: bool

    def first(self) -> list[T]: ...

    def last(self) -> list[T]: ...

    def after(self, row: T) -> list[T]: ...

    def before(self, row: T) -> list[T]: ...


class OffsetPages(Generic[T]):
    """Pages of a list read by position (``fetch(offset, limit)``, ``count()``): lists of a
    few thousand rows at most, such as the key persons under control."""

    grows = False

    def __init__(self, fetch: Callable[[int, int], list[T]], count: Callable[[], int],
                 size: int) -> None:
        self.fetch, self.count, self.size = fetch, count, size
        self.start = 0  # position of the shown page's first row

    def at(self, start: int) -> list[T]:
        self.start = max(0, start)
        return self.fetch(self.start, self.size)

    def first(self) -> list[T]:
        return self.at(0)

    def last(self) -> list[T]:
        return self.at((max(self.count(), 1) - 1) // self.size * self.size)

    def after(self, row: T) -> list[T]:
        rows = self.fetch(self.start + self.size, self.size)
        if rows:
            self.start += self.size
        return rows

    def before(self, row: T) -> list[T]:
        if self.start == 0:
            return []
        return self.at(self.start - self.size)


class ColumnTable(PagedTable, Generic[T]):
    """A row table built from declared columns: ``set_rows`` takes the list's items and
    ``cells`` turns one into every declared field; the table shows the columns that fit,
    ``detail`` the rest for the item under the cursor, and ``selected()`` is that item."""

    def __init__(self, columns: Sequence[Col], cells: Callable[[T], Sequence[CellType]], *,
                 pages: Pages[T] | None = None, id: str | None = None, cursor_type: str = "row",
                 zebra_stripes: bool = True) -> None:
        super().__init__(id=id, cursor_type=cursor_type, zebra_stripes=zebra_stripes)
        self.specs = tuple(columns)
        self.cells = cells
        self.pages = pages
        self.items: list[T] = []
        self.full: list[tuple[CellType, ...]] = []
        self.shown: list[int] = list(range(len(self.specs)))
        self.detail = Static("", id=f"{id}-detail" if id else None, classes="list-detail",
                             markup=False)
        self._build_columns(self.shown, [c.width for c in self.specs])

    def with_detail(self) -> tuple[ColumnTable[T], Static]:
        """The table and its detail line, for a screen's compose: ``yield from …``."""
        return self, self.detail

    class Turned(Message):
        """The table shows another page (the screen's status line may say which)."""

        def __init__(self, table: ColumnTable[Any]) -> None:
            super().__init__()
            self.table = table

    # --- columns -------------------------------------------------------------------------------

    def declare(self, columns: Sequence[Col], cells: Callable[[T], Sequence[CellType]]) -> None:
        """Show another list's columns (one table, several views: call set_rows next)."""
        self.specs, self.cells, self.shown = tuple(columns), cells, []
        self.full, self.items = [], []
        self._fit(force=True)

    def _build_columns(self, shown: list[int], widths: list[int]) -> None:
        self.clear(columns=True)
        for n, width in zip(shown, widths, strict=True):
            self.add_column(self.specs[n].label, width=width, key=str(n))

    def _widths(self, shown: list[int], room: int) -> list[int]:
        """Each shown column's declared width, then what is left: first up to the widest value
        on the page (most important columns first), the rest to the ``grow`` columns."""
        widths = [self.specs[n].width for n in shown]
        spare = room - sum(w + 2 * self.cell_padding for w in widths)
        for i, n in sorted(enumerate(shown), key=lambda i_n: (self.specs[i_n[1]].priority, i_n[0])):
            widest = max((cell_len(cell_text(row[n])) for row in self.full), default=0)
            extra = max(0, min(spare, widest - widths[i]))
            widths[i] += extra
            spare -= extra
        growing = [i for i, n in enumerate(shown) if self.specs[n].grow]
        for k, i in enumerate(growing):
            widths[i] += spare // len(growing) + (1 if k < spare % len(growing) else 0)
        return widths

    def _fit(self, force: bool = False) -> bool:
        """Choose the columns and their widths for the table's width; rebuild the table when
        they change (or with ``force``). Whether it was rebuilt."""
        room = self.size.width - SCROLLBAR
        if room <= 0:
            shown, widths = list(range(len(self.specs))), [c.width for c in self.specs]
        else:
            shown = choose(self.specs, room, self.cell_padding)
            widths = self._widths(shown, room)
        if not force and shown == self.shown and widths == [c.width for c in self.columns.values()]:
            return False
        cursor = self.cursor_row
        self.shown = shown
        self._build_columns(shown, widths)
        self._add(self.full)
        if self.row_count:
            self.move_cursor(row=max(0, min(cursor, self.row_count - 1)))
        self.show_detail()
        return True

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def labels(self) -> list[str]:
        """The headers on screen, in order."""
        return [self.specs[n].label for n in self.shown]

    # --- rows ----------------------------------------------------------------------------------

    def _add(self, rows: Iterable[tuple[CellType, ...]]) -> None:
        for row in rows:
            self.add_row(*(row[n] for n in self.shown))

    @property
    def paged(self) -> bool:  # type: ignore[override]
        return self.pages is not None

    def set_rows(self, items: Iterable[T], cursor: int = 0) -> None:
        """Show these items, the cursor on row ``cursor``."""
        self.items = list(items)
        self.full = [tuple(self.cells(item)) for item in self.items]
        if not self._fit():
            self.clear()
            self._add(self.full)
        if self.full:
            self.move_cursor(row=max(0, min(cursor, len(self.full) - 1)))
        self.show_detail()

    def append_rows(self, items: Iterable[T]) -> None:
        items = list(items)
        new = [tuple(self.cells(item)) for item in items]
        self.items.extend(items)
        self.full.extend(new)
        self._add(new)

    def selected(self) -> T | None:
        """The item under the cursor."""
        return self.at_cursor(self.items)

    # --- paging --------------------------------------------------------------------------------

    def on_paged_table_edge(self, event: PagedTable.Edge) -> None:
        event.stop()
        if self.pages is None or not self.items:
            return
        if event.forward and self.pages.grows:
            cursor = len(self.items)
            self.append_rows(self.pages.after(self.items[-1]))
            if len(self.items) > cursor:
                self.move_cursor(row=cursor)
            return
        rows = (self.pages.after(self.items[-1]) if event.forward
                else self.pages.before(self.items[0]))
        if rows:
            self.set_rows(rows, 0 if event.forward else len(rows) - 1)
            self.post_message(self.Turned(self))

    def on_paged_table_jump(self, event: PagedTable.Jump) -> None:
        event.stop()
        if self.pages is None or self.pages.grows:
            return
        rows = self.pages.last() if event.to_end else self.pages.first()
        self.set_rows(rows, len(rows) - 1 if event.to_end else 0)
        self.post_message(self.Turned(self))

    def show_detail(self) -> None:
        """The highlighted row's fields (those not empty) that have no column on screen, or
        whose text is wider than its column (a long address is read here in full)."""
        row = self.cursor_row
        if not 0 <= row < len(self.full):
            self.detail.update("")
            return
        cells = [cell_text(value) for value in self.full[row]]
        widths = {n: column.width for n, column in zip(self.shown, self.columns.values(),
                                                        strict=True)}
        rest = sorted((n for n in range(len(self.specs))
                       if cells[n] and (n not in widths or cell_len(cells[n]) > widths[n])),
                      key=lambda n: (self.specs[n].priority, n))
        self.detail.update("　".join(f"{self.specs[n].label}：{cells[n]}" for n in rest))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()
