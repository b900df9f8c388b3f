"""The township's area tree (社区/村 → 小区/村民组 → 网格 → 楼栋) and its operations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from db import recycle
from db.connection import database
from db.models import AREA_LEVELS, Area
from db.validate import Invalid, normalize_text


def add_area(name: str, parent: Area | None = None, leader: str = "", phone: str = "") -> Area:
    """Add a node under ``parent`` (a community/village when parent is None)."""
    name = normalize_text(name)
    if not name:
        raise Invalid("区域名称不能为空")
    level = 1 if parent is None else parent.level + 1
    if level > 4:
        raise Invalid("楼栋下不能再添加区域")
    siblings = Area.select().where(
        (Area.parent.is_null() if parent is None else Area.parent == parent) & (Area.name == name)
    )
    if siblings.exists():
        raise Invalid(f"“{name}”已存在")
    with database.atomic():
        area = Area.create(name=name, level=level, parent=parent, path="", leader=leader,
                           phone=phone)
        area.path = f"{parent.path if parent else '/'}{area.id}/"
        area.save()
    return area


def get_or_add_path(names: list[str]) -> Area | None:
    """The area at the end of a path of names from the root, creating missing nodes."""
    parent: Area | None = None
    for name in names:
        name = normalize_text(name)
        if not name:
            continue
        found = Area.get_or_none(
            (Area.parent.is_null() if parent is None else Area.parent == parent)
            & (Area.name == name)
        )
        parent = found or add_area(name, parent)
    return parent


def find_area(name: str) -> Area:
    """The one area called ``name`` (exact); an unknown or ambiguous name is an error."""
    matches = list(Area.select().where(Area.name == normalize_text(name)))
    if not matches:
        raise Invalid(f"没有名为“{name}”的社区、小区、网格或楼栋")
    if len(matches) > 1:
        raise Invalid(f"有多个名为“{name}”的区域：{'、'.join(full_name(a) for a in matches)}")
    return matches[0]


def subtree_ids(area_id: int) -> list[int]:
    """Ids of an area and every node below it."""
    area = Area.get_by_id(area_id)
    return [a for (a,) in Area.select(Area.id).where(Area.path.startswith(area.path)).tuples()]


def full_name(area: Area | None) -> str:
    """'城关社区/阳光小区/第1网格/3栋' for a node."""
    if area is None:
        return ""
    ids = [int(part) for part in area.path.strip("/").split("/") if part]
    names = {a.id: a.name for a in Area.select(Area.id, Area.name).where(Area.id.in_(ids))}
    return "/".join(names[i] for i in ids if i in names)


@dataclass(frozen=True)
class AreaNode:
    id: int
    name: str
    level: int
    parent_id: int | None
    residents: int
    households: int


def area_tree() -> list[AreaNode]:
    """Every area with resident and household counts of its whole subtree, in tree order."""
    areas = list(Area.select().order_by(Area.level, Area.sort, Area.id))
    direct_res: dict[int, int] = {}
    direct_hh: dict[int, int] = {}
    cursor = database.execute_sql(
        "SELECT h.area_id, count(DISTINCT h.id), count(r.id) FROM household h "
        "LEFT JOIN resident r ON r.household_id = h.id GROUP BY h.area_id"
    )
    for area_id, households, residents in cursor.fetchall():
        if area_id is not None:
            direct_hh[area_id] = households
            direct_res[area_id] = residents
    totals_res = dict.fromkeys((a.id for a in areas), 0)
    totals_hh = dict.fromkeys((a.id for a in areas), 0)
    for area in areas:
        for part in area.path.strip("/").split("/"):
            ancestor = int(part)
            if ancestor in totals_res:
                totals_res[ancestor] += direct_res.get(area.id, 0)
                totals_hh[ancestor] += direct_hh.get(area.id, 0)
    return [
        AreaNode(a.id, a.name, a.level, a.parent_id, totals_res[a.id], totals_hh[a.id])
        for a in areas
    ]


def delete_area(area_id: int) -> None:
    """Move an area (and the nodes below it) to the recycle bin."""
    area = Area.get_by_id(area_id)
    recycle.delete(area, f"{AREA_LEVELS[area.level]} {full_name(area)}")


def area_places() -> Callable[[int | None], tuple[str, str, str, str]]:
    """The one answer to "where is this household": an area's 社区（村）, 小区, 网格 and 楼栋
    (empty where the path has no such level), from one read of the area table."""
    areas = {a: (name, level, parent) for a, name, level, parent in database.execute_sql(
        "SELECT id, name, level, parent_id FROM area").fetchall()}

    def places(area_id: int | None) -> tuple[str, str, str, str]:
        found = ["", "", "", ""]
        node = area_id
        while node is not None and node in areas:
            name, level, parent = areas[node]
            if 1 <= level <= 4:
                found[level - 1] = name
            node = parent
        return found[0], found[1], found[2], found[3]

    return places


def area_by_id(area_id: int | None) -> Area | None:
    """The area with this id; None for none (the whole township) or an id no longer there."""
    return Area.get_or_none(Area.id == area_id) if area_id else None
