"""求助 (Ctrl+O) as the clerk works it: a phone call taken by the caller's phone number,
sent to the suggested volunteer, goods from stock, delivered an hour later — the stock, the
hours and every step checked in the file; and a late medicine request red on 首页."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import clock
from db import donations as dn
from db import requests as rq
from db.database import close_database, open_database
from db.models import HelpRequest, ServiceRecord
from db.settings import set_setting
from db.staff import volunteer_hours
from tests.db.conftest import FakeClock
from tests.request_desk import MORNING, Town, build_town
from tests.tui.conftest import burst, notices, press, run_file_job, running, screen_text, settle
from tui.app import EprcApp


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    clock_ = FakeClock(MORNING)
    monkeypatch.setattr(clock, "now", clock_)
    return clock_


@pytest.fixture
def desk(tmp_path: Path, fake: FakeClock) -> tuple[Path, Town]:
    path = tmp_path / "desk.db"
    open_database(path)
    town = build_town()
    set_setting("setup_done", "1")
    close_database()
    return path, town


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


@pytest.mark.parametrize("size", [(100, 30), (80, 24)])
async def test_phone_call_to_delivered(desk: tuple[Path, Town], fake: FakeClock,
                                       tmp_path: Path, size: tuple[int, int]) -> None:
    path, town = desk
    async with running(path, size=size) as (app, pilot):
        assert "^O 求助" in screen_text(pilot)
        await press(pilot, "ctrl+o")
        assert "1 待派单" in screen_text(pilot) and "王配送" in screen_text(pilot)
        before = HelpRequest.select().count()
        await press(pilot, "n")
        await type_text(pilot, "13912345678")
        await press(pilot, "enter")  # one household: chosen, on to 需求
        assert app.screen.query_one("#rq-address").value == "阳光小区3栋2单元301室"
        await type_text(pilot, "12")
        await pilot.press("enter")
        app.screen.query_one("#rq-details").value = "口罩两盒、青菜"
        await pilot.press("enter", "enter", "enter", "enter")  # 紧急, 来电人, 回拨电话, 保存
        assert HelpRequest.select().count() == before
        assert app.screen.focused.id == "form-save"
        await press(pilot, "enter")  # the second Enter on 保存 saves
        request = HelpRequest.select().order_by(HelpRequest.id.desc()).first()
        assert (request.needs, request.details, request.urgent, request.callback_phone,
                request.status, request.taken_at) == ("生活物资、药品", "口罩两盒、青菜", True,
                                                      "13912345678", "待派单", MORNING)
        assert any(f"已登记第{request.id}号求助" in n for n in notices(pilot))
        assert "回拨电话：13912345678" in screen_text(pilot)

        fake.at = MORNING + dt.timedelta(minutes=4)
        await press(pilot, "a")
        text = screen_text(pilot)
        assert "李配送" in text and "赵值守" not in text and "钱西湖" not in text
        await press(pilot, "enter")  # the first suggestion: 李配送, free and least loaded
        assert any("已派给李配送" in n for n in notices(pilot))

        await press(pilot, "g")
        app.screen.query_one("#form-quantity").value = "11"
        await press(pilot, "ctrl+s")
        assert "库存不足" in screen_text(pilot)
        app.screen.query_one("#form-quantity").value = "2"
        await press(pilot, "ctrl+s")
        assert dn.stock(town.item_id) == Decimal("8.00")

        fake.at = MORNING + dt.timedelta(minutes=4 + 65)
        await press(pilot, "d")
        app.screen.query_one("#form-amount").value = "58.5"
        await press(pilot, "ctrl+s")
        await press(pilot, "3")  # 已送达
        assert "已送达" in screen_text(pilot) and "医用外科口罩×2盒" in screen_text(pilot)

        await press(pilot, "y")
        assert "回拨电话：13912345678" in app.clipboard
        await press(pilot, "p")
        slip = tmp_path / "slip.xlsx"
        await run_file_job(pilot, slip)
        await press(pilot, "escape")
        await press(pilot, "l")  # 李配送's list for the day
        lists = tmp_path / "lists.xlsx"
        await run_file_job(pilot, lists)
        assert "已导出李配送配送清单，1件" in screen_text(pilot)
        await press(pilot, "escape")
    assert load_workbook(lists).sheetnames == ["李配送"]
    done = HelpRequest.get_by_id(request.id)
    assert (done.status, done.volunteer_id, done.assigned_at, done.delivered_at) == (
        "已送达", town.free.id, MORNING + dt.timedelta(minutes=4), fake.at)
    assert (done.hours, done.purchase_amount, done.paid) == (Decimal("1.5"), Decimal("58.50"),
                                                             False)
    assert ServiceRecord.get_by_id(done.service_id).hours == Decimal("1.5")
    assert volunteer_hours(fake.at)[town.free.id] == 1.5
    assert dn.stock(town.item_id) == Decimal("8.00")
    ws = load_workbook(slip).active
    assert ws["A1"].value == f"求助配送单（第{request.id}号）【紧急】"


async def test_late_medicine_request_is_red_on_the_dashboard(desk: tuple[Path, Town],
                                                             fake: FakeClock) -> None:
    path, town = desk
    open_database(path)
    medicine = rq.take_request(rq.RequestInput("2", "胰岛素", town.household.id,
                                               callback_phone="13912345678"))
    close_database()
    fake.at = MORNING + dt.timedelta(hours=1)
    async with running(path, size=(80, 24)) as (app, pilot):
        assert "求助未办结 2 件" in screen_text(pilot) and "求助超时" not in screen_text(pilot)
        fake.at = MORNING + dt.timedelta(hours=2, minutes=5)
        await press(pilot, "ctrl+o")
        await press(pilot, "f1")
        text = screen_text(pilot)
        assert f"求助超时 1 件：第{medicine.id}号 张秀梅 药品" in text
        line = app.screen.query_one("#requests-alert")
        assert "[b red]" in str(line.content)
        await press(pilot, "ctrl+o")
        assert "紧急求助超过2小时未送达" in screen_text(pilot)
        assert "共2件" in screen_text(pilot)
        await pilot.press("slash")
        await type_text(pilot, "胰岛素")
        await press(pilot, "enter")
        assert "共1件" in screen_text(pilot) and f"第{medicine.id}号" in screen_text(pilot)


def test_no_screen_takes_ctrl_o_from_the_section_key() -> None:
    import importlib
    import pkgutil

    from textual.binding import Binding
    from textual.screen import Screen

    import tui.screens

    taken = []
    for info in pkgutil.walk_packages(tui.screens.__path__, "tui.screens."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Screen):
                taken += [(value.__name__, b.key) for b in value.BINDINGS
                          if "ctrl+o" in (b.key if isinstance(b, Binding) else b[0]).split(",")]
    assert taken == []
    assert any(b.key == "ctrl+o" and b.action == "switch_mode('requests')"
               for b in EprcApp.BINDINGS)


async def test_dashboard_line_goes_with_the_last_open_request_and_comes_with_a_new_one(
        desk: tuple[Path, Town]) -> None:
    """The 首页 reads the desk only while a request is open (its counts say so): the line is
    cleared once the last open one is cancelled and comes back when one is taken."""
    path, _town = desk
    async with running(path, size=(80, 24)) as (app, pilot):
        assert "求助未办结 1 件（^O 求助）" in screen_text(pilot)
        await press(pilot, "ctrl+o")
        await press(pilot, "c")
        app.screen.query_one("#form-reason").value = "家属已自行购买"
        await press(pilot, "ctrl+s")
        await press(pilot, "f1")
        assert "求助未办结" not in screen_text(pilot)
        assert str(app.screen.query_one("#requests-alert").content) == ""
        assert [r.status for r in HelpRequest.select()] == ["已取消"]
        await press(pilot, "ctrl+o")
        await press(pilot, "n")
        await type_text(pilot, "zxm")
        await press(pilot, "enter")
        await type_text(pilot, "3")
        await press(pilot, "enter", "enter", "enter", "enter", "enter", "enter")
        await press(pilot, "f1")
        assert "求助未办结 1 件（^O 求助）" in screen_text(pilot)
    assert sorted(r.status for r in HelpRequest.select()) == ["已取消", "待派单"]


async def test_anyone_can_be_sent_by_name_and_a_cancel_needs_a_reason(
        desk: tuple[Path, Town], fake: FakeClock, tmp_path: Path) -> None:
    path, town = desk
    ledger = tmp_path / "台账.xlsx"
    async with running(path, size=(80, 24)) as (app, pilot):
        await press(pilot, "ctrl+o")
        await press(pilot, "n")
        await type_text(pilot, "zxm")
        await press(pilot, "enter")
        await type_text(pilot, "3")
        await press(pilot, "enter", "enter", "enter", "enter", "enter", "enter")  # …保存, saved
        request = HelpRequest.select().order_by(HelpRequest.id.desc()).first()
        assert (request.needs, request.urgent) == ("就医", True)
        await press(pilot, "a")
        await pilot.press("tab")
        await type_text(pilot, "sxf")  # 孙先锋: not a delivery volunteer, sent all the same
        await press(pilot, "enter")
        await press(pilot, "enter")
        assert HelpRequest.get_by_id(request.id).volunteer_id == town.other_team.id
        await press(pilot, "c")
        await press(pilot, "ctrl+s")
        assert "取消求助须填写原因" in screen_text(pilot)
        app.screen.query_one("#form-reason").value = "已由120接走"
        await press(pilot, "ctrl+s")
        await press(pilot, "x")  # the ledger of the day, cancelled ones only
        app.screen.query_one("#form-start").value = "2022-04-11"
        app.screen.query_one("#form-status").value = "已取消"
        await run_file_job(pilot, ledger, "ctrl+s")
        assert "已导出 1 件求助" in str(app.screen.query_one("#job-summary").render())
    cancelled = HelpRequest.get_by_id(request.id)
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_at) == (
        "已取消", "已由120接走", MORNING)
    ws = load_workbook(ledger).active
    assert [ws.cell(4, c).value for c in (3, 10, 18)] == ["张秀梅", "已取消", "已由120接走"]


SIZES = [(100, 30), (80, 24)]


async def open_take_request(pilot) -> None:
    await settle(pilot)
    await press(pilot, "ctrl+o")
    await press(pilot, "n")


def line_of(lines: list[str], text: str) -> int:
    return next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("size", SIZES)
async def test_a_burst_lands_field_by_field_and_its_trailing_enter_saves_nothing(
        desk: tuple[Path, Town], size: tuple[int, int]) -> None:
    path, _town = desk
    app = EprcApp(path, backup=False)
    async with app.run_test(size=size) as pilot:
        await open_take_request(pilot)
        before = HelpRequest.select().count()
        # typed with no pause at all: the search, then each field ended by Enter, and the
        # phone's Enter too (the callback phone is already the household's)
        burst(pilot, *"13912345678", "enter", *"12", "enter", *"口罩两盒", "enter", *"否",
              "enter", *"张三", "enter", "enter")
        await settle(pilot)
        form = app.screen
        values = {key: form.query_one(f"#rq-{key}").value
                  for key in ("find", "needs", "details", "urgent", "caller", "phone")}
        assert values == {"find": "13912345678", "needs": "12", "details": "口罩两盒",
                          "urgent": "否", "caller": "张三", "phone": "13912345678"}
        assert form.focused.id == "form-save"
        assert HelpRequest.select().count() == before  # the trailing Enter saved nothing
        await press(pilot, "enter")
    request = HelpRequest.select().order_by(HelpRequest.id.desc()).first()
    assert (request.needs, request.details, request.urgent, request.caller,
            request.callback_phone) == ("生活物资、药品", "口罩两盒", False, "张三", "13912345678")


@pytest.mark.parametrize("size", SIZES)
async def test_the_request_forms_error_and_keys_stay_in_view(desk: tuple[Path, Town],
                                                            size: tuple[int, int]) -> None:
    path, _town = desk
    app = EprcApp(path, backup=False)
    async with app.run_test(size=size) as pilot:
        await open_take_request(pilot)
        before = HelpRequest.select().count()
        await press(pilot, *"13912345678", "enter", *"12", "enter", "enter", *"也许", "ctrl+s")
        lines = screen_text(pilot).splitlines()
        error = line_of(lines, "紧急一栏请填 是 或 否")
        keys = line_of(lines, "Ctrl+S 保存")
        assert error < keys < size[1] and "Esc 取消" in lines[keys]
        assert HelpRequest.select().count() == before
        await press(pilot, "escape")  # changed: asks before throwing the call away
        assert "有未保存的修改" in screen_text(pilot)
        await press(pilot, "d")
        assert "新求助（来电登记）" not in screen_text(pilot)
    assert HelpRequest.select().count() == before


@pytest.mark.parametrize("size", SIZES)
async def test_sending_keeps_its_error_and_keys_in_view_and_takes_a_burst(
        desk: tuple[Path, Town], size: tuple[int, int]) -> None:
    path, town = desk
    async with running(path, size=size) as (app, pilot):
        await press(pilot, "ctrl+o")
        chosen = app.screen.chosen()
        sent_to = HelpRequest.get_by_id(chosen).volunteer_id
        await press(pilot, "a")
        await press(pilot, "tab", *"nobody", "enter")
        lines = screen_text(pilot).splitlines()
        error = line_of(lines, "没有找到在岗人员")
        keys = line_of(lines, "Enter 派单")
        assert error < keys < size[1] and "Esc 取消" in lines[keys]
        assert HelpRequest.get_by_id(chosen).volunteer_id == sent_to != town.other_team.id
        # Tab, a name and Enter, and the Enter that sends, with no pause between them
        burst(pilot, "tab", *"sxf", "enter", "enter")
        await settle(pilot)
    assert HelpRequest.get_by_id(chosen).volunteer_id == town.other_team.id
