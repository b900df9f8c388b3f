"""The clerk's day with key persons, key by key: register, measure, temperatures with a fever,
the alert on the dashboard, release; and a pushed list phoned through in the call queue."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from db import clock
from db.models import KeyPerson, Measure, PushedRow, TemperatureReading
from db.residents import ResidentInput, register_resident
from tests.factories import make_id
from tests.tui.conftest import notices, press, run_file_job, running, screen_text

ID = make_id("19880808", 17)


@pytest.fixture
def office(db_path: Path) -> Path:
    from db.settings import set_setting

    set_setting("setup_done", "1")
    register_resident(ResidentInput("周明", ID, "13812340000"), address="阳光小区2栋202")
    return db_path


async def test_register_measure_fever_alert_release(office: Path) -> None:
    async with running(office, "f3") as (app, pilot):
        await press(pilot, "n")
        await pilot.press(*ID)
        await press(pilot, "ctrl+s")  # category 确诊 by default is fine here
        person = KeyPerson.get()
        assert person.resident.name == "周明" and person.category == "确诊"
        assert "周明：开始管控措施" in screen_text(pilot)
        screen = app.screen
        screen.query_one("#form-kind").value = "居家隔离"
        screen.query_one("#form-grid_worker").value = "网格员乙"
        screen.query_one("#form-grid_worker_phone").value = "1370000"  # bad phone
        await press(pilot, "ctrl+s")
        assert "网格员的电话" in screen_text(pilot)
        assert Measure.select().count() == 0
        screen.query_one("#form-grid_worker_phone").value = "13700000002"
        await press(pilot, "ctrl+s")
        measure = Measure.get()
        assert measure.kind == "居家隔离" and measure.planned_end == clock.today() + \
            dt.timedelta(days=14)
        assert "周明" in screen_text(pilot) and "1 在管 1" in screen_text(pilot)

        await press(pilot, "t")
        assert "应测 1 人，已录 0 人" in screen_text(pilot)
        await press(pilot, *"38.2", "enter")
        assert "达到发热标准" in screen_text(pilot)
        await press(pilot, "y")
        reading = TemperatureReading.get()
        assert (reading.value, reading.half) == (38.2, clock.current_half())
        assert "已录 1 人" in screen_text(pilot)
        await press(pilot, "escape")
        assert "5 发热预警 1" in screen_text(pilot)
        await press(pilot, "f1")
        assert "1  今日发热预警" in screen_text(pilot)
        await press(pilot, "f3")
        await press(pilot, "r")
        await press(pilot, "ctrl+s")  # today, no reason: refused
        assert "提前解除" in screen_text(pilot)
        await press(pilot, "tab", *"转院治疗", "ctrl+s")
        assert any("已解除居家隔离" in n for n in notices(pilot))
    measure = Measure.get()
    assert measure.released_on == clock.today() and measure.release_reason == "转院治疗"


async def test_call_queue_records_results_with_one_key(office: Path, tmp_path: Path) -> None:
    from tests.exports.test_pushed_feedback import district_sheet

    source = district_sheet(tmp_path / "推送0411.xlsx")
    async with running(office, "f4") as (app, pilot):
        await run_file_job(pilot, source, "i")
        assert "预览（尚未导入）" in str(app.screen.query_one("#job-summary").render())
        await press(pilot, "enter")  # 确认导入
        assert "已导入第1批，共 5 人" in str(app.screen.query_one("#job-summary").render())
        await press(pilot, "escape")
        assert "0/5" in screen_text(pilot)
        await press(pilot, "enter")
        text = screen_text(pilot)
        assert "表格第4行" in text and "张三" in text and "13800000001" in text
        await press(pilot, "2")  # 前期已排查
        assert "表格第5行" in screen_text(pilot) and "已核查 1/5" in screen_text(pilot)
        await press(pilot, "5")  # 无法联系
        await press(pilot, "1")  # 已核实在辖区（漏排）, no ID yet: stays on the row
        assert any("补录身份证号码" in n for n in notices(pilot))
        await press(pilot, "d")
        app.screen.query_one("#form-id_number").value = make_id("19750303", 13)
        app.screen.query_one("#form-address").value = "桃园村8号"
        await press(pilot, "ctrl+s")
        assert "已关联居民：王五" in screen_text(pilot)
        assert "现在登记为重点人员并开始管控措施" in screen_text(pilot)
        await press(pilot, "y")
        assert "王五：开始管控措施" in screen_text(pilot)
        await press(pilot, "ctrl+s")
        await press(pilot, "escape")
        assert "3/5" in screen_text(pilot)
    person = KeyPerson.get(KeyPerson.source == "大数据推送")
    assert person.resident.name == "王五" and person.origin == "浙江省杭州市"
    assert Measure.get(Measure.person == person).kind == "居家健康监测"
    results = {r.sheet_row: r.result for r in PushedRow.select()}
    assert results == {4: "前期已排查", 5: "无法联系", 6: "已核实在辖区（漏排）", 7: "", 8: ""}


async def test_a_long_list_is_shown_a_page_at_a_time(office: Path) -> None:
    from db import keypersons as kp
    from tui.screens.keypersons.keypersons import PAGE

    start = clock.today() - dt.timedelta(days=1)
    for n in range(PAGE * 2 + 30):
        resident = register_resident(ResidentInput(f"隔离{n}", make_id("19700101", n + 1)),
                                     address=f"{n}号")
        kp.start_measure(kp.register_key_person(kp.KeyPersonInput("密接"), resident).id,
                         "居家隔离", start)
    everyone = kp.under_control(clock.today())
    async with running(office, "f3") as (app, pilot):
        screen, table = app.screen, app.screen.query_one("#kp-table")
        assert table.row_count == PAGE  # not all 430 at once
        assert f"在管：{len(everyone)} 人（第 1—{PAGE} 人）" in screen_text(pilot)
        table.move_cursor(row=PAGE - 1)
        await press(pilot, "down")  # off the end of the page: the next one
        assert table.cursor_row == 0 and screen.selected().measure_id == everyone[PAGE].measure_id
        await press(pilot, "ctrl+end")
        assert table.row_count == 30 and screen.selected().measure_id == everyone[-1].measure_id
        assert f"（第 {2 * PAGE + 1}—{2 * PAGE + 30} 人）" in screen_text(pilot)
        await press(pilot, "up", "ctrl+home")
        assert screen.selected().measure_id == everyone[0].measure_id
