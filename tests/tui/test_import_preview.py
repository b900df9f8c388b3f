"""The import dialog previews what needs the clerk's eye (姓名 conflicts, new areas, a list
imported before) and does it only on Enter (确认导入); Esc leaves the file as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from db.models import Area, PushedBatch, RecycleBin, Resident
from db.residents import ResidentInput, register_resident
from tests.factories import make_id, village_sheet
from tests.tui.conftest import SIZE, press, run_file_job, running, screen_text, settle
from tui.app import EprcApp


@pytest.fixture(autouse=True)
def _set_up(db_path: Path) -> None:
    from db.settings import set_setting

    set_setting("setup_done", "1")


HEADER = ["序号", "户号", "姓名", "性别", "身份证号码", "联系电话", "社区（村）", "小区（村民组）"]


async def open_import(app: EprcApp, pilot, key: str, path: Path) -> str:
    await settle(pilot)
    await press(pilot, key)
    await run_file_job(pilot, path, "i")
    return str(app.screen.query_one("#job-summary").render())


async def test_a_rename_is_previewed_and_applied_only_on_enter(db_path: Path,
                                                              tmp_path: Path) -> None:
    from db.areas import add_area

    area = add_area("第一组", add_area("桃园村"))
    register_resident(ResidentInput("钱二", make_id("19800101", 3), "13800000001"),
                      address="1号", area=area)
    sheet = village_sheet(tmp_path / "改名.xlsx", [
        [1, None, "钱贰", "男", make_id("19800101", 3), "13800000009", "桃园村", "第一组"]],
        header=HEADER)
    app = EprcApp(db_path, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        text = await open_import(app, pilot, "f2", sheet)
        assert "请核对后按 Enter 确认导入" in text
        assert "冲突（未修改）：“居民”第4行 钱二" in text and "钱二 → 钱贰" in text
        assert "修改：“居民”第4行" in text and "13800000001 → 13800000009" in text
        person = Resident.get(Resident.id_number == make_id("19800101", 3))
        assert (person.name, person.phone) == ("钱二", "13800000001")
        await press(pilot, "escape")  # leave without importing
        person = Resident.get(Resident.id_number == make_id("19800101", 3))
        assert (person.name, person.phone) == ("钱二", "13800000001")
        text = await open_import(app, pilot, "f2", sheet)
        await press(pilot, "enter")  # 确认导入
        text = str(app.screen.query_one("#job-summary").render())
        assert "导入完成" in text and "姓名冲突 1 处（已按确认修改）" in text
    person = Resident.get(Resident.id_number == make_id("19800101", 3))
    assert (person.name, person.phone) == ("钱贰", "13800000009")


async def test_a_sorted_column_is_refused_in_the_dialog(db_path: Path, tmp_path: Path) -> None:
    from db.areas import add_area

    area = add_area("第一组", add_area("桃园村"))
    names = [f"人{n:02d}" for n in range(12)]
    for n, name in enumerate(names):
        register_resident(ResidentInput(name, make_id("19800101", 2 * n + 1)), address="x",
                          area=area)
    rows = [[n, None, names[(n + 5) % 12], None, make_id("19800101", 2 * n + 1), None, "桃园村",
             "第一组"] for n in range(12)]
    sheet = village_sheet(tmp_path / "排序.xlsx", rows, header=HEADER)
    app = EprcApp(db_path, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        text = await open_import(app, pilot, "f2", sheet)
        assert "疑似“姓名”列被单独排序" in text and "确认导入" not in text
    assert [r.name for r in Resident.select().order_by(Resident.id)] == names


async def test_rows_without_community_go_to_the_chosen_area(db_path: Path, tmp_path: Path) -> None:
    """Chosen in the tree: the rows with no 社区（村） go there; none is rejected."""
    from db.areas import add_area

    add_area("第一组", add_area("桃园村"))
    sheet = village_sheet(tmp_path / "无村.xlsx", [
        [1, "Z1", "无村人", "女", make_id("19900101", 2), None, None, None]], header=HEADER)
    app = EprcApp(db_path, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        text = await open_import(app, pilot, "f2", sheet)
        assert "缺少“社区（村）”" in text and "新增 0 人" in text
        await press(pilot, "escape")
        screen = app.screen
        screen.area_id = Area.get(Area.name == "桃园村").id
        await press(pilot, "i")
        assert "表中没有社区的行归入：桃园村" in screen_text(pilot)
        await run_file_job(pilot, sheet)
        assert "预览（尚未导入）：" in str(app.screen.query_one("#job-summary").render())
        await press(pilot, "enter")  # 确认导入
        assert "新增 1 人" in str(app.screen.query_one("#job-summary").render())
    assert Resident.get(Resident.name == "无村人").household.area.name == "桃园村"


async def test_the_same_pushed_list_asks_before_a_second_batch(db_path: Path,
                                                              tmp_path: Path) -> None:
    from tests.exports.test_pushed_feedback import district_sheet

    source = district_sheet(tmp_path / "推送.xlsx")
    app = EprcApp(db_path, backup=False)
    async with app.run_test(size=SIZE) as pilot:
        text = await open_import(app, pilot, "f4", source)
        assert "预览（尚未导入）" in text and PushedBatch.select().count() == 0
        await press(pilot, "enter")  # 确认导入
        assert "已导入第1批" in str(app.screen.query_one("#job-summary").render())
        await press(pilot, "escape")
        await press(pilot, "i")
        app.screen.query_one("#job-path").value = str(source)
        await press(pilot, "enter")  # the preview
        await press(pilot, "enter")  # 确认导入
        text = str(app.screen.query_one("#job-summary").render())
        assert "已导入过：第 1 批" in text and "Enter 再导入一次" in screen_text(pilot)
        assert PushedBatch.select().count() == 1
        await press(pilot, "enter")
        assert "已导入第2批" in str(app.screen.query_one("#job-summary").render())
        await press(pilot, "escape")
        await press(pilot, "delete")  # the newest batch is selected
        assert "删除第2批推送名单" in screen_text(pilot)
        await press(pilot, "y")
        assert PushedBatch.select().count() == 1
        assert "第2批" in RecycleBin.get().label


async def test_a_staff_rename_waits_for_enter(db_path: Path, tmp_path: Path) -> None:
    from db.models import Staff
    from db.staff import StaffInput, add_staff

    add_staff(StaffInput("刘一", "下沉干部", "13800000001", make_id("19800101", 1)))
    sheet = village_sheet(tmp_path / "人员.xlsx", [[1, "刘壹", make_id("19800101", 1),
                                                   "13800000001", "下沉干部"]],
                          header=["序号", "姓名", "身份证号码", "联系电话", "人员类别"])
    async with running(db_path, "f5", "w") as (app, pilot):
        await run_file_job(pilot, sheet, "i")
        text = str(app.screen.query_one("#job-summary").render())
        assert "请核对后按 Enter 确认导入" in text and "刘一 → 刘壹" in text
        assert Staff.get().name == "刘一"
        await press(pilot, "enter")
        assert "已按确认修改" in str(app.screen.query_one("#job-summary").render())
    assert Staff.get().name == "刘壹"


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_a_clean_staff_list_is_previewed_and_written_only_on_enter(
        db_path: Path, tmp_path: Path, size: tuple[int, int]) -> None:
    from db.models import Staff

    sheet = village_sheet(tmp_path / "人员.xlsx", [[1, "刘一", make_id("19800101", 1),
                                                   "13800000001", "下沉干部"]],
                          header=["序号", "姓名", "身份证号码", "联系电话", "人员类别"])
    async with running(db_path, size=size) as (app, pilot):
        await press(pilot, "f5", "w")
        await run_file_job(pilot, sheet, "i")
        text = screen_text(pilot)
        assert "预览（尚未导入）" in text and "Enter 确认导入" in text
        assert "Enter 开始　Esc 关闭" in text  # the keys stay in view
        assert Staff.select().count() == 0
        await press(pilot, "enter")
    assert [s.name for s in Staff.select()] == ["刘一"]
