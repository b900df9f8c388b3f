"""The residents section as a clerk uses it: search, add, edit, household, delete and restore."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from db.areas import subtree_ids
from db.models import Household, RecycleBin, Resident
from db.residents import ResidentInput, find_residents, register_resident
from tests.tui.conftest import notices, press, run_file_job, running, screen_text, settle
from tui.widgets.paged_table import PagedTable


@pytest.fixture
def town(demo_path: Path) -> Path:
    register_resident(ResidentInput("曾小明", "110102199101010078", "13700001111"),
                      address="阳光小区9栋901", number="T-001")
    return demo_path


async def search(pilot, text: str) -> str:
    await press(pilot, "slash", *text)
    return screen_text(pilot)


@pytest.mark.parametrize(
    ("query", "expected"),
    [("zxm", "曾小明"), ("010078", "曾小明"), ("0000111", "曾小明"), ("阳光小区9栋", "曾小明")],
)
async def test_search_as_you_type(town: Path, query: str, expected: str) -> None:
    async with running(town, "f2") as (app, pilot):
        text = await search(pilot, query)
        assert expected in text
        assert f"搜索“{query}”：找到" in text
        assert app.screen.rows[0].name == expected


async def test_long_search_results_arrive_a_screenful_at_a_time(town: Path) -> None:
    everyone = find_residents("z", limit=200)  # every name whose pinyin starts with z
    assert len(everyone) > 100
    async with running(town, "f2") as (app, pilot):
        text = await search(pilot, "z")
        screen = app.screen
        assert f"找到 {len(everyone)} 人" in text
        assert [r.id for r in screen.rows] == everyone[:50]  # only the first rows are read
        await press(pilot, "down", *["down"] * 50)  # into the list, then past its last row
        assert [r.id for r in screen.rows] == everyone[:100]
        assert screen.query_one(PagedTable).cursor_row == 50


async def test_list_pages_through_the_register(town: Path) -> None:
    async with running(town, "f2") as (app, pilot):
        screen = app.screen
        assert len(screen.rows) == 100 and screen.rows[0].id == 1
        assert "共 2,001 人" in screen_text(pilot)
        await press(pilot, *["down"] * 100)
        assert screen.rows[0].id == 101
        assert "本页编号 101—200" in screen_text(pilot)
        await press(pilot, "up")
        assert screen.rows[-1].id == 100
        await press(pilot, "ctrl+end")
        assert screen.rows[-1].name == "曾小明"
        await press(pilot, "ctrl+home")
        assert screen.rows[0].id == 1


async def test_add_with_a_bad_id_shows_why_and_saves_nothing(town: Path) -> None:
    before = Resident.select().count()
    async with running(town, "f2") as (app, pilot):
        await press(pilot, "n")  # 全镇 is selected: the new household's area is asked first
        await press(pilot, *"没有这个村", "enter")
        assert any("没有名为“没有这个村”" in n for n in notices(pilot))
        await press(pilot, "n")
        await press(pilot, *"城关社区", "enter")
        await press(pilot, *"李四", "enter", *"412723199010050013")
        assert "身份证号码校验位错误" in screen_text(pilot)
        await press(pilot, "ctrl+s")
        assert "身份证号码校验位错误" in screen_text(pilot)
        assert Resident.select().count() == before
        for _ in range(18):
            await pilot.press("backspace")
        await press(pilot, *"412723199010050012")
        assert "性别：男　出生日期：1990-10-05" in screen_text(pilot)
        await press(pilot, "ctrl+s")
    saved = Resident.get(Resident.id_number == "412723199010050012")
    assert (saved.name, saved.sex, saved.relation) == ("李四", "男", "户主")
    assert saved.household.area.name == "城关社区"
    assert Resident.select().count() == before + 1


async def test_household_view_add_member_and_set_head(town: Path) -> None:
    async with running(town, "f2") as (app, pilot):
        await search(pilot, "zxm")
        await press(pilot, "enter", "h")
        text = screen_text(pilot)
        assert "户号：T-001" in text and "阳光小区9栋901" in text and "成员：1人" in text
        await press(pilot, "a")
        await pilot.press(*"曾小红", "enter", *"120110199212010072", "enter", "enter",
                          *"女", "ctrl+s")
        await settle(pilot)
        assert "成员：2人" in screen_text(pilot)
        await press(pilot, "down", "t")
        assert any("曾小红 已设为户主" in n for n in notices(pilot))
        assert re.search(r"曾小红 +户主", screen_text(pilot))  # her row, 与户主关系 beside the name
    head = Resident.get(Resident.id_number == "120110199212010072")
    assert head.relation == "户主" and head.household.number == "T-001"
    assert Resident.get(Resident.name == "曾小明").relation == ""


async def test_delete_goes_to_the_recycle_bin_and_comes_back(town: Path) -> None:
    async with running(town, "f2") as (app, pilot):
        await search(pilot, "zxm")
        await pilot.press("down")  # from the search box into the list
        await press(pilot, "delete")
        assert "删除居民 曾小明" in screen_text(pilot)
        await press(pilot, "y")
        assert not Resident.select().where(Resident.name == "曾小明").exists()
        assert RecycleBin.select().count() == 1
        await press(pilot, "f8")
        assert "居民 曾小明" in screen_text(pilot)
        await press(pilot, "enter")
        assert "回收站是空的" in screen_text(pilot)
    assert Resident.get(Resident.name == "曾小明").household.number == "T-001"


async def test_import_in_a_worker_ends_on_its_summary(town: Path, tmp_path: Path) -> None:
    from tests.factories import make_id, village_sheet

    sheet = village_sheet(tmp_path / "新村.xlsx", [
        [1, "N-1", "新人甲", "男", make_id("19910101", 11), "户主", "13800000001", "桃园村",
         "第九村民组", None, None, "1号", None, None],
        [2, "N-1", "新人乙", "女", make_id("19920101", 12), "配偶", None, "桃园村",
         "第九村民组", None, None, "1号", None, None],
        [3, "N-2", "坏号码", "男", "123", "户主", None, "桃园村", "第九村民组", None, None,
         "2号", None, None],
    ])
    before = Resident.select().count()
    async with running(town, "f2") as (app, pilot):
        await run_file_job(pilot, sheet, "i")
        text = str(app.screen.query_one("#job-summary").render())
        assert "请核对后按 Enter 确认导入" in text and "将新建区域：桃园村/第九村民组" in text
        assert Resident.select().count() == before  # a preview writes nothing
        await press(pilot, "enter")  # 确认导入
        text = str(app.screen.query_one("#job-summary").render())
        assert "导入完成：新增 2 人" in text and "新建 1 户" in text and "拒绝 1 行" in text
        assert "第6行 拒绝：身份证号码应为18位" in text
        await press(pilot, "escape")
        text = await search(pilot, "新人")
        assert "新人甲" in text and "新人乙" in text
    assert Resident.select().count() == before + 2
    assert (tmp_path / "新村_导入问题.xlsx").exists()


async def test_import_of_a_bad_file_says_why_and_changes_nothing(town: Path,
                                                                 tmp_path: Path) -> None:
    bad = tmp_path / "名单.xlsx"
    bad.write_text("姓名,身份证\n", encoding="utf-8")
    before = Resident.select().count()
    async with running(town, "f2") as (app, pilot):
        await run_file_job(pilot, bad, "i")
        assert "不是 Excel（.xlsx）文件" in screen_text(pilot)
    assert Resident.select().count() == before


async def test_export_register_from_the_list(town: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "登记表.xlsx"
    async with running(town, "f2") as (app, pilot):
        await press(pilot, "x")
        assert "清溪镇_居民信息登记表_" in app.screen.query_one("#job-path").value
        await run_file_job(pilot, out)
        assert "已导出 2,001 人".replace(",", "") in screen_text(pilot)
    ws = load_workbook(out, read_only=True).active
    assert ws["A1"].value == "清溪镇居民信息登记表"
    assert sum(1 for _ in ws.iter_rows(min_row=4)) == 2001 + 2  # data, blank, sign-off


async def test_area_tree_adds_an_areas_parts_when_it_is_opened(town: Path) -> None:
    from db.models import Area

    communities = list(Area.select().where(Area.parent.is_null()).order_by(Area.id))
    first = communities[0]
    parts = sorted(a.name for a in Area.select().where(Area.parent == first.id))
    async with running(town, "f2") as (app, pilot):
        tree = app.screen.query_one("#area-tree")
        shown = list(tree.root.children)
        assert [n.data for n in shown] == [a.id for a in communities]
        node = shown[0]
        assert not node.children and node.allow_expand  # its parts are not built yet
        node.expand()
        await settle(pilot)
        assert sorted(str(c.label).split(" ")[0] for c in node.children) == parts
        tree.select_node(node)
        await settle(pilot)
        assert app.screen.rows and {r.id for r in app.screen.rows} <= {
            r.id for r in Resident.select().join_from(Resident, Household).where(
                Household.area.in_(subtree_ids(first.id)))}
