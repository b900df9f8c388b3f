"""Forms and dialogs as a clerk (or an ID-card reader) uses them, at 100×30 and 80×24: keys
land in the field meant, Enter moves on and never saves a half-filled form, the hint and the
error line stay in view, and leaving a changed form asks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.pilot import Pilot

from db.models import Resident
from tests.tui.conftest import burst, notices, press, running, screen_text, settle
from tui.app import EprcApp

SIZES = [(100, 30), (80, 24)]


@asynccontextmanager
async def new_resident_form(path: Path, size: tuple[int, int]
                            ) -> AsyncIterator[tuple[EprcApp, Pilot]]:
    """The app on ``path`` with the new resident form open (in 城关社区)."""
    async with running(path, "f2", size=size) as (app, pilot):
        await press(pilot, "n")  # 全镇 is selected: the new household's area is asked first
        await press(pilot, *"城关社区", "enter")
        yield app, pilot


@pytest.mark.parametrize("size", SIZES)
async def test_a_card_readers_burst_lands_in_the_fields_it_was_meant_for(
        demo_path: Path, size: tuple[int, int]) -> None:
    before = Resident.select().count()
    async with new_resident_form(demo_path, size) as (app, pilot):
        # name, ID, phone typed with no pause at all, each ended by Enter, then a stray Enter
        burst(pilot, *"李四", "enter", *"412723199010050012", "enter", *"13700002222", "enter",
              "enter")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#f-name").value == "李四"
        assert form.query_one("#f-id").value == "412723199010050012"
        assert form.query_one("#f-phone").value == "13700002222"
        assert Resident.select().count() == before  # a stray Enter saves nothing
        await press(pilot, "ctrl+s")
    saved = Resident.get(Resident.id_number == "412723199010050012")
    assert (saved.name, saved.phone) == ("李四", "13700002222")


@pytest.mark.parametrize("size", SIZES)
async def test_a_bad_phone_is_refused_in_view_with_the_keys_still_shown(
        demo_path: Path, size: tuple[int, int]) -> None:
    before = Resident.select().count()
    async with new_resident_form(demo_path, size) as (app, pilot):
        await press(pilot, *"王五", "enter", *"412723199010050012", "enter", *"123", "ctrl+s")
        lines = screen_text(pilot).splitlines()
        error = next(i for i, line in enumerate(lines) if "电话号码“123”不是有效的" in line)
        keys = next(i for i, line in enumerate(lines) if "Ctrl+S 保存" in line and "Esc 取消" in line)
        assert error < keys < size[1]  # both on screen, the error just above the keys
        assert Resident.select().count() == before
        # the last field is far below at 80×24: the body scrolls, the docked lines stay
        fields = app.screen.fields()
        await press(pilot, *["enter"] * (len(fields) - fields.index(app.screen.focused)))
        assert app.screen.focused.id == "form-save"
        assert "Ctrl+S 保存" in screen_text(pilot)


@pytest.mark.parametrize("size", SIZES)
async def test_esc_on_a_changed_form_asks_and_continuing_keeps_what_was_typed(
        demo_path: Path, size: tuple[int, int]) -> None:
    before = Resident.select().count()
    async with new_resident_form(demo_path, size) as (app, pilot):
        await press(pilot, *"王五", "escape")
        text = screen_text(pilot)
        assert "有未保存的修改" in text and "保存(S)" in text and "放弃修改(D)" in text
        assert "继续编辑(Esc)" in text
        await press(pilot, "escape")  # 继续编辑
        assert app.screen.query_one("#f-name").value == "王五"
        await press(pilot, "ctrl+q")  # quitting asks too
        assert "有未保存的修改" in screen_text(pilot) and app.is_running
        await press(pilot, "d")  # 放弃: the app quits
        assert not app.is_running
    assert Resident.select().count() == before


async def test_esc_on_an_untouched_form_just_closes(demo_path: Path) -> None:
    async with new_resident_form(demo_path, (80, 24)) as (app, pilot):
        await press(pilot, "escape")
        assert "新增居民" not in screen_text(pilot) and "有未保存的修改" not in screen_text(pilot)


async def test_leaving_changed_settings_asks_and_saving_then_switches(demo_path: Path) -> None:
    from db.settings import get_setting
    from tui.screens.settings.settings import field_id

    async with running(demo_path, size=(80, 24)) as (app, pilot):
        await press(pilot, "f9")
        app.screen.query_one(f"#{field_id('preparer')}").value = "李会计"
        await press(pilot, "f2")
        assert "有未保存的修改" in screen_text(pilot) and app.current_mode == "settings"
        await press(pilot, "s")
        assert app.current_mode == "residents"
    assert get_setting("preparer") == "李会计"


async def test_enter_in_a_choice_moves_on_and_space_opens_it(demo_path: Path) -> None:
    async with new_resident_form(demo_path, (100, 30)) as (app, pilot):
        form = app.screen
        form.set_focus(form.query_one("#f-kind"))
        await press(pilot, "enter")
        assert app.screen.focused.id == "f-status"
        assert not form.query_one("#f-kind").expanded
        await press(pilot, "alt+down")
        assert form.query_one("#f-status").expanded
        await press(pilot, "escape")  # closes the list, not the form
        assert app.screen is form and not form.query_one("#f-status").expanded
        await press(pilot, "space")
        assert form.query_one("#f-status").expanded
        await press(pilot, "down", "enter")  # in the open list Enter chooses
        assert form.query_one("#f-status").value != "在册"


class TwelveSectionApp(EprcApp):
    """The app as it will be with 核酸 (F12) and 求助 (^O): two more section keys (here
    pointing at existing sections, only the bar is under test)."""

    BINDINGS = [*(b for b in EprcApp.BINDINGS if b.action.startswith("switch_mode")),
                Binding("f12", "switch_mode('reports')", "核酸", show=False),
                Binding("ctrl+o", "switch_mode('recycle')", "求助", show=False),
                *(b for b in EprcApp.BINDINGS if not b.action.startswith("switch_mode"))]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("app_class", [EprcApp, TwelveSectionApp])
async def test_the_section_bar_keeps_every_key(demo_path: Path, size: tuple[int, int],
                                               app_class: type[EprcApp]) -> None:
    app = app_class(demo_path, backup=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for section in ("f1", "f2", "f9"):
            await press(pilot, section)
            text = screen_text(pilot)
            keys = [b.key.upper().replace("CTRL+", "^") for b in app_class.BINDINGS
                    if b.action.startswith("switch_mode") or b.action == "quit"]
            for key in keys:
                assert re.search(rf"(^|\s){re.escape(key)} \S", text), (key, size)
            assert "^Q 退出" in text and "F1 首页" in text


def test_area_labels_keep_their_numbers_whole() -> None:
    from rich.cells import cell_len

    from tui.screens.residents.residents import area_label

    assert area_label("和平社区", 22710, 7912, 30) == "和平社区 22,710人/7,912户"
    assert area_label("和平社区", 22710, 7912, 20) == "和平社区 22,710人"
    label = area_label("和平社区阳光花园三期", 22710, 7912, 18)
    assert label.endswith(" 22,710人") and "…" in label and cell_len(label) <= 18


@pytest.mark.parametrize("size", SIZES)
async def test_tree_labels_are_never_cut_mid_number(demo_path: Path,
                                                    size: tuple[int, int]) -> None:
    async with running(demo_path, size=size) as (app, pilot):
        await press(pilot, "f2")
        tree = app.screen.query_one("#area-tree")
        tree.root.children[0].expand()
        await settle(pilot)
        lines = [tree.render_line(y).text.rstrip() for y in range(tree.size.height)]
        labels = [line for line in lines if line.strip()]
        assert len(labels) > 3
        assert all(line.endswith(("人", "户")) for line in labels), labels


async def test_ctrl_c_says_how_to_quit_in_chinese(demo_path: Path) -> None:
    async with running(demo_path, size=(80, 24)) as (app, pilot):
        await press(pilot, "ctrl+c")
        assert any("退出请按 Ctrl+Q" in n for n in notices(pilot))
        assert "Do you want" not in screen_text(pilot) and app.is_running


@pytest.mark.parametrize("size", SIZES)
async def test_the_file_dialog_says_its_dry_run_state_and_keeps_its_keys_under_a_long_result(
        demo_path: Path, tmp_path: Path, size: tuple[int, int]) -> None:
    from tui.dialogs.file_job import FileJobDialog, JobResult

    asked: list[bool] = []

    def job(path: Path, dry_run: bool, progress) -> JobResult:
        asked.append(dry_run)
        return JobResult("试运行：共 40 行", [f"第{n}行 问题" for n in range(40)])

    async with running(demo_path, size=size) as (app, pilot):
        app.push_screen(FileJobDialog("导入居民信息表", job, str(tmp_path / "a.xlsx"),
                                      dry_run_label="试运行（只检查，不写入）"))
        await settle(pilot)
        text = screen_text(pilot)
        assert "[ ] 试运行（只检查，不写入）" in text and "▐X▌" not in text
        await press(pilot, "tab", "space")
        assert "[x] 试运行（只检查，不写入）" in screen_text(pilot)
        await press(pilot, "shift+tab", "enter")
        text = screen_text(pilot)
        assert asked == [True]
        assert "试运行：共 40 行" in text and "Enter 开始　Esc 关闭" in text


# every form dialog a key opens, by the keys that open it from 首页 (row-bound ones act on the
# list's first row)
FORMS = [
    ("f2", "e"), ("f2", "h", "a"),
    ("f3", "n"), ("f3", "f"), ("f3", "x"), ("f3", "m"), ("f3", "r"), ("f3", "c"),
    ("f5", "x"), ("f5", "w", "n"), ("f5", "w", "e"), ("f5", "w", "u"), ("f5", "w", "h"),
    ("f5", "k", "n"), ("f5", "k", "e"),
    ("f6", "m"), ("f6", "g"), ("f6", "s"), ("f6", "x"), ("f6", "2", "d"),
    ("f7", "enter"), ("f12", "n"),
]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("keys", FORMS, ids=["-".join(k) for k in FORMS])
async def test_every_form_keeps_its_keys_in_view_and_enter_never_saves(
        demo_path: Path, size: tuple[int, int], keys: tuple[str, ...]) -> None:
    from db.models import AuditLog
    from tui.dialogs.form import FormScreen

    async with running(demo_path, size=size) as (app, pilot):
        for key in keys:
            await press(pilot, key)
        form = app.screen
        assert isinstance(form, FormScreen), type(form)
        audit = AuditLog.select().count()
        text = screen_text(pilot)
        assert "Ctrl+S 保存" in text and "Esc" in text  # the docked keys are on screen
        fields = form.fields()
        for _ in fields:
            await press(pilot, "enter")
        assert app.screen is form and form.focused.id == "form-save"  # Enter walked to 保存
        assert AuditLog.select().count() == audit  # and saved nothing
        lines = screen_text(pilot).splitlines()
        assert any("Ctrl+S 保存" in line for line in lines[:size[1]])
        await press(pilot, "escape")  # nothing changed: closes without asking
        assert app.screen is not form and "有未保存的修改" not in screen_text(pilot)


@pytest.mark.parametrize("size", SIZES)
async def test_a_burst_in_the_settings_lands_field_by_field(demo_path: Path,
                                                           size: tuple[int, int]) -> None:
    async with running(demo_path, size=size) as (app, pilot):
        await press(pilot, "f9")
        screen = app.screen
        first, second, third = screen.fields()[:3]
        screen.set_focus(first)
        for field in (first, second, third):
            field.value = ""
        burst(pilot, *"甲镇", "enter", *"王五", "tab", *"赵六")
        await settle(pilot)
        assert (first.value, second.value, third.value) == ("甲镇", "王五", "赵六")
        assert screen.focused is third


@pytest.mark.parametrize("size", SIZES)
async def test_a_long_question_keeps_its_answers_in_view(demo_path: Path,
                                                        size: tuple[int, int]) -> None:
    from tui.dialogs.confirm import ConfirmDialog

    answers: list[bool | None] = []
    async with running(demo_path, size=size) as (app, pilot):
        question = "\n".join(f"第{n}户 将被删除" for n in range(40)) + "\n确定删除吗？"
        app.push_screen(ConfirmDialog(question, "删除"), answers.append)
        await settle(pilot)
        text = screen_text(pilot)
        assert "删除(Y)" in text and "取消(N)" in text
        await press(pilot, "n")
    assert answers == [False]


@pytest.mark.parametrize("size", SIZES)
async def test_a_burst_after_the_area_question_lands_in_the_new_residents_form(
        demo_path: Path, size: tuple[int, int]) -> None:
    from tui.screens.residents.resident_form import ResidentForm

    before = Resident.select().count()
    async with running(demo_path, size=size) as (app, pilot):
        await press(pilot, "f2")
        await press(pilot, "n")  # 全镇 is selected: the area is asked first
        # the area, Enter, and the resident's name and ID straight after, with no pause
        burst(pilot, *"城关社区", "enter", *"李四", "enter", *"412723199010050012", "enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ResidentForm)
        assert form.query_one("#f-name").value == "李四"
        assert form.query_one("#f-id").value == "412723199010050012"
        assert Resident.select().count() == before
        await press(pilot, "ctrl+s")
    saved = Resident.get(Resident.id_number == "412723199010050012")
    assert saved.name == "李四" and "城关社区" in saved.household.area.name


async def test_keys_held_for_a_field_that_left_the_screen_are_let_go(demo_path: Path) -> None:
    from tui.dialogs.ask import AskText

    async with running(demo_path, size=(100, 30)) as (app, pilot):
        await press(pilot, "f2")
        await press(pilot, "n")
        question = app.screen
        assert isinstance(question, AskText)
        app.hold_keys(question.query_one("#answer"))  # as an Enter does, then the field goes
        question.dismiss(None)
        await settle(pilot)
        burst(pilot, "n")  # the next key is not swallowed: it asks for the area again
        await settle(pilot)
        assert isinstance(app.screen, AskText) and app.screen is not question
        assert "新增居民属于哪个区域" in screen_text(pilot)
