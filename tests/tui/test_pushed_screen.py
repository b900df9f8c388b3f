"""The call queue: key 3 (不在辖区居住) never adds anyone to the register, and the card shows
the person's earlier push."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from db import pushed
from db.models import PushedRow, Resident
from db.settings import set_setting
from exports.pushed import import_pushed_file
from tests.exports.test_pushed_feedback import district_sheet
from tests.factories import make_id
from tests.tui.conftest import press, running, screen_text

HEADER = ["序号", "推送批次", "姓名", "手机号码", "来源地", "抵达时间", "预警类型", "身份证号"]


async def test_key_3_records_not_living_here_and_adds_no_one(db_path: Path,
                                                             tmp_path: Path) -> None:
    set_setting("setup_done", "1")
    rows = [[1, "P", "张三", "13800000001", "上海", None, "x", make_id("19900101", 11)]]
    first = import_pushed_file(district_sheet(tmp_path / "a.xlsx", HEADER, rows),
                               dt.datetime(2022, 4, 10, 9))
    pushed.verify(first.batch_id, 4, "无法联系")
    import_pushed_file(district_sheet(tmp_path / "b.xlsx", HEADER, rows), again=True)
    async with running(db_path, "f4") as (app, pilot):
        await press(pilot, "enter")  # the newest batch
        text = screen_text(pilot)
        assert "前次推送：第1批（2022-04-10），结果：无法联系" in text
        assert "3.不在辖区居住（不在辖区）" in text
        await press(pilot, "3")
        assert "不在辖区居住" in screen_text(pilot)
    row = PushedRow.get(PushedRow.batch == 2)
    assert (row.result, row.category, row.resident_id) == ("不在辖区居住", "不在辖区", None)
    assert Resident.select().count() == 0
