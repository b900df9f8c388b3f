"""Text is only text: markup and terminal escapes put in through every way in (imports, forms,
settings, the command line, pushed lists, searches) are stored without control characters and
shown literally on every screen that shows them; the app never crashes on them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from db.database import close_file, open_database
from db.models import AuditLog, Household, PushedBatch, PushedRow, RecycleBin, Resident, Staff
from db.settings import get_setting, set_setting
from tests.factories import make_id, plain_sheet
from tests.tui.conftest import notices, press, running, screen_text

HOSTILE = ("[/x]", "[red]红[/red]", "[@click=app.quit]")
ESCAPE = "\x1b]0;PWNED\x07"
EXCEL_ESCAPE = "_x001B_]0;PWNED_x0007_"  # how a cell stores the same sequence
CONTROL = ("\x1b", "\x07", "\x9b", "\u202e", "\u200b")


def assert_plain(*values: str) -> None:
    for value in values:
        assert not any(c in value for c in CONTROL), repr(value)


@pytest.fixture
def office(db_path: Path, tmp_path: Path) -> Path:
    """A register fed only through imports: residents, staff and a pushed list."""
    from db.areas import get_or_add_path
    from exports.pushed import import_pushed_file
    from exports.residents import import_residents_file
    from exports.staff import import_staff_file

    set_setting("setup_done", "1")
    place = get_or_add_path(["[/x]村", "[red]组"])  # the sheet names no 社区: rows go here
    import_residents_file(plain_sheet(tmp_path / "居民.xlsx", [
        ["[/x]", make_id("19900101", 11), "[@click=app.quit]阳光小区", "[v2]",
         f"[red]红[/red]{EXCEL_ESCAPE}"],
        ["[red]红[/red]", make_id("19900101", 21), f"{EXCEL_ESCAPE}[/x]路", "H2", "[@click=app.quit]"],
    ], ["姓名", "身份证号码", "住址", "户号", "备注"]), area=place)
    import_staff_file(plain_sheet(tmp_path / "人员.xlsx", [[f"[/x]{EXCEL_ESCAPE}", "其他", "[red]单位"]],
                            ["姓名", "人员类别", "工作单位"]))
    import_pushed_file(plain_sheet(tmp_path / "推送名单[v2].xlsx", [
        ["[/x]", "13900000000", "[@click=app.quit]"],
        [f"[red]红[/red]{EXCEL_ESCAPE}", "13900000001", "[/x]"],
    ], ["姓名", "手机号", "来源地"]))
    return db_path


def test_imports_store_no_control_characters(office: Path) -> None:
    for person in Resident.select():
        assert_plain(person.name, person.notes, person.household.address)
    assert {r.name for r in Resident.select()} == {"[/x]", "[red]红[/red]"}
    assert Household.get(Household.number == "[v2]").address == "[@click=app.quit]阳光小区"
    assert Staff.get().name == "[/x]" and Staff.get().unit == "[red]单位"
    batch = PushedBatch.get()
    assert batch.file_name == "推送名单[v2].xlsx"
    rows = list(PushedRow.select().order_by(PushedRow.sheet_row))
    assert [r.name for r in rows] == ["[/x]", "[red]红[/red]"]
    for row in rows:
        assert_plain(row.name, row.cells)


async def test_every_screen_shows_the_text_as_written(office: Path) -> None:
    async with running(office, "f2") as (app, pilot):
        text = screen_text(pilot)
        assert "[/x]" in text and "[red]红[/red]" in text and "[@click=app.quit]阳光小区" in text
        assert "[/x]村 2人" in text  # the area tree, holding the two imported
        for query in ("[/", "[/x]", "[@click=app.quit]"):  # a search for each, key by key
            await press(pilot, "slash", *query)
            assert f"搜索“{query}”" in screen_text(pilot)
            await press(pilot, "escape")
        await press(pilot, "slash", *"阳光", "enter", "h")  # the household of [/x]
        text = screen_text(pilot)
        assert "户号：[v2]" in text and "住址：[@click=app.quit]阳光小区" in text
        await press(pilot, "escape", "escape")
        await press(pilot, "slash", *"阳光", "enter", "e")  # its form
        text = screen_text(pilot)
        assert "编辑居民：[/x]" in text and "[red]红[/red]" in text
        await pilot.press("escape", "escape")
        await press(pilot, "f4")
        assert "推送名单[v2].xlsx" in screen_text(pilot)
        await press(pilot, "enter")
        text = screen_text(pilot)
        assert "姓名：[/x]" in text and "来源地：[@click=app.quit]" in text
        await press(pilot, "escape", "f5", "w")
        text = screen_text(pilot)
        assert "[/x]" in text and "[red]单位" in text
        await press(pilot, "escape", "f8", "a")
        assert "姓名 [red]红[/red]" in screen_text(pilot)
        assert app.is_running
    assert app.return_code in (None, 0)


async def test_forms_and_settings_store_plain_text_and_show_it(db_path: Path) -> None:
    from db.areas import get_or_add_path

    set_setting("setup_done", "1")
    get_or_add_path(["[/x]村"])
    async with running(db_path, "f2", "n") as (app, pilot):
        app.screen.query_one("#answer").value = "[/x]村"  # the new household's area
        await press(pilot, "enter")
        form = app.screen
        form.query_one("#f-name").value = f"[/x]{ESCAPE}"
        form.query_one("#f-id").value = make_id("19900101", 11)
        form.query_one("#f-address").value = f"[@click=app.quit]{ESCAPE}阳光小区"
        form.query_one("#f-notes").value = f"[red]红[/red]{ESCAPE}\u202e"
        await press(pilot, "ctrl+s")
        person = Resident.get()
        assert (person.name, person.notes) == ("[/x]", "[red]红[/red]")
        assert person.household.address == "[@click=app.quit]阳光小区"
        assert "[/x]" in screen_text(pilot)
        await press(pilot, "delete", "y")  # the confirm dialog and the toast name it literally
        assert any("[/x]" in n for n in notices(pilot))
        await press(pilot, "f8")
        assert RecycleBin.select().count() >= 1 and "[/x]" in screen_text(pilot)
        await press(pilot, "f9")
        township = app.screen.query_one("#set-township")
        township.value = f"[/x]镇{ESCAPE}"
        await press(pilot, "ctrl+s")
        assert get_setting("township") == "[/x]镇"
        await press(pilot, "f1")
        assert "[/x]镇疫情防控工作台" in screen_text(pilot)
        assert app.is_running


async def test_a_bad_value_in_a_form_is_quoted_not_interpreted(db_path: Path) -> None:
    set_setting("setup_done", "1")
    async with running(db_path, "f9") as (app, pilot):
        app.screen.query_one("#set-fever_threshold").value = "[/x]"
        await press(pilot, "ctrl+s")
        assert "发热阈值“[/x]”不是数字" in screen_text(pilot)
        assert get_setting("fever_threshold") == "37.3"


def test_command_line_arguments_are_plain_text(db_path: Path) -> None:
    close_file()  # the child is a writer: this process gives up the file's lock
    done = subprocess.run([sys.executable, "-m", "eprc", "settings", "--db", str(db_path),
                           "township", f"[red]红[/red]镇{ESCAPE}"],
                          capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout
    open_database(db_path)
    assert get_setting("township") == "[red]红[/red]镇"
    assert AuditLog.select().where(AuditLog.table == "setting").count() == 1
