"""Pinyin initials of names, computed once when a name is saved and stored for indexed search.

pypinyin reads several surnames wrong (曾 is z as a surname, not c), so the first character of a
name is looked up in a small surname table first. A name gets a main key and, where its surname has
another common reading, an alternative key; search matches either.
"""

from __future__ import annotations

from functools import cache

# Surname readings pypinyin gets wrong; the first reading is the surname's own.
SURNAME_INITIALS: dict[str, tuple[str, ...]] = {
    "曾": ("z",),
    "单": ("s",),
    "解": ("x",),
    "仇": ("q",),
    "区": ("o",),
    "朴": ("p",),
    "查": ("z",),
    "翟": ("z",),
    "乐": ("y", "l"),
    "盖": ("g",),
    "尉": ("y", "w"),
    "缪": ("m",),
    "秘": ("b",),
    "覃": ("q",),
    "召": ("s",),
    "种": ("c",),
    "员": ("y",),
}


@cache
def char_initial(char: str) -> str:
    """The first letter of a character's most common reading; letters and digits as themselves."""
    if char.isascii():
        return char.lower() if char.isalnum() else ""
    from pypinyin import Style, lazy_pinyin

    letters = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return letters[0][:1].lower() if letters else ""


def name_keys(name: str) -> tuple[str, str | None]:
    """Return (key, alternative key or None) of pinyin initials for a person's name.

    >>> name_keys("曾小明")
    ('zxm', 'cxm')
    """
    chars = [ch for ch in name if not ch.isspace() and ch not in "·•.-"]
    if not chars:
        return "", None
    rest = "".join(char_initial(ch) for ch in chars[1:])
    plain = char_initial(chars[0]) + rest
    readings = SURNAME_INITIALS.get(chars[0])
    if not readings:
        return plain, None
    key = readings[0] + rest
    alternatives = [r + rest for r in readings[1:]] + [plain]
    alt = next((a for a in alternatives if a != key), None)
    return key, alt


def name_search(name: str) -> dict[str, str | None]:
    """The one place a resident's name becomes its search columns (form, import, demo):
    reversed for "ends with", pinyin initials and their alternative reading."""
    key, alt = name_keys(name)
    return {"name_rev": name[::-1], "name_key": key, "name_key_alt": alt}


def id_tail(number: str) -> str:
    """An ID number's search column: reversed, so "ends with 1234" is an index prefix."""
    return number[::-1]
