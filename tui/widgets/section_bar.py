"""The row of section keys (F1 首页 … F9 设置, Ctrl+Q 退出) above each screen's footer.

Textual's footer lists a screen's own keys first and the app's after them, so at 100 columns
the section keys fell off its end. They live on this row of their own instead, the current
section highlighted; each is also clickable. The keys and names come from the app's bindings.
"""

from __future__ import annotations

from textual.widgets import Static


class SectionBar(Static):
    """Class ``-alone`` on a screen without a footer below."""

    DEFAULT_CSS = """
    SectionBar {
        dock: bottom;
        height: 1;
        margin-bottom: 1;  /* the footer's row is below */
        background: $panel;
        color: $text-muted;
    }
    SectionBar.-alone {
        margin-bottom: 0;
    }
    """

    def on_mount(self) -> None:
        self.update(self.render_keys(self.app.current_mode))

    def render_keys(self, current: str) -> str:
        parts = []
        for binding in self.app.BINDINGS:
            key = binding.key.upper().replace("CTRL+", "^")
            if binding.action.startswith("switch_mode("):
                mode = binding.action.split("'")[1]
                style = "reverse b" if mode == current else "b"
                parts.append(f"[@click=app.{binding.action}][{style}] {key} {binding.description} "
                             f"[/{style}][/]")
            elif binding.action == "quit":
                parts.append(f"[@click=app.quit][b] {key} {binding.description} [/b][/]")
        return "".join(parts)
