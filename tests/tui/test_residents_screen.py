"""The residents section as a clerk uses it: search, add, edit, household, delete and restore."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.models import RecycleBin, Resident
from db.residents import ResidentInput, register_resident
from tests.tui.conftest import SIZE, notices, screen_text, settle
from tui.app import EprcApp


@pytest.fixture
def town(demo_path: Path) -> Path:
    register_resident(ResidentInput("曾小明", "110102199101010078", "13700001111"),
                      address="阳光小区9栋901", number="T-001")
    return demo_path


async def open_residents(app: EprcApp, pilot) -> None:
    await settle(pilot)
    await pilot.press("f2")
    await settle(pilot)


async def search(pilot, text: str) -> str:
    await pilot.press("slash", *text)
    await settle(pilot)
    return screen_text(pilot)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("zxm", "曾小明"), ("010078", "曾小明"), ("0000111", "曾小明"), ("阳光小区9栋", "曾小明")],
)
async def test_search_as_you_type(town: Path, query: str, expected: str) -> None:
    app = EprcApp(town, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_residents(app, pilot)
        text = await search(pilot, query)
        assert expected in text
        assert f"搜索“{query}”：找到" in text
        assert app.screen.rows[0].name == expected


async def test_list_pages_through_the_register(town: Path) -> None:
    app = EprcApp(town, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_residents(app, pilot)
        screen = app.screen
        assert len(screen.rows) == 100 and screen.rows[0].id == 1
        assert "共 2,001 人" in screen_text(pilot)
        await pilot.press(*["down"] * 100)
        await settle(pilot)
        assert screen.rows[0].id == 101
        assert "本页编号 101—200" in screen_text(pilot)
        await pilot.press("up")
        await settle(pilot)
        assert screen.rows[-1].id == 100
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert screen.rows[-1].name == "曾小明"
        await pilot.press("ctrl+home")
        await settle(pilot)
        assert screen.rows[0].id == 1


async def test_add_with_a_bad_id_shows_why_and_saves_nothing(town: Path) -> None:
    before = Resident.select().count()
    app = EprcApp(town, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_residents(app, pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"李四", "enter", *"412723199010050013")
        await settle(pilot)
        assert "身份证号码校验位错误" in screen_text(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "身份证号码校验位错误" in screen_text(pilot)
        assert Resident.select().count() == before
        for _ in range(18):
            await pilot.press("backspace")
        await pilot.press(*"412723199010050012")
        await settle(pilot)
        assert "性别：男　出生日期：1990-10-05" in screen_text(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = Resident.get(Resident.id_number == "412723199010050012")
    assert (saved.name, saved.sex, saved.relation) == ("李四", "男", "户主")
    assert Resident.select().count() == before + 1


async def test_household_view_add_member_and_set_head(town: Path) -> None:
    app = EprcApp(town, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_residents(app, pilot)
        await search(pilot, "zxm")
        await pilot.press("enter", "h")
        await settle(pilot)
        text = screen_text(pilot)
        assert "户号：T-001" in text and "阳光小区9栋901" in text and "成员：1人" in text
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"曾小红", "enter", *"120110199212010072", "enter", "enter",
                          *"女", "ctrl+s")
        await settle(pilot)
        assert "成员：2人" in screen_text(pilot)
        await pilot.press("down", "t")
        await settle(pilot)
        assert any("曾小红 已设为户主" in n for n in notices(pilot))
        assert "曾小红  户主" in screen_text(pilot)
    head = Resident.get(Resident.id_number == "120110199212010072")
    assert head.relation == "户主" and head.household.number == "T-001"
    assert Resident.get(Resident.name == "曾小明").relation == ""


async def test_delete_goes_to_the_recycle_bin_and_comes_back(town: Path) -> None:
    app = EprcApp(town, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_residents(app, pilot)
        await search(pilot, "zxm")
        await pilot.press("down")  # from the search box into the list
        await pilot.press("delete")
        await settle(pilot)
        assert "删除居民 曾小明" in screen_text(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not Resident.select().where(Resident.name == "曾小明").exists()
        assert RecycleBin.select().count() == 1
        await pilot.press("f8")
        await settle(pilot)
        assert "居民 曾小明" in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "回收站是空的" in screen_text(pilot)
    assert Resident.get(Resident.name == "曾小明").household.number == "T-001"
