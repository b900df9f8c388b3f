"""The sampling system's list in every form it arrives in: xlsx through the reader's checks,
csv in UTF-8 (with or without BOM) or GBK, columns in any order, IDs as text; numbers and
scientific notation refused with the place named; a second import changes nothing."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import pytest
from openpyxl import Workbook

from db import clock, testing
from db.database import database
from db.models import Resident, Sample
from exports import sampling
from exports.reader import SheetError
from exports.sampling import import_sample_list, read_sample_list

DAY = clock.today()


def people(n: int) -> list[Resident]:
    return list(Resident.select().where((Resident.status == "在册") & (Resident.phone != ""))
                .order_by(Resident.id).limit(n))


def samples() -> list[tuple]:
    return database.execute_sql("SELECT round_id, resident_id, at, how, source FROM sample "
                                "ORDER BY id").fetchall()


@pytest.mark.parametrize("ahead", [False, True], ids=["looked-up", "register-read-ahead"])
def test_xlsx_list_with_title_numbers_and_several_sheets(demo_path: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        ahead: bool) -> None:
    """Both ways of matching (a short list's numbers looked up, a long list against the whole
    register read on a second thread while the sheet is parsed) give the same check-off."""
    if ahead:
        monkeypatch.setattr(sampling, "REGISTER_AHEAD_BYTES", 0)
    found = testing.new_round("第1轮", DAY, DAY)
    a, b, c, d = people(4)
    wb = Workbook()
    ws = wb.active
    ws.title = "城关采样点"
    ws.append(["2022年4月12日全员核酸采样名单"])
    ws.merge_cells("A1:E1")
    ws.append(["序号", "被采样人", "证件号码", "手机号", "采样时间"])
    ws.append([1, a.name, a.id_number, a.phone, dt.datetime(2022, 4, 12, 7, 30)])
    ws.append([2, b.name, int(b.id_number[:17]), b.phone, None])  # Excel ate the last digits
    ws.append([3, c.name, None, c.phone, "2022-04-12 08:05"])
    ws.append(["合计", "3人"])
    other = wb.create_sheet("流动采样队")
    other.append(["姓名", "联系电话", "身份证号码"])
    other.append([d.name, d.phone, d.id_number.lower()])
    other.append(["无名氏", "13900000000", "110101199003070000"])
    wb.save(tmp_path / "list.xlsx")
    result = import_sample_list(found.id, tmp_path / "list.xlsx")
    assert (result.matched, result.already) == (3, 0)
    assert [(u.sheet, u.row) for u in result.unmatched] == [("城关采样点", 4), ("流动采样队", 3)]
    assert "“证件号码”列" in result.unmatched[0].text() and "城关采样点" in result.unmatched[0].text()
    assert "不在居民库中" in result.unmatched[1].reason
    got = {s.resident_id: s for s in Sample.select()}
    assert set(got) == {a.id, c.id, d.id}
    assert got[a.id].at == dt.datetime(2022, 4, 12, 7, 30)
    assert got[c.id].at == dt.datetime(2022, 4, 12, 8, 5)
    assert got[a.id].source == "list.xlsx:城关采样点:3"
    before = samples()
    again = import_sample_list(found.id, tmp_path / "list.xlsx")
    assert (again.matched, again.already, len(again.unmatched)) == (0, 3, 2)
    assert samples() == before


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding_with_varying_columns(demo_path: Path, tmp_path: Path,
                                                    encoding: str) -> None:
    found = testing.new_round("第1轮", DAY, DAY)
    a, b, c = people(3)
    lines = ["采样点,手机号码,备注,身份证号,受检者姓名",
             f"文化广场,{a.phone},,{a.id_number},{a.name}",
             f"文化广场,{b.phone},,3.30102E+17,{b.name}",
             f"文化广场,{c.phone},鄂,,{c.name}",
             ""]
    path = tmp_path / "list.csv"
    path.write_bytes("\r\n".join(lines).encode(encoding))
    result = import_sample_list(found.id, path)
    assert (result.matched, result.already) == (2, 0)
    assert [u.row for u in result.unmatched] == [3]
    assert "科学计数法" in result.unmatched[0].reason and "“身份证号”列" in result.unmatched[0].reason
    assert {s.resident_id for s in Sample.select()} == {a.id, c.id}
    before = samples()
    assert import_sample_list(found.id, path).already == 2
    assert samples() == before


def test_csv_ids_stay_text_and_tabs_are_read(demo_path: Path, tmp_path: Path) -> None:
    (a,) = people(1)
    path = tmp_path / "list.txt"
    path.write_text(f"姓名\t身份证号码\n{a.name}\t{a.id_number}\n", encoding="utf-8")
    listed = read_sample_list(path)
    assert [(row, number, name) for _sheet, row, number, name, _phone, _at in listed.rows] == [
        (2, a.id_number, a.name)]


def test_bad_files_are_refused_in_chinese_and_nothing_written(demo_path: Path,
                                                              tmp_path: Path) -> None:
    found = testing.new_round("第1轮", DAY, DAY)
    no_header = tmp_path / "a.csv"
    no_header.write_text("甲,乙\n1,2\n", encoding="utf-8")
    with pytest.raises(SheetError, match="找不到表头行"):
        import_sample_list(found.id, no_header)
    garbage = tmp_path / "b.csv"
    garbage.write_bytes("姓名,身份证号\n".encode() + b"\xff\xfe\xfa\x80\x81\n")
    with pytest.raises(SheetError, match="编码"):
        import_sample_list(found.id, garbage)
    not_xlsx = tmp_path / "c.xlsx"
    not_xlsx.write_text("姓名,身份证号\n", encoding="utf-8")
    with pytest.raises(SheetError, match="不是 Excel"):
        import_sample_list(found.id, not_xlsx)
    with pytest.raises(SheetError, match="找不到文件"):
        import_sample_list(found.id, tmp_path / "none.csv")
    assert Sample.select().count() == 0


def test_merged_cells_below_the_header_are_filled_as_the_general_reader_does(
        demo_path: Path, tmp_path: Path) -> None:
    found = testing.new_round("第1轮", DAY, DAY)
    a, b = people(2)
    wb = Workbook()
    ws = wb.active
    ws.append(["采样点", "姓名", "身份证号码", "采样时间"])
    ws.append(["文化广场", a.name, a.id_number, "2022-04-12 07:00"])
    ws.append([None, b.name, b.id_number, None])
    ws.merge_cells("A2:A3")
    ws.merge_cells("D2:D3")  # one time for both: the second row gets it too
    wb.save(tmp_path / "merged.xlsx")
    result = import_sample_list(found.id, tmp_path / "merged.xlsx")
    assert (result.matched, result.unmatched) == (2, [])
    assert {s.at for s in Sample.select()} == {dt.datetime(2022, 4, 12, 7, 0)}


def test_bulk_marks_by_list_all_or_nothing(demo_path: Path, tmp_path: Path) -> None:
    from db.testing import apply_marks
    from exports.sampling import read_marks

    a, b, c = people(3)
    path = tmp_path / "marks.csv"
    path.write_text("身份证号码,姓名,外出日期,返回日期,行动不便\n"
                    f"{a.id_number},{a.name},2022-04-01,,\n"
                    f"{b.id_number},{b.name},,,是\n"
                    f"{c.id_number},{c.name},2022-04-05,2022-04-01,否\n", encoding="gb18030")
    refused = apply_marks(read_marks(path))
    assert [(p.row, p.reason) for p in refused.problems] == [(4, "返回日期不能早于外出日期")]
    assert Resident.get_by_id(a.id).away_from is None  # nothing written
    path.write_text(path.read_text(encoding="gb18030").replace("2022-04-01,否", "2022-04-09,否"),
                    encoding="gb18030")
    done = apply_marks(read_marks(path))
    assert (done.changed, done.unchanged, done.problems) == (3, 0, [])
    assert Resident.get_by_id(a.id).away_from == dt.date(2022, 4, 1)
    assert Resident.get_by_id(b.id).immobile and not Resident.get_by_id(c.id).immobile
    assert Resident.get_by_id(c.id).away_to == dt.date(2022, 4, 9)
    again = apply_marks(read_marks(path))
    assert (again.changed, again.unchanged) == (0, 3)
    wb = Workbook()
    wb.active.append(["公民身份号码", "是否行动不便"])
    wb.active.append([a.id_number, "√"])
    wb.active.append(["110101199003070000", "是"])
    wb.save(tmp_path / "marks.xlsx")
    bad = apply_marks(read_marks(tmp_path / "marks.xlsx"))
    assert [(p.sheet, p.row) for p in bad.problems] == [("Sheet", 3)]
    assert not Resident.get_by_id(a.id).immobile


def test_a_long_list_reports_its_reading_and_counts_repeats_once(demo_path: Path,
                                                                 tmp_path: Path) -> None:
    found = testing.new_round("第1轮", DAY, DAY)
    everyone = people(500)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("名单")
    ws.append(["姓名", "身份证号码"])
    for n in range(25_000):
        person = everyone[n % len(everyone)]
        ws.append([person.name, person.id_number])
    wb.save(tmp_path / "long.xlsx")
    seen: list[tuple[str, float]] = []
    result = import_sample_list(found.id, tmp_path / "long.xlsx",
                                progress=lambda stage, f: seen.append((stage, f)))
    assert (result.matched, result.already, result.unmatched) == (500, 24_500, [])
    reading = [f for stage, f in seen if stage == "读取"]
    assert reading[0] == 0.0 and len(reading) >= 3 and reading == sorted(reading)
    assert seen[-1] == ("完成", 1.0)


@pytest.mark.parametrize("collecting", [True, False])
def test_the_cycle_collector_is_left_as_it_was_found(demo_path: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      collecting: bool) -> None:
    """The check-off pauses Python's cycle collector while it reads and matches; after it,
    and after a file it refuses, the collector is as it was."""
    found = testing.new_round("第1轮", DAY, DAY)
    (a,) = people(1)
    (tmp_path / "list.csv").write_text(f"姓名,身份证号码\n{a.name},{a.id_number}\n",
                                       encoding="utf-8")
    (tmp_path / "bad.csv").write_text("没有表头\n", encoding="utf-8")
    seen: list[bool] = []
    real = sampling.read_sample_list

    def reading(path: Path, progress: object = None) -> sampling.SampleList:
        seen.append(gc.isenabled())
        return real(path)

    monkeypatch.setattr(sampling, "read_sample_list", reading)
    (gc.enable if collecting else gc.disable)()
    try:
        assert import_sample_list(found.id, tmp_path / "list.csv").matched == 1
        assert gc.isenabled() is collecting
        with pytest.raises(SheetError):
            import_sample_list(found.id, tmp_path / "bad.csv")
        assert gc.isenabled() is collecting
        assert seen == [False, False]
    finally:
        gc.enable()
