"""Residents and households (居民与户): register, edit, move, delete, and find them fast.

Lists page by keyset on the primary key and search is a union of indexed lookups, each capped,
so both stay fast at 400,000 residents (see bench/).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from db import clock, names, recycle
from db.areas import GRID_SQL, subtree_ids
from db.connection import database
from db.models import RESIDENCE_KINDS, RESIDENT_STATUSES, Area, Household, Resident
from db.names import mask_id as mask_id  # re-exported: sheets and imports take it from here
from db.pinyin import id_tail, name_search
from db.search_index import fts_phrase
from db.validate import Invalid, age_on, check_id, check_phone, normalize_text

HEAD = "户主"


@dataclass
class ResidentInput:
    """What a form or an import row says about a resident."""

    name: str
    id_number: object
    phone: object = ""
    relation: str = ""
    kind: str = "常住"
    status: str = "在册"
    notes: str = ""


def clean_name(value: object) -> str:
    """A person's name with stray and inner spaces removed (full-width too)."""
    return "".join(normalize_text(value).split())


def check_name(value: object) -> str:
    """A person's name, cleaned; refuses an empty or over-long name and stray symbols."""
    name = clean_name(value)
    if not name:
        raise Invalid("姓名不能为空")
    if len(name) > 40:
        raise Invalid(f"姓名过长（{len(name)}个字）")
    odd = [ch for ch in name if unicodedata.category(ch)[0] in "SC"]
    if odd:
        raise Invalid(f"姓名中有不应出现的字符“{''.join(odd[:3])}”")
    return name


def validate_resident(data: ResidentInput) -> dict[str, object]:
    """Check a resident's fields; return column values or raise Invalid naming the field."""
    name = check_name(data.name)
    info = check_id(data.id_number)
    phone = ""
    if normalize_text(data.phone):
        phone = check_phone(data.phone)
    if data.kind not in RESIDENCE_KINDS:
        raise Invalid(f"人员类别应为{'/'.join(RESIDENCE_KINDS)}")
    if data.status not in RESIDENT_STATUSES:
        raise Invalid(f"状态应为{'/'.join(RESIDENT_STATUSES)}")
    return {
        "name": name,
        **name_search(name),
        "id_number": info.number,
        "id_tail": id_tail(info.number),
        "sex": info.sex,
        "birth_date": info.birth_date,
        "phone": phone,
        "relation": normalize_text(data.relation),
        "kind": data.kind,
        "status": data.status,
        "notes": normalize_text(data.notes),
    }


_UNIT = re.compile(r"(\d+单元)")
_DOOR = re.compile(r"(\d+(?:室|号))$")


def split_address(address: str) -> tuple[str, str]:
    """(单元, 门牌号) read from a typed address such as 阳光小区3栋2单元301室."""
    unit = _UNIT.search(address)
    door = _DOOR.search(address)
    return (unit.group(1) if unit else "", door.group(1) if door else "")


def add_household(
    address: str, area: Area | None = None, number: str | None = None, pass_card: str = ""
) -> Household:
    """Open a new household (户)."""
    number = normalize_text(number) or None
    if number and Household.select().where(Household.number == number).exists():
        raise Invalid(f"户号“{number}”已存在")
    address = normalize_text(address)
    unit, door = split_address(address)
    return Household.create(number=number, address=address, area=area,
                            pass_card=check_pass_card(pass_card), unit=unit, door=door)


def check_pass_card(card: object, household_id: int | None = None) -> str:
    """A 临时出入卡 number as stored (upper case), refused when another household holds it: at
    the gate one card must find one household."""
    text = normalize_text(card).upper()
    if not text:
        return ""
    holder = (Household.select().where((Household.pass_card == text)
                                       & (Household.id != (household_id or 0))).first())
    if holder is not None:
        raise Invalid(f"出入卡号“{text}”已发给{household_label(holder)}，不能重复发放")
    return text


def household_label(household: Household) -> str:
    """户号 and address (and head) of a household, as a clerk tells households apart."""
    head = (Resident.select(Resident.name).where((Resident.household == household.id)
                                                  & (Resident.relation == HEAD)).first())
    parts = [names.household(household.number, household.address) or "（未填住址）",
             f"户主{head.name}" if head else ""]
    return "　".join(p for p in parts if p)


