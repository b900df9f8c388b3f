"""Lists at 100×30 and 80×24: the columns a clerk acts on are on screen, and the detail line
under the table shows the highlighted row's other fields (tui/widgets/column_table.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import clock
from db.mail import log_mail
from tests.tui.conftest import press, running, screen_text
from tui.widgets.column_table import ColumnTable, cell_text

SIZES = [(100, 30), (80, 24)]
# list: (keys that open it, its table, the headers a clerk acts on)
LISTS = {
    "residents": (["f2"], "#resident-table", ["姓名", "住址", "网格", "状态"]),
    "keypersons": (["f3"], "#kp-table", ["姓名", "措施", "计划解除", "电话", "体温"]),
    "roster": (["f5"], "#roster-table", ["卡口", "周一", "周六", "周日"]),
    "donations": (["f6"], "#dn-table", ["收据编号", "捐赠方", "金额/物资", "定向"]),
    "mail log": (["f7", "l"], "#maillog-table", ["时间", "主题", "结果"]),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(LISTS))
async def test_acted_on_columns_are_on_screen(demo_path: Path, name: str,
                                              size: tuple[int, int]) -> None:
    keys, table_id, acted_on = LISTS[name]
    log_mail(["qu@example.com"], f"{clock.today():%m-%d} 疫情防控日报", ["日报.xlsx"],
             "连接邮件服务器超时（smtp.example.com:465），请检查网络后重试", "未发送")
    async with running(demo_path, size=size) as (app, pilot):
        await press(pilot, *keys)
        table = app.screen.query_one(table_id, ColumnTable)
        assert table.row_count, f"{name}: the demo's list is empty"
        # every column on the table fits its width: nothing is off to the right
        assert table.virtual_size.width <= table.size.width
        headers = " ".join(label for label in table.labels())
        assert all(label in headers for label in acted_on), (headers, acted_on)
        text = screen_text(pilot)
        shown_header = text.splitlines()[table.region.y]
        if name == "roster":  # a two-line header: the weekday is on its second line
            shown_header += text.splitlines()[table.region.y + 1]
        for label in acted_on:
            assert label in shown_header, (label, shown_header)
        # the detail line holds the highlighted row's fields that have no column here
        await press(pilot, "down")
        row = table.full[table.cursor_row]
        detail = str(table.detail.render())
        hidden = [n for n in range(len(table.specs)) if n not in table.shown and cell_text(row[n])]
        if size == (80, 24) and name in ("residents", "keypersons", "donations"):
            assert hidden, f"{name}: at 80 columns some field gives way to the detail line"
        for n in hidden:
            assert f"{table.specs[n].label}：{cell_text(row[n])}" in detail
        if detail:  # and its first field is on screen, under the table
            first = detail.split("　")[0]
            assert first[:20] in screen_text(pilot).splitlines()[table.detail.region.y]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_checkpoints_week_shows_sunday_and_the_cells_names(demo_path: Path,
                                                                  size: tuple[int, int]) -> None:
    async with running(demo_path, "f5", "enter", size=size) as (app, pilot):
        table = app.screen.query_one("#week-table")
        assert table.virtual_size.width <= table.size.width  # the whole week, nothing to the right
        header = screen_text(pilot).splitlines()[table.region.y + 1]
        assert "周一" in header and "周日" in header
        await press(pilot, "right", "right")
        day, slot = app.screen.days[1], app.screen.slots[0]
        names = [a.staff.name for a in app.screen.people(day, slot.id)]
        assert names, "the demo's week is planned"
        detail = screen_text(pilot).splitlines()[app.screen.query_one("#week-detail").region.y]
        assert f"{day:%m-%d} {slot.name}：" in detail and all(n in detail for n in names)
