"""The district's lists, once, and outcomes that mean what they say: explicit result categories,
the same file refused as a second batch, earlier pushes per person, batches to the recycle bin,
a multi-sheet file as one batch filled back on every sheet."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from db import clock, pushed, recycle
from db.check import repair, run_check
from db.database import close_database
from db.models import Household, PushedBatch, PushedRow, RecycleBin, Resident
from db.report import daily_numbers
from db.residents import ResidentInput, register_resident
from db.settings import set_setting
from db.validate import Invalid
from eprc import cli
from exports.pushed import export_feedback, import_pushed_file
from tests.exports.test_pushed_feedback import district_sheet
from tests.factories import make_id

# today, in the township's zone: a daily report counts the calls made by its day's 24:00
DAY = dt.datetime.combine(clock.today(), dt.time(0, 0))


def pushed_section(day: dt.date) -> dict[str, int]:
    section = next(s for s in daily_numbers(day) if "大数据推送核查" in s["title"])
    return dict(zip(section["columns"][1:], section["rows"][0][1:], strict=True))


def test_not_living_here_never_creates_a_resident(db_path: Path, tmp_path: Path) -> None:
    """不在辖区居住 contains 在辖区: it once added the person to the register as 返乡."""
    batch = import_pushed_file(district_sheet(tmp_path / "p.xlsx"), DAY).batch_id
    row = pushed.verify(batch, 4, "不在辖区居住", id_number=make_id("19900101", 11),
                        address="上海")
    assert (row.category, row.resident_id) == ("不在辖区", None)
    assert Resident.select().count() == 0
    found = pushed.verify(batch, 5, "已核实在辖区（漏排）", id_number=make_id("19900101", 13),
                          address="桃园村1号")
    assert found.category == "在辖区" and found.resident.kind == "返乡"
    corrected = pushed.verify(batch, 5, "已离开")
    assert (corrected.category, corrected.resident_id) == ("已离开", None)
    pushed.verify(batch, 6, "无法联系")
    pushed.verify(batch, 7, "信息有误")
    counts = pushed_section(DAY.date())
    assert counts == {"当日接收": 5, "已核查": 4, "在辖区": 0, "不在辖区": 1, "已离开": 1,
                      "无法联系": 1, "未核查": 1, "其中逾期": 0}


def test_cli_verify_not_living_here_leaves_the_register_alone(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    source = district_sheet(tmp_path / "推送.xlsx")

    def run(*args: str):
        result = CliRunner().invoke(cli, [*args, "--db", db])
        close_database()
        return result

    assert run("init").exit_code == 0
    assert run("import", "pushed", str(source)).exit_code == 0
    result = run("verify", "1", "4", "不在辖区居住", "--id", make_id("19900101", 11),
                 "--address", "上海市")
    assert result.exit_code == 0 and "不在辖区居住" in result.stdout
    assert "已关联居民" not in result.stdout
    result = run("check")
    assert "居民：0" in result.stdout and "误建" not in result.stdout


def test_a_clerks_own_word_names_its_column(db_path: Path, tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="须注明类别"):
        set_setting("verify_results", "前期已排查,外出务工")
    with pytest.raises(Invalid, match="类别“其他”不存在"):
        set_setting("verify_results", "外出务工=其他")
    set_setting("verify_results", "已核实在辖区（漏排）,外出务工=已离开,在辖区外就医=无")
    assert pushed.verify_results() == ["已核实在辖区（漏排）", "外出务工", "在辖区外就医"]
    batch = import_pushed_file(district_sheet(tmp_path / "p.xlsx"), DAY).batch_id
    assert pushed.verify(batch, 4, "外出务工").category == "已离开"
    row = pushed.verify(batch, 5, "在辖区外就医", id_number=make_id("19900101", 11))
    assert (row.category, row.resident_id) == ("", None) and Resident.select().count() == 0
    counts = pushed_section(DAY.date())
    assert (counts["已核查"], counts["在辖区"], counts["已离开"]) == (2, 0, 1)


def test_the_same_file_twice_is_one_batch_unless_insisted(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    source = district_sheet(tmp_path / "推送.xlsx")
    renamed = tmp_path / "推送(1).xlsx"
    renamed.write_bytes(source.read_bytes())

    def run(*args: str):
        result = CliRunner().invoke(cli, ["import", "pushed", *args, "--db", db])
        close_database()
        return result

    assert CliRunner().invoke(cli, ["init", "--db", db]).exit_code == 0
    assert run(str(source)).exit_code == 0
    again = run(str(renamed))
    assert again.exit_code == 1 and "已导入过：第 1 批，导入于" in again.stderr
    reordered = district_sheet(tmp_path / "reordered.xlsx",
                               rows=[[9, *r[1:]] for r in reversed(
                                   [[1, "P0411", "张三", "13800000001", "上海市", "2022-04-06",
                                     "x", None],
                                    [2, "P0411", "李四", 13800000002, "武汉", None, "x", None],
                                    [3, "P0411", "王五", "138 0000 0003", "杭州", None, "x", None],
                                    [4, "P0411", "赵六", "13800000004", "深圳", None, "x", None],
                                    [5, "P0411", "钱七", "13800000005", "北京", None, "x", None]])])
    assert "已导入过：第 1 批" in run(str(reordered)).stderr  # same people, other layout
    forced = run(str(renamed), "--again", "--json")
    assert forced.exit_code == 0 and json.loads(forced.stdout)["batch"] == 2
    assert json.loads(forced.stdout)["pushed_before"] == 5


def test_partial_overlap_shows_the_earlier_push_per_person(db_path: Path, tmp_path: Path) -> None:
    first = import_pushed_file(district_sheet(tmp_path / "a.xlsx"), DAY).batch_id
    pushed.verify(first, 4, "不在辖区居住", "已返沪")
    rows = [[1, "P0412", "张三", "13800000001", "上海", None, "x", None],  # same phone and name
            [2, "P0412", "张三丰", "13800000002", "武汉", None, "x", None],  # same phone, other name
            [3, "P0412", "新人", "13900000000", "杭州", None, "x", None]]
    second = import_pushed_file(district_sheet(tmp_path / "b.xlsx", rows=rows),
                                DAY + dt.timedelta(days=1))
    assert second.batch_id == 2 and second.pushed_before == 1
    earlier = {r.sheet_row: pushed.earlier_push(r) for r in pushed.batch_rows(2)}
    assert earlier[5] is None and earlier[6] is None
    assert earlier[4].text() == f"前次推送：第1批（{DAY:%Y-%m-%d}），结果：不在辖区居住"
    by_id = [[1, "P", "张三", None, "上海", None, "x", make_id("19900101", 11)]]
    pushed.verify(2, 5, "无法联系", id_number=make_id("19900101", 11))
    header = ["序号", "推送批次", "姓名", "手机号码", "来源地", "抵达时间", "预警类型", "身份证号"]
    third = import_pushed_file(district_sheet(tmp_path / "c.xlsx", header, by_id),
                               DAY + dt.timedelta(days=2))
    row = pushed.batch_rows(third.batch_id)[0]
    assert pushed.earlier_push(row).text() == (
        f"前次推送：第2批（{DAY + dt.timedelta(days=1):%Y-%m-%d}），结果：无法联系")


def test_a_batch_goes_to_the_recycle_bin_and_comes_back(db_path: Path, tmp_path: Path) -> None:
    batch = import_pushed_file(district_sheet(tmp_path / "p.xlsx"), DAY).batch_id
    pushed.verify(batch, 4, "前期已排查")
    ids = sorted(r.id for r in PushedRow.select())
    pushed.delete_batch(batch)
    assert PushedBatch.select().count() == 0 and PushedRow.select().count() == 0
    assert pushed_section(DAY.date())["当日接收"] == 0
    entry = RecycleBin.get()
    assert "第1批" in entry.label
    recycle.restore(entry.id)
    assert sorted(r.id for r in PushedRow.select()) == ids
    assert PushedRow.get(PushedRow.sheet_row == 4).result == "前期已排查"
    with pytest.raises(Invalid, match="没有第9批"):
        pushed.delete_batch(9)


def test_a_multi_sheet_file_is_one_batch_filled_on_every_sheet(db_path: Path,
                                                               tmp_path: Path) -> None:
    wb = Workbook()
    for n, town in enumerate(("城关", "李庄", "说明")):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = town
        if town == "说明":
            ws.append(["本表由区指挥部下发"])
            continue
        ws.append([f"{town}推送名单"])
        ws.append(["序号", "姓名", "手机号码"])
        for k in range(1, 4):
            ws.append([k, f"{town}{k}", f"1380000{n}{k:03d}"])
    source = tmp_path / "多表.xlsx"
    wb.save(source)
    summary = import_pushed_file(source, DAY)
    assert summary.sheets == [("城关", 3), ("李庄", 3)] and summary.rows == 6
    assert summary.skipped == ["“说明”（没有表头）"]
    assert PushedBatch.select().count() == 1
    rows = pushed.batch_rows(summary.batch_id)
    assert [(r.sheet, r.sheet_row, r.name) for r in rows][2:4] == [("城关", 5, "城关3"),
                                                                   ("李庄", 3, "李庄1")]
    with pytest.raises(Invalid, match="请指明工作表：城关、李庄"):
        pushed.verify(summary.batch_id, 3, "无法联系")
    pushed.verify(summary.batch_id, 3, "无法联系", sheet="城关")
    pushed.verify(summary.batch_id, 4, "前期已排查", sheet="李庄")
    out = tmp_path / "反馈.xlsx"
    assert export_feedback(summary.batch_id, out) == (2, 6)
    back = load_workbook(out)
    assert back.sheetnames == ["城关", "李庄", "说明"]
    assert back["城关"]["D2"].value == "核查结果" and back["李庄"]["D2"].value == "核查结果"
    assert back["城关"]["D3"].value == "无法联系" and back["城关"]["D4"].value is None
    assert back["李庄"]["D4"].value == "前期已排查" and back["李庄"]["D3"].value is None
    assert back["说明"]["A1"].value == "本表由区指挥部下发"


def test_pushed_names_sorted_on_their_own_are_refused(db_path: Path, tmp_path: Path) -> None:
    names = [f"居民{n}" for n in range(12)]
    for n, name in enumerate(names):
        register_resident(ResidentInput(name, make_id("19800101", n + 1)), address="a")
    header = ["序号", "姓名", "身份证号", "手机号码"]
    rows = [[n, names[(n + 3) % 12], make_id("19800101", n + 1), f"1380000{n:04d}"]
            for n in range(12)]
    with pytest.raises(Invalid, match="疑似“姓名”列被单独排序"):
        import_pushed_file(district_sheet(tmp_path / "sorted.xlsx", header, rows), DAY)
    assert PushedBatch.select().count() == 0
    rows = [[n, names[n], make_id("19800101", n + 1), f"1380000{n:04d}"] for n in range(12)]
    rows[0][1] = "改名了"
    summary = import_pushed_file(district_sheet(tmp_path / "one.xlsx", header, rows), DAY)
    assert any("姓名“改名了”与台账中该身份证号码的姓名“居民0”不一致" in w
               for _row, w in summary.warnings)
    assert Resident.get(Resident.id_number == make_id("19800101", 1)).name == "居民0"


def test_check_lists_and_repair_bins_residents_made_by_a_wrong_outcome(
    db_path: Path, tmp_path: Path,
) -> None:
    """What version 1 left behind: 不在辖区居住 recorded, the person created as 返乡."""
    batch = import_pushed_file(district_sheet(tmp_path / "p.xlsx"), DAY).batch_id
    wrong = register_resident(ResidentInput("张三", make_id("19900101", 11), kind="返乡",
                                            notes="大数据推送第1批核实"), address="上海")
    PushedRow.update(result="不在辖区居住", category="不在辖区", id_number=wrong.id_number,
                     resident=wrong).where(PushedRow.sheet_row == 4).execute()
    right = pushed.verify(batch, 5, "已核实在辖区（漏排）", id_number=make_id("19900101", 13),
                          address="桃园村")
    report = run_check()
    listed = [p for p in report.problems if "误建的居民" in p]
    assert len(listed) == 1 and "张三（大数据推送第1批核实）共1人" in listed[0]
    done = repair()
    assert any("1名由误判的核查结果建档的居民已移入回收站：张三" in d for d in done)
    assert [r.id for r in Resident.select()] == [right.resident_id]
    assert Household.select().count() == 1
    assert not [p for p in run_check().problems if "误建" in p]