def update_household(household_id: int, **fields: object) -> Household:
    household = Household.get_by_id(household_id)
    for key, value in fields.items():
        if key == "pass_card":
            value = check_pass_card(value, household_id)
        setattr(household, key, normalize_text(value) if isinstance(value, str) else value)
    household.save()
    return household


def find_households(text: str, besides: int | None = None, limit: int = 20) -> list[Household]:
    """Households a clerk means by ``text``: its 户号 (or part of it), its 户主's name, or part
    of its address; ``besides`` (the household one moves from) is left out."""
    q = normalize_text(text)
    if not q:
        raise Invalid("请输入户主姓名、住址或户号")
    pattern = f"%{q.replace('%', '').replace('_', '')}%"
    ids: list[int] = []
    queries = [
        Household.select(Household.id).where(Household.number == q),
        Resident.select(Resident.household).where((Resident.name == q)
                                                  & (Resident.relation == HEAD)),
        Household.select(Household.id).where(Household.number ** pattern),
        Household.select(Household.id).where(Household.address ** pattern),
    ]
    for query in queries:
        for (found,) in query.limit(limit).tuples():
            if found is not None and found != besides and found not in ids:
                ids.append(found)
    ids = ids[:limit]
    by_id = {h.id: h for h in Household.select().where(Household.id.in_(ids))}
    return [by_id[i] for i in ids if i in by_id]


def register_resident(
    data: ResidentInput,
    household: Household | None = None,
    *,
    address: str = "",
    number: str | None = None,
    area: Area | None = None,
) -> Resident:
    """Register a new resident in ``household``, or as head of a new household opened at
    ``address`` (with 户号 ``number`` in ``area``); all or nothing."""
    values = validate_resident(data)
    existing = Resident.get_or_none(Resident.id_number == values["id_number"])
    if existing is not None:
        raise Invalid(f"身份证号码已登记：{existing.name}")
    with database.atomic():
        if household is None:
            household = add_household(address, area, number)
            values["relation"] = values["relation"] or HEAD
        return Resident.create(household=household, **values)


def update_resident(resident_id: int, data: ResidentInput) -> Resident:
    """Save an edited resident; the ID number stays unique."""
    values = validate_resident(data)
    clash = Resident.get_or_none(
        (Resident.id_number == values["id_number"]) & (Resident.id != resident_id)
    )
    if clash is not None:
        raise Invalid(f"身份证号码已登记：{clash.name}")
    resident = Resident.get_by_id(resident_id)
    for key, value in values.items():
        setattr(resident, key, value)
    resident.updated_at = clock.now()
    resident.save()
    return resident


def delete_resident(resident_id: int) -> None:
    """Move a resident (with their key-person records) to the recycle bin."""
    resident = Resident.get_by_id(resident_id)
    recycle.delete(resident, f"居民 {names.resident(resident.name, resident.id_number)}")


def delete_household(household_id: int) -> None:
    """Move a household and all its members to the recycle bin."""
    household = Household.get_by_id(household_id)
    named = names.household(household.number, household.address) or household.id
    recycle.delete(household, f"户 {named}")


def move_resident(resident_id: int, household_id: int, relation: str = "") -> Resident:
    """Move a person to another household."""
    with database.atomic():
        resident = Resident.get_by_id(resident_id)
        resident.household = Household.get_by_id(household_id)
        resident.relation = normalize_text(relation)
        resident.save()
    return resident


def set_head(household_id: int, resident_id: int) -> None:
    """Make a member the head (户主); the former head's relation is cleared for the clerk to fill."""
    with database.atomic():
        members = list(Resident.select().where(Resident.household == household_id))
        if resident_id not in {m.id for m in members}:
            raise Invalid("此人不是该户成员")
        for member in members:
            if member.id == resident_id and member.relation != HEAD:
                member.relation = HEAD
                member.save()
            elif member.id != resident_id and member.relation == HEAD:
                member.relation = ""
                member.save()


def household_members(household_id: int) -> list[Resident]:
    """Members of a household, head first."""
    return sorted(
        Resident.select().where(Resident.household == household_id),
        key=lambda r: (r.relation != HEAD, r.birth_date),
    )


