"""A checkbox that says its state in ASCII: ``[x] 试运行（只检查，不写入）`` or ``[ ] …``.

Textual's Checkbox draws ``▐X▌`` whether ticked or not (only the colour changes), so a clerk
read an unticked 试运行 as ticked and imported for real; ☑/☐ are not in GBK. Space or Enter
toggles, as with Textual's Checkbox (it is one, drawn differently)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Checkbox


class ToggleBox(Checkbox):
    DEFAULT_CSS = """
    ToggleBox {
        border: none;
        padding: 0;
        height: 1;
        width: auto;
        background: transparent;
        &:focus {
            border: none;
            background: $primary 40%;
        }
    }
    """

    @property
    def _button(self) -> Content:
        return Content.styled("[x]" if self.value else "[ ]", "bold" if self.value else "")

    def render(self) -> Content:
        return Content.assemble(self._button, " ", self._label)
