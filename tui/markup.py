"""Putting text from data or settings into Textual markup so that it is shown as written."""

from __future__ import annotations

from db.text import plain_text


def escape(text: object) -> str:
    """``text`` for a place inside markup: every "[" escaped, so nothing in it starts a tag,
    and no control character or escape sequence (stored before they were refused) reaches the
    terminal.

    rich.markup.escape (and Textual's copy of it) only escapes a "[" that a "]" closes, but
    Textual's parser reads "[/" on its own as a closing tag: a search for "[/" crashed the
    residents screen. Backslashes need nothing: Textual only treats one before "[" as special.
    """
    return plain_text(text, lines=True).replace("[", "\\[")