def mask_phone(phone: str) -> str:
    """138****5678 for public sheets."""
    return phone[:3] + "****" + phone[-4:] if len(phone) == 11 else phone


# --- listing and search -------------------------------------------------------------------------


@dataclass(frozen=True)
class ResidentRow:
    id: int
    name: str
    sex: str
    age: int
    id_number: str
    phone: str
    address: str
    grid: str
    kind: str
    status: str
    household_id: int | None


_ROW_SQL = f"""
SELECT r.id, r.name, r.sex, r.birth_date, r.id_number, r.phone, h.address,
       {GRID_SQL}, r.kind, r.status, r.household_id
FROM resident r
LEFT JOIN household h ON h.id = r.household_id
LEFT JOIN area a ON a.id = h.area_id
LEFT JOIN area p ON p.id = a.parent_id
"""


def _to_rows(records: list[tuple]) -> list[ResidentRow]:
    today = clock.today()
    rows = []
    for rid, name, sex, birth, idn, phone, address, grid, kind, status, hid in records:
        birth_date = birth if isinstance(birth, dt.date) else dt.date.fromisoformat(birth)
        rows.append(ResidentRow(rid, name, sex, age_on(birth_date, today), idn, phone or "",
                                address or "", grid or "", kind, status, hid))
    return rows


def _area_clause(area_id: int | None) -> tuple[str, list[object]]:
    if area_id is None:
        return "", []
    ids = subtree_ids(area_id)
    marks = ",".join("?" * len(ids))
    return (f" AND r.household_id IN (SELECT id FROM household WHERE area_id IN ({marks}))",
            list(ids))


def count_residents(area_id: int | None = None) -> int:
    clause, params = _area_clause(area_id)
    sql = "SELECT count(*) FROM resident r WHERE 1=1" + clause
    return database.execute_sql(sql, params).fetchone()[0]


def page_residents(
    after: int | None = None,
    before: int | None = None,
    limit: int = 100,
    area_id: int | None = None,
) -> list[ResidentRow]:
    """One page of the register in id order: after an id, before an id (the page ending there),
    or from the start; ``before=-1`` gives the last page."""
    clause, params = _area_clause(area_id)
    if before is not None:
        where = "r.id < ?" if before >= 0 else "1=1"
        args = ([before] if before >= 0 else []) + params + [limit]
        sql = f"{_ROW_SQL} WHERE {where}{clause} ORDER BY r.id DESC LIMIT ?"
        return list(reversed(_to_rows(database.execute_sql(sql, args).fetchall())))
    sql = f"{_ROW_SQL} WHERE r.id > ?{clause} ORDER BY r.id LIMIT ?"
    return _to_rows(database.execute_sql(sql, [after or 0, *params, limit]).fetchall())


_GLOB_SPECIAL = re.compile(r"[*?\[\]]")


Part = tuple[str, list[object]]


def _search_parts(query: str, whole_township: bool = True) -> tuple[list[Part], list[Part]]:
    """The indexed lookups one search box runs, and the scans tried only when they find nothing.

    Each part is (SQL selecting r.id, params). Over the whole township the digit index's row
    ids are taken as they are: joining each to its resident row only to read back its id cost
    up to 200 page reads from a cold disk.
    """
    q = _GLOB_SPECIAL.sub("", "".join(unicodedata.normalize("NFKC", query).split()))
    if not q:
        return [], []
    if q.isascii() and q.isalpha():
        key = q.lower()
        return [("SELECT r.id FROM resident r WHERE r.name_key GLOB ?", [key + "*"]),
                ("SELECT r.id FROM resident r WHERE r.name_key_alt GLOB ?", [key + "*"])], []
    if re.fullmatch(r"\d+[xX]?", q):
        if len(q) < 4:
            return [], []
        if whole_township:
            return [("SELECT r.id FROM (SELECT rowid AS id FROM resident_digits "
                     "WHERE resident_digits MATCH ?) r WHERE 1=1", [fts_phrase(q.upper())])], []
        return [("SELECT r.id FROM resident_digits f JOIN resident r ON r.id = f.rowid "
                 "WHERE resident_digits MATCH ?", [fts_phrase(q.upper())])], []
    parts: list[Part] = [
        ("SELECT r.id FROM resident r WHERE r.name GLOB ?", [q + "*"]),
        ("SELECT r.id FROM resident r WHERE r.name_rev GLOB ?", [q[::-1] + "*"]),
    ]
    if len(q) >= 3:
        parts.append(("SELECT r.id FROM household_words f JOIN resident r "
                      "ON r.household_id = f.rowid WHERE household_words MATCH ?",
                      [fts_phrase(q)]))
    else:
        parts.append(("SELECT r.id FROM household h JOIN resident r ON r.household_id = h.id "
                      "WHERE h.address GLOB ?", [q + "*"]))
    scans: list[Part] = [("SELECT r.id FROM resident r WHERE instr(r.name, ?) > 0", [q])]
    if len(q) < 3:
        scans.append(("SELECT r.id FROM household h JOIN resident r ON r.household_id = h.id "
                      "WHERE instr(h.address, ?) > 0", [q]))
    return parts, scans


