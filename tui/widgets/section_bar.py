"""The row of section keys (F1 首页 … F9 设置, Ctrl+Q 退出) above each screen's footer.

Textual's footer lists a screen's own keys first and the app's after them, so at 100 columns
the section keys fell off its end. They live on this bar of their own instead, the current
section highlighted; each is also clickable. The keys and names come from the app's bindings
(every ``switch_mode`` binding, and quit), so a section added there appears here.

Every key stays on screen at any width from 80 columns: the bar uses the first of these that
fits on one row — full names, full names packed closer, short names packed — and otherwise
wraps the full names onto two rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.widgets import Static

# names longer than two characters, shortened for a narrow window
SHORT_NAMES = {"重点人员": "重点", "推送核查": "推送", "回收站": "回收"}


@dataclass(frozen=True)
class _Key:
    key: str
    name: str
    action: str
    current: bool

    def markup(self, short: bool, padded: bool) -> str:
        name = SHORT_NAMES.get(self.name, self.name) if short else self.name
        text = f" {self.key} {name} " if padded else f"{self.key} {name}"
        style = "reverse b" if self.current else "b"
        return f"[@click=app.{self.action}][{style}]{text}[/{style}][/]"

    def width(self, short: bool, padded: bool) -> int:
        name = SHORT_NAMES.get(self.name, self.name) if short else self.name
        return cell_len(self.key) + 1 + cell_len(name) + (2 if padded else 0)


class SectionBar(Static):
    """Class ``-alone`` on a screen without a footer below."""

    DEFAULT_CSS = """
    SectionBar {
        dock: bottom;
        height: auto;
        margin-bottom: 1;  /* the footer's row is below */
        background: $panel;
        color: $text-muted;
    }
    SectionBar.-alone {
        margin-bottom: 0;
    }
    """

    _shown: tuple[str, int] | None = None  # (section, width) the bar was last drawn for

    def on_mount(self) -> None:
        self._show()

    def on_resize(self, event: events.Resize) -> None:
        self._show()

    def _show(self) -> None:
        """Draw the keys for the current section and width; not again for the same ones (a
        new bar is told of its first size right after it is mounted)."""
        shown = (self.app.current_mode, self.app.size.width)
        if shown != self._shown:
            self._shown = shown
            self.update(self.render_keys(*shown))

    def keys(self, current: str) -> list[_Key]:
        out = []
        for binding in self.app.BINDINGS:
            key = binding.key.upper().replace("CTRL+", "^")
            if binding.action.startswith("switch_mode("):
                mode = binding.action.split("'")[1]
                out.append(_Key(key, binding.description, binding.action, mode == current))
            elif binding.action == "quit":
                out.append(_Key(key, binding.description, "quit", False))
        return out

    def render_keys(self, current: str, width: int = 200) -> str:
        keys = self.keys(current)
        for short, padded, gap in ((False, True, ""), (False, False, " "), (True, False, " ")):
            if sum(k.width(short, padded) for k in keys) + len(gap) * (len(keys) - 1) <= width:
                return gap.join(k.markup(short, padded) for k in keys)
        rows: list[list[_Key]] = [[]]
        used = 0
        for k in keys:
            if rows[-1] and used + k.width(False, True) > width:
                rows.append([])
                used = 0
            rows[-1].append(k)
            used += k.width(False, True)
        return "\n".join("".join(k.markup(False, True) for k in row) for row in rows)
