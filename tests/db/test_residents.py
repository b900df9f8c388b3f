"""Registering, moving and finding residents."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import recycle
from db.areas import add_area, area_tree
from db.models import Household, RecycleBin, Resident
from db.pinyin import name_keys
from db.residents import (
    ResidentInput,
    count_residents,
    delete_resident,
    find_residents,
    household_members,
    move_resident,
    page_residents,
    register_resident,
    search_residents,
    set_head,
    update_resident,
)
from db.validate import Invalid


@pytest.fixture
def people(db_path: Path) -> dict[str, Resident]:
    grid = add_area("第1网格", add_area("阳光小区", add_area("城关社区")))
    other = add_area("第2网格", add_area("桃园组", add_area("桃园村")))
    made = {}
    rows = [
        ("张三", "360426199101010071", "13812345678", "阳光小区1栋101", grid),
        ("王新超", "412723199010050012", "13955551234", "阳光小区2栋202", grid),
        ("曾小明", "110102199101010078", "13700001111", "桃园村三组18号", other),
        ("单田芳", "120110198012010073", "", "桃园村三组19号", other),
    ]
    for name, idn, phone, address, area in rows:
        made[name] = register_resident(ResidentInput(name, idn, phone), address=address,
                                       area=area)
    return made


def test_surname_readings_pypinyin_gets_wrong() -> None:
    assert name_keys("曾小明")[0] == "zxm"
    assert name_keys("单田芳")[0] == "stf"
    assert name_keys("乐嘉")[0] == "yj" and name_keys("乐嘉")[1] == "lj"
    assert name_keys("张三") == ("zs", None)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zs", {"张三"}),
        ("wxc", {"王新超"}),
        ("zxm", {"曾小明"}),
        ("stf", {"单田芳"}),
        ("0071", {"张三"}),
        ("010078", {"曾小明"}),
        ("19901005", {"王新超"}),
        ("5551", {"王新超"}),
        ("1381234", {"张三"}),
        ("新超", {"王新超"}),
        ("桃园村", {"曾小明", "单田芳"}),
        ("2栋", {"王新超"}),
        ("３６０４２６", {"张三"}),
    ],
)
def test_one_box_finds_by_every_kind(
    people: dict[str, Resident], query: str, expected: set[str]
) -> None:
    assert {r.name for r in search_residents(query)} == expected


def test_search_within_an_area(people: dict[str, Resident]) -> None:
    village = people["曾小明"].household.area.parent.parent
    assert {r.name for r in search_residents("1", village.id)} == set()
    assert {r.name for r in search_residents("1991", village.id)} == {"曾小明"}


def test_duplicate_id_is_refused_and_nothing_saved(people: dict[str, Resident]) -> None:
    households = Household.select().count()
    with pytest.raises(Invalid, match="已登记：张三"):
        register_resident(ResidentInput("张三三", "360426 19910101 0071"), address="x")
    assert Household.select().count() == households
    assert Resident.select().count() == 4


def test_bad_id_in_edit_changes_nothing(people: dict[str, Resident]) -> None:
    zhang = people["张三"]
    with pytest.raises(Invalid, match="校验位"):
        update_resident(zhang.id, ResidentInput("张三", "360426199101010072"))
    assert Resident.get_by_id(zhang.id).id_number == "360426199101010071"


def test_sex_and_birth_come_from_the_id(people: dict[str, Resident]) -> None:
    wang = Resident.get_by_id(people["王新超"].id)
    assert wang.sex == "男" and wang.birth_date.isoformat() == "1990-10-05"


def test_household_move_and_head(people: dict[str, Resident]) -> None:
    zhang, wang = people["张三"], people["王新超"]
    move_resident(wang.id, zhang.household.id, "子")
    assert [m.name for m in household_members(zhang.household.id)] == ["张三", "王新超"]
    set_head(zhang.household.id, wang.id)
    members = household_members(zhang.household.id)
    assert [(m.name, m.relation) for m in members] == [("王新超", "户主"), ("张三", "")]


def test_pages_walk_the_whole_list_both_ways(people: dict[str, Resident]) -> None:
    first = page_residents(limit=3)
    second = page_residents(after=first[-1].id, limit=3)
    assert [r.name for r in first + second] == ["张三", "王新超", "曾小明", "单田芳"]
    assert [r.name for r in page_residents(before=-1, limit=2)] == ["曾小明", "单田芳"]
    assert [r.name for r in page_residents(before=second[0].id, limit=3)] == [
        "张三", "王新超", "曾小明"]
    assert first[0].grid == "第1网格" and first[0].address == "阳光小区1栋101"


def test_area_tree_counts_its_subtree(people: dict[str, Resident]) -> None:
    nodes = {n.name: n for n in area_tree()}
    assert (nodes["城关社区"].residents, nodes["城关社区"].households) == (2, 2)
    assert nodes["第2网格"].residents == 2
    assert count_residents(nodes["桃园村"].id) == 2


def test_digit_search_forgets_a_deleted_resident_and_finds_them_restored(
        people: dict[str, Resident]) -> None:
    zhang = people["张三"].id
    assert find_residents("0071") == [zhang]
    delete_resident(zhang)
    assert find_residents("0071") == [] and find_residents("1381234") == []
    recycle.restore(RecycleBin.select().order_by(RecycleBin.id.desc()).first().id)
    assert find_residents("0071") == [zhang]