def find_residents(query: str, area_id: int | None = None, limit: int = 200) -> list[int]:
    """Ids of residents matching a name (or part of it), pinyin initials, any 4+ digits of an
    ID or a phone, or words of the address; best matches first.

    Indexed lookups run in turn, each capped, until ``limit`` residents are found; a full scan
    (a rare inner character of a name, a short address fragment) only when they find no one.
    Only indexes are read: the rows themselves are fetched a screenful at a time
    (:func:`resident_rows`), which is what a search costs on a cold disk.
    """
    clause, area_params = _area_clause(area_id)
    found: list[int] = []
    seen: set[int] = set()
    parts, scans = _search_parts(query, whole_township=area_id is None)

    def run(steps: list[Part]) -> None:
        for sql, params in steps:
            if len(found) >= limit:
                break
            exclude = f" AND r.id NOT IN ({','.join(map(str, seen))})" if seen else ""
            cursor = database.execute_sql(
                f"{sql}{clause}{exclude} LIMIT ?", [*params, *area_params, limit - len(found)]
            )
            for (rid,) in cursor.fetchall():
                if rid not in seen:
                    seen.add(rid)
                    found.append(rid)

    run(parts)
    if not found:
        run(scans)
    return found


def resident_rows(ids: Sequence[int]) -> list[ResidentRow]:
    """The list rows of these residents, in the order given."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = database.execute_sql(f"{_ROW_SQL} WHERE r.id IN ({marks})", list(ids)).fetchall()
    order = {rid: n for n, rid in enumerate(ids)}
    return sorted(_to_rows(rows), key=lambda row: order[row.id])


def search_residents(query: str, area_id: int | None = None, limit: int = 200) -> list[ResidentRow]:
    """The rows of :func:`find_residents`, all of them."""
    return resident_rows(find_residents(query, area_id, limit))


def register_rows(area_id: int | None) -> tuple[int, Iterator[tuple[Any, ...]]]:
    """How many residents the register lists (one area and below, or the whole township), and
    their rows, households together, head first: number, name, sex, ID, birth date, relation,
    phone, area id, unit, door, address, kind, notes."""
    where, params = "", []
    if area_id is not None:
        ids = subtree_ids(area_id)
        where = f"WHERE h.area_id IN ({','.join('?' * len(ids))})"
        params = ids
    total = database.execute_sql(
        f"SELECT count(*) FROM resident r JOIN household h ON h.id = r.household_id {where}",
        params).fetchone()[0]
    cursor = database.execute_sql(
        "SELECT h.number, r.name, r.sex, r.id_number, r.birth_date, r.relation, r.phone, "
        "h.area_id, h.unit, h.door, h.address, r.kind, r.notes FROM resident r "
        f"JOIN household h ON h.id = r.household_id {where} "
        "ORDER BY h.area_id, h.id, r.relation != '户主', r.birth_date", params)
    return total, iter(cursor)


def household_by_id(household_id: int) -> Household:
    return Household.get_by_id(household_id)


def resident_by_id(resident_id: int) -> Resident:
    return Resident.get_by_id(resident_id)


def find_resident(id_number: str) -> Resident | None:
    """The resident with this (checked) ID number, or None."""
    return Resident.get_or_none(Resident.id_number == id_number)
