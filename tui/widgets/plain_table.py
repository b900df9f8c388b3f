"""A DataTable whose text cells are shown as written: Textual reads a ``str`` cell as markup, so
a resident named ``[/x]`` crashed the screen and ``[red]…`` in a note was drawn red."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import CellType, ColumnKey, RowKey

from db.text import plain_text


class Literal(Text):
    """A ``str`` cell, held as a Text of exactly its characters; read back as the ``str``."""


def literal(value: CellType, wrap: bool = False) -> CellType:
    """A ``str`` as a :class:`Literal` of its plain text (:func:`db.text.plain_text`); anything
    else (numbers, styled Text) unchanged."""
    if isinstance(value, str):
        return Literal(plain_text(value, lines=True), end="", no_wrap=not wrap)
    return value


def _read(value: CellType) -> CellType:
    return value.plain if isinstance(value, Literal) else value


class PlainTable(DataTable):
    """Every table in eprc: cells and row labels are text, never markup. What is added is what
    :meth:`get_row`, :meth:`get_cell` and :meth:`get_column` give back."""

    def add_row(self, *cells: CellType, height: int | None = 1, key: str | None = None,
                label: str | Text | None = None) -> RowKey:
        wrap = height != 1
        return super().add_row(*(literal(c, wrap) for c in cells), height=height, key=key,
                               label=literal(label) if label is not None else None)

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value: CellType, *,
                    update_width: bool = False) -> None:
        wrap = self.rows[row_key].height != 1 if row_key in self.rows else False
        super().update_cell(row_key, column_key, literal(value, wrap), update_width=update_width)

    def get_row(self, row_key: RowKey | str) -> list[CellType]:
        return [_read(v) for v in super().get_row(row_key)]

    def get_cell(self, row_key: RowKey | str, column_key: ColumnKey | str) -> CellType:
        return _read(super().get_cell(row_key, column_key))

    def get_column(self, column_key: ColumnKey | str) -> Iterable[CellType]:
        return (_read(v) for v in super().get_column(column_key))
