"""Putting text from data or settings into Textual markup so that it is shown as written."""

from __future__ import annotations


def escape(text: object) -> str:
    """``text`` for a place inside markup: every "[" escaped, so nothing in it starts a tag.

    rich.markup.escape (and Textual's copy of it) only escapes a "[" that a "]" closes, but
    Textual's parser reads "[/" on its own as a closing tag: a search for "[/" crashed the
    residents screen. Backslashes need nothing: Textual only treats one before "[" as special.
    """
    return str(text).replace("[", "\\[")
