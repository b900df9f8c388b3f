"""The one normaliser every way in uses: escape sequences, control and format characters go,
everything the clerk can see stays."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.text import plain_text


@pytest.mark.parametrize(("raw", "expected"), [
    ("张三\x1b]0;PWNED\x07", "张三"),  # OSC: retitles the terminal window
    ("\x1b]0;PWNED\x1b\\李四", "李四"),  # OSC ended by ST
    ("\x1b[2J\x1b[H王五", "王五"),  # CSI: clear screen, cursor home
    ("\x9b31m赵六\x9d0;x\x9c", "赵六"),  # 8-bit CSI and OSC
    ("备注\u202e反向\u2066隔离\u2069", "备注反向隔离"),  # bidi overrides and isolates
    ("3401\u200b2219\u200c9001\ufeff010011", "340122199001010011"),  # zero-width, BOM
    ("[red]红[/red] [/x] [@click=app.quit]", "[red]红[/red] [/x] [@click=app.quit]"),
    ("第一行\n第二行\t\r\n", "第一行 第二行   "),
    ("lone \x1b", "lone "),
    (None, ""),
])
def test_what_goes_and_what_stays(raw: object, expected: str) -> None:
    assert plain_text(raw) == expected


def test_lines_can_be_kept() -> None:
    assert plain_text("您好！\r\n附件\x1b[31m是\x07日报\n", lines=True) == "您好！\n附件是日报"


@given(st.text())
def test_nothing_invisible_or_controlling_survives(text: str) -> None:
    out = plain_text(text)
    assert all(unicodedata.category(c) not in ("Cc", "Cf") for c in out)
    assert plain_text(out) == out


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_printable_text_is_left_exactly_as_it_was(text: str) -> None:
    assert plain_text(text) == text
