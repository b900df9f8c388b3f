"""Text from files, forms, settings and the command line made plain: no terminal escape sequences,
no control characters (C0, C1), no invisible format characters (zero-width spaces, bidi overrides,
byte-order marks: Unicode category Cf). Every way into eprc passes text through :func:`plain_text`,
so what is stored is what the clerk can see.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["plain_text"]

# ESC/CSI/OSC/DCS sequences (7- and 8-bit), removed whole so no payload such as a window title
# is left behind as text
_ESCAPE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, clear screen
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC (window title), DCS, PM, APC
    r"|\x1b[ -/]*[0-~]?"  # any other ESC sequence, or a lone ESC
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit OSC, DCS, PM, APC
)
_SPACES = "\t\n\r\x0b\x0c\x85\u2028\u2029"


def _visible(ch: str) -> str:
    if ch in _SPACES:
        return " "
    return "" if unicodedata.category(ch) in ("Cc", "Cf") else ch


def plain_text(value: object, lines: bool = False) -> str:
    """``value`` as text without escape sequences, control or format characters; tabs and line
    breaks become spaces (with ``lines``, line breaks stay, as ``\n``). Everything else is left
    as it was (no trimming, no NFKC)."""
    text = "" if value is None else str(value)
    if text.isprintable():  # the usual case, answered in C
        return text
    if lines:
        return "\n".join(plain_text(line) for line in text.splitlines())
    return "".join(_visible(ch) for ch in _ESCAPE.sub("", text))
