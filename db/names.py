"""How a record is named to the clerk: on screen, in sheets, in the recycle bin and in the audit
view. One function per kind of record, taking the record's stored values, so a form, a list, a
sheet and the history (which names rows long deleted, from the values it logged) say the same.

The models' ``display_name`` (db.models) and the history's namers (db.history) both call these;
nothing else builds a record's name by hand. A record named after another one (a key person
after the resident, a measure after its person) takes that one's name as text.
"""

from __future__ import annotations


def _text(value: object) -> str:
    return "" if value is None else str(value)


def mask_id(number: str) -> str:
    """110101********1234: an ID number as public sheets and lists show it."""
    return number[:6] + "*" * 8 + number[-4:] if len(number) == 18 else number


def person(name: object) -> str:
    """A resident, a key person (by the resident's name), a volunteer or any staff member."""
    return _text(name)


def resident(name: object, id_number: str) -> str:
    """A resident told apart from namesakes: 李梅 412723********0020."""
    return f"{_text(name)} {mask_id(id_number)}".strip()


def post(name: object) -> str:
    """A checkpoint or sampling point (卡口、采样点)."""
    return _text(name)


def household(number: object, address: object) -> str:
    """户号3-101（阳光小区3栋101）, or the address alone when the household has no 户号."""
    place = _text(address)
    if not number:
        return place
    return f"户号{number}" + (f"（{place}）" if place else "")


def donation(receipt_no: object) -> str:
    """A donation by its receipt: 收据2022-0001."""
    return f"收据{_text(receipt_no)}"


def item(name: object, spec: object) -> str:
    """Goods by name and specification: 方便面 24袋/箱 (the name alone without one)."""
    return f"{_text(name)} {spec}" if spec else _text(name)


def pushed_batch(batch_id: object, file_name: object) -> str:
    """A list pushed by the district: 推送第3批 推送0411.xlsx."""
    return f"推送第{_text(batch_id)}批 {_text(file_name)}".strip()


def measure(person_name: str, kind: object) -> str:
    """A control measure: 张三（居家隔离）."""
    return f"{person_name}（{_text(kind)}）"


def slot(name: object, start: object, end: object) -> str:
    """A shift slot: 早班（08:00-12:00）."""
    return f"{_text(name)}（{start}-{end}）"


def shift(post_name: str, day: object, slot_name: str) -> str:
    """One shift at a post: 东门卡口 2022-04-11 早班（08:00-12:00）."""
    return f"{post_name} {_text(day)} {slot_name}".strip()


def assignment(person_name: str, shift_name: str) -> str:
    """A seat on a shift: 张三（东门卡口 2022-04-11 早班…）."""
    return f"{person_name}（{shift_name}）"


def gate_passage(post_name: str, name: object, plate: object) -> str:
    """A passage at a gate: 东门卡口 张三 (or the plate when no name was taken)."""
    return f"{post_name} {_text(name or plate)}".strip()


def donation_item(donation_name: str, item_name: str) -> str:
    return f"{donation_name} {item_name}"


def distribution(item_name: str, recipient: object) -> str:
    """Goods handed out: 方便面 24袋/箱→桃园村1号卡口."""
    return f"{item_name}→{_text(recipient)}"


def expense(purpose: object, amount: object) -> str:
    return f"{_text(purpose)} {amount or ''}元".strip()


def recipient(unit: object, name: object) -> str:
    """A mail recipient: 县疫情防控指挥部王科长."""
    return f"{_text(unit)}{_text(name)}"
