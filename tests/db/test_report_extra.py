"""Extra sections of the daily report (全员核酸 and any later one): only on a day with something
to report, before 其他需要说明的情况, numbered on from 六, frozen with the rest; a township
without one sends exactly FORMATS.md's layout. Sampling points never count as checkpoints."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import report as rp
from db import testing
from db.models import Checkpoint, Resident, Shift, ShiftSlot
from db.report import daily_report, freeze_report
from exports.daily import export_daily
from tests.db.test_report import DAY, row, section, township  # noqa: F401  (fixture)

FORMATS_TITLES = ["一、重点人员", "二、管控措施", "三、大数据推送核查", "四、卡口值守", "五、志愿服务",
                  "六、捐赠款物"]


def bold_titles(path: Path) -> list[str]:
    """The section headings of an exported report, top to bottom (column A, bold)."""
    ws = load_workbook(path).active
    return [c.value for (c,) in ws.iter_rows(min_col=1, max_col=1)
            if isinstance(c.value, str) and "、" in c.value[:3] and c.font.b]


@pytest.mark.usefixtures("township")
def test_without_a_round_the_report_is_formats_layout(tmp_path: Path) -> None:
    testing.new_round("上月轮次", DAY - dt.timedelta(days=30), DAY - dt.timedelta(days=28))
    report = daily_report(DAY)
    assert [s["title"] for s in report.sections] == FORMATS_TITLES
    assert report.note_title == "七、其他需要说明的情况"
    export_daily(tmp_path / "r.xlsx", DAY)
    assert bold_titles(tmp_path / "r.xlsx") == [*FORMATS_TITLES, "七、其他需要说明的情况"]


@pytest.mark.usefixtures("township")
def test_a_running_round_has_its_section_and_it_is_frozen(tmp_path: Path) -> None:
    found = testing.new_round("第1轮", DAY, DAY + dt.timedelta(days=1))
    people = list(Resident.select().order_by(Resident.id))
    testing.set_immobile([people[0].id])
    testing.check_off(found.id, people[0].id, how="上门",
                      at=dt.datetime.combine(DAY, dt.time(9)))
    testing.check_off(found.id, people[3].id, at=dt.datetime.combine(DAY, dt.time(10)))
    testing.check_off(found.id, people[4].id, at=dt.datetime.combine(DAY, dt.time(23, 59)))
    numbers = testing.coverage(found.id)
    report = daily_report(DAY)
    titles = [s["title"] for s in report.sections]
    assert titles == [*FORMATS_TITLES, "七、全员核酸检测（第1轮）"]
    extra = section(report, "全员核酸检测（第1轮）")
    assert extra["columns"] == ["项目", "应检", "已检", "未检", "上门", "阳性"]
    assert row(extra, "数量") == ["数量", numbers.expected, 3, numbers.expected - 3, 1, 0]
    assert report.note_title == "八、其他需要说明的情况"
    export_daily(tmp_path / "r.xlsx", DAY)
    assert bold_titles(tmp_path / "r.xlsx") == [*titles, "八、其他需要说明的情况"]
    testing.check_off(found.id, people[2].id)  # after the report went upward
    frozen = daily_report(DAY)
    assert row(section(frozen, "全员核酸检测（第1轮）"), "数量")[2] == 3
    assert frozen.note_title == "八、其他需要说明的情况"
    # the day before the round: no section
    assert len(daily_report(DAY - dt.timedelta(days=1)).sections) == 6


@pytest.mark.usefixtures("township")
def test_the_report_counts_samples_of_the_day_as_of_its_moment(fake_clock
                                                                ) -> None:
    found = testing.new_round("第1轮", DAY, DAY + dt.timedelta(days=1))
    people = list(Resident.select().order_by(Resident.id))
    testing.check_off(found.id, people[0].id, at=dt.datetime.combine(DAY, dt.time(9)))
    testing.check_off(found.id, people[1].id, at=dt.datetime.combine(DAY + dt.timedelta(days=1),
                                                                     dt.time(8)))
    assert row(section(daily_report(DAY), "全员核酸检测（第1轮）"), "数量")[2] == 1
    fake_clock.at = dt.datetime.combine(DAY, dt.time(13))
    early = freeze_report(DAY)
    assert row(section(early, "全员核酸检测（第1轮）"), "数量")[2] == 1


@pytest.mark.usefixtures("township")
def test_providers_are_numbered_consecutively_and_none_is_left_out(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The shape the request desk supplies: (title, [(label, value)]) or None."""
    def requests(day: dt.date) -> tuple[str, list[tuple[str, str | int]]] | None:
        return ("居民求助", [("当日受理", 4), ("已送达", 3), ("超时未送达", "1（药品）")])

    def nothing(day: dt.date) -> None:
        return None

    testing.new_round("第1轮", DAY, DAY)
    monkeypatch.setattr(rp, "EXTRA_SECTIONS", [*rp.EXTRA_SECTIONS, nothing, requests])
    report = daily_report(DAY)
    assert [s["title"] for s in report.sections][6:] == ["七、全员核酸检测（第1轮）", "八、居民求助"]
    assert row(section(report, "居民求助"), "数量") == ["数量", 4, 3, "1（药品）"]
    assert report.note_title == "九、其他需要说明的情况"
    export_daily(tmp_path / "r.xlsx", DAY)
    titles = bold_titles(tmp_path / "r.xlsx")
    assert titles[6:] == ["七、全员核酸检测（第1轮）", "八、居民求助", "九、其他需要说明的情况"]
    ws = load_workbook(tmp_path / "r.xlsx").active
    assert "1（药品）" in [c.value for r in ws.iter_rows() for c in r]


@pytest.mark.usefixtures("township")
def test_sampling_points_are_not_checkpoints_in_the_report() -> None:
    point = testing.new_point("文化广场采样点")
    slot = ShiftSlot.create(name="06:00-12:00", start="06:00", end="12:00", post_kind="采样点")
    Shift.create(checkpoint=point, date=DAY, slot=slot, headcount=3)
    checkpoints = section(daily_report(DAY), "卡口值守")
    assert checkpoints["columns"][2:4] == ["白班在岗", "夜班在岗"]
    assert row(checkpoints, "数量") == ["数量", 1, 2, 1, 3, 1, 1]
    assert Checkpoint.select().count() == 2
