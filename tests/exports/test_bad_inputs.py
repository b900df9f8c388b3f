"""A corpus of bad files for every import: each gets a clear Chinese message naming the problem,
and the database stays byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook

from db.areas import add_area
from db.database import close_database, close_file, database
from db.validate import Invalid
from exports.pushed import import_pushed_file
from exports.residents import import_residents_file
from exports.staff import import_staff_file
from tests.factories import make_id

IMPORTS = {"residents": import_residents_file, "pushed": import_pushed_file,
           "staff": import_staff_file}


def fingerprint(path: Path) -> str:
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    digest = hashlib.sha256(path.read_bytes())
    wal = Path(str(path) + "-wal")
    if wal.exists():
        digest.update(wal.read_bytes())
    return digest.hexdigest()


def workbook(path: Path, rows: list[list[object]], title: str = "Sheet1") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def corpus(tmp: Path) -> dict[str, tuple[Path, str]]:
    files: dict[str, tuple[Path, str]] = {}

    def put(name: str, data: bytes, fragment: str) -> None:
        path = tmp / name
        path.write_bytes(data)
        files[name] = (path, fragment)

    put("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, ".xls")
    put("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1EncryptedPackage" + b"\0" * 512,
        "密码")
    put("list.csv", "姓名,身份证号\n张三,360426199101010071\n".encode(), "不是 Excel")
    put("random.xlsx", bytes(range(256)) * 8, "不是 Excel")
    put("empty.xlsx", b"", "空文件")
    doc = tmp / "letter.docx"
    with zipfile.ZipFile(doc, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    files["letter.docx"] = (doc, "不是 Excel")
    files["empty-sheet.xlsx"] = (workbook(tmp / "empty-sheet.xlsx", []), "找不到表头行")
    files["no-header.xlsx"] = (workbook(tmp / "no-header.xlsx", [["甲", "乙"], [1, 2]]),
                               "找不到表头行")
    formulas = workbook(tmp / "formulas.xlsx", [["姓名", "身份证号码", "手机号"],
                                                ["=A9", "=B9", "=C9"], ["=A10", "=B10", "=C10"]])
    files["formulas.xlsx"] = (formulas, "公式而不是数值")
    return files


@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_every_bad_file_is_refused_and_the_database_untouched(db_path: Path, tmp_path: Path,
                                                              kind: str) -> None:
    before = fingerprint(db_path)
    for name, (path, fragment) in corpus(tmp_path).items():
        with pytest.raises(Invalid) as exc:
            IMPORTS[kind](path)
        assert fragment in str(exc.value), (name, str(exc.value))
        assert path.name in str(exc.value) or "找不到表头行" in str(exc.value), name
    assert fingerprint(db_path) == before


def test_odd_but_readable_sheets(db_path: Path, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["居民名单"])
    ws.append(["姓名", "公民身份号码", None, "联系电话", "备注"])
    ws.merge_cells("B2:C2")  # a merged header cell
    ws.append(["张三", make_id("19900101", 11), None, "13800000000", "x" * 20000])  # huge cell
    ws.append(["李😀", make_id("19900101", 21), None, None, None])  # an emoji in a name
    ws.append(["王五", make_id("19900101", 31), None, None, "🙂 好"])  # an emoji in a note
    for row in range(6, 20006):  # 20,000 blank but formatted rows
        ws.cell(row=row, column=1).number_format = "@"
    path = tmp_path / "odd.xlsx"
    wb.save(path)
    summary = import_residents_file(path, area=add_area("桃园村"))  # the sheet names no 社区
    assert summary.added == 2
    rejected = {p.row: p.reason for p in summary.rejected}
    assert "不应出现的字符“😀”" in rejected[4]
    assert any(p.row == 3 and "截断" in p.reason for p in summary.warnings)


def test_a_sheet_that_claims_a_million_rows_is_streamed(db_path: Path, tmp_path: Path) -> None:
    path = workbook(tmp_path / "huge.xlsx", [["姓名", "身份证号码"],
                                              ["张三", make_id("19900101", 11)]])
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    assert '<dimension ref="A1:B2" />' in sheet
    sheet = sheet.replace('<dimension ref="A1:B2" />', '<dimension ref="A1:B1048576" />')
    sheet = sheet.replace("</sheetData>", '<row r="1048576"><c r="A1048576" t="inlineStr">'
                                          "<is><t>李四</t></is></c><c r=\"B1048576\" "
                                          f't="inlineStr"><is><t>{make_id("19900101", 21)}'
                                          "</t></is></c></row></sheetData>")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    summary = import_residents_file(path, area=add_area("桃园村"))  # the sheet names no 社区
    assert summary.added == 2
    close_database()


# ---- every sheet, any size, safely -------------------------------------------------------------

SHEET = "xl/worksheets/sheet1.xml"


def rewrite_sheet(path: Path, change) -> Path:
    """``path`` with its first sheet's XML passed through ``change`` (bytes -> bytes)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[SHEET] = change(parts[SHEET])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def register_rows(n: int) -> list[list[object]]:
    return [["序号", "姓名", "身份证号码", "联系电话"]] + [
        [i + 1, f"张{i}", make_id("19900101", i % 999 + 1), "13800000000"] for i in range(n)]


# The child's own peak: VmHWM belongs to the process image after exec. ru_maxrss would not do:
# Linux keeps across exec the high-water mark of the forked copy of the parent, so a child of a
# pytest run that has grown to 350 MB reports 350 MB whatever it does itself.
PEAK_MB = """
def peak_mb():
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""


def run_child(code: str, timeout: float = 120) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter (a Rust abort or a MemoryError must not take the test
    run down); it prints a JSON line, to which the child's peak memory (MB) is added."""
    import json
    import subprocess
    import sys

    script = ("import json, sys, time\n" + code + "\n" + PEAK_MB
              + "out['peak_mb'] = peak_mb()\nprint(json.dumps(out, ensure_ascii=False))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=timeout, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


READ = """
from pathlib import Path
from exports.reader import read_tables, SheetError
from exports.residents import SYNONYMS
out = {}
start = time.process_time()
try:
    sheets = read_tables(Path(sys.argv[1] if len(sys.argv) > 1 else %r), SYNONYMS, ("id_number", "name"))
    out["rows"] = sum(len(t.rows) for t in sheets.tables)
    out["notes"] = [n for t in sheets.tables for n in t.notes]
except SheetError as exc:
    out["error"] = str(exc)
out["seconds"] = time.process_time() - start
"""


def read_in_child(path: Path) -> dict[str, object]:
    return run_child(READ % str(path))


def test_a_stray_far_cell_is_read_as_the_small_sheet_it_is(tmp_path: Path) -> None:
    normal = workbook(tmp_path / "normal.xlsx", register_rows(20_000))
    stray = workbook(tmp_path / "stray.xlsx", register_rows(20_000))
    rewrite_sheet(stray, lambda xml: xml.replace(
        b'<c r="A5"', b'<c r="XFD5" t="inlineStr"><is><t>x</t></is></c><c r="A5"', 1))
    plain, far = read_in_child(normal), read_in_child(stray)
    assert plain["rows"] == far["rows"] == 20_000
    assert far["notes"] == ["远离表格的单元格（XFD列）已忽略"]
    assert far["seconds"] <= 2 * plain["seconds"] + 0.2, (plain, far)
    assert far["peak_mb"] < 300


def test_a_far_cell_in_the_last_row_and_column_is_left_out(db_path: Path, tmp_path: Path) -> None:
    path = workbook(tmp_path / "corner.xlsx", register_rows(3))
    rewrite_sheet(path, lambda xml: xml.replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is>'
                         b"</c></row></sheetData>"))
    summary = import_residents_file(path, area=add_area("桃园村"))  # the sheet names no 社区
    assert summary.added == 3
    assert any("XFD列" in p.reason and p.row == 1 for p in summary.warnings)


def test_a_declared_dimension_of_the_whole_grid_costs_nothing(db_path: Path, tmp_path: Path) -> None:
    path = workbook(tmp_path / "dim.xlsx", register_rows(3))
    rewrite_sheet(path, lambda xml: xml.replace(b'<dimension ref="A1:D4" />',
                                                b'<dimension ref="A1:XFD1048576" />'))
    result = read_in_child(path)
    assert result["rows"] == 3 and result["peak_mb"] < 300


def same_cell(rows: int) -> Iterator[bytes]:
    """The same filled row over and over, 1 MB at a time: compresses about 1000:1."""
    row = b'<row r="3"><c r="A3" t="inlineStr"><is><t>x</t></is></c></row>'
    block = row * (2**20 // len(row))
    for _ in range(rows * len(row) // len(block)):
        yield block


def distinct_cells(rows: int) -> Iterator[bytes]:
    """Rows 3… of ten numeric cells each, every reference different."""
    columns = [bytes([c]) for c in b"ABCDEFGHIJ"]
    for first in range(3, rows + 3, 10_000):
        yield b"".join(b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>1</v></c>' % (c, r)
                                                       for c in columns) + b"</row>"
                       for r in range(first, min(first + 10_000, rows + 3)))


def bomb(path: Path, source: Path, body: Iterator[bytes], declared: int | None = None) -> Path:
    """``source`` with its sheet's rows replaced by ``body``, deflated, the true uncompressed size
    written in the zip, or ``declared`` bytes claimed instead (a lying bomb)."""
    import struct
    import zlib

    with zipfile.ZipFile(source) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    head, tail = parts.pop(SHEET).split(b"</sheetData>")
    with path.open("wb") as out:
        central, offset = [], 0

        def member(name: str, pieces: Iterable[bytes]) -> None:
            nonlocal offset
            packer = zlib.compressobj(9, zlib.DEFLATED, -15)
            crc = size = 0
            blob = []
            for piece in pieces:
                blob.append(packer.compress(piece))
                crc, size = zlib.crc32(piece, crc), size + len(piece)
            blob.append(packer.flush())
            data = b"".join(blob)
            claimed = size if declared is None or name != SHEET else declared
            assert claimed < 0xFFFFFFFF and len(data) < 0xFFFFFFFF  # no zip64 in test bombs
            encoded = name.encode()
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data),
                                  claimed, len(encoded), 0) + encoded + data)
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0,
                                       crc, len(data), claimed, len(encoded), 0, 0, 0, 0, 0,
                                       offset) + encoded)
            offset += 30 + len(encoded) + len(data)

        for name, content in parts.items():
            member(name, [content])
        member(SHEET, itertools.chain([head], body, [b"</sheetData>" + tail]))
        directory = b"".join(central)
        out.write(directory + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central),
                                          len(central), len(directory), offset, 0))
    return path


@pytest.mark.parametrize(("name", "body", "declared", "fragment"), [
    ("honest", lambda: same_cell(4_000_000), None, "压缩炸弹"),  # 240 MB of XML, declared
    ("lying", lambda: same_cell(4_000_000), 5_000, "压缩炸弹"),  # the same, claiming 5 KB
    ("same-cell", lambda: same_cell(1_900_000), None, "同一单元格出现多次"),  # 114 MB, one cell
    ("many-cells", lambda: distinct_cells(350_000), None, "拆分"),  # 3.5 million cells, 80 MB
])
def test_a_zip_bomb_is_refused_in_seconds_with_little_memory(
        tmp_path: Path, name: str, body, declared: int | None, fragment: str) -> None:
    source = workbook(tmp_path / "base.xlsx", [["姓名", "身份证号码"], ["张三", make_id()]])
    path = bomb(tmp_path / f"{name}.xlsx", source, body(), declared)
    assert path.stat().st_size < 16 * 2**20
    result = read_in_child(path)
    assert "error" in result, result
    assert path.name in result["error"] and fragment in result["error"], result
    assert result["seconds"] < 10 and result["peak_mb"] < 300, result


def test_a_bomb_through_the_cli_is_one_line_and_the_database_untouched(db_path: Path,
                                                                         tmp_path: Path) -> None:
    import subprocess
    import sys

    source = workbook(tmp_path / "base.xlsx", [["姓名", "身份证号码"], ["张三", make_id()]])
    path = bomb(tmp_path / "bomb.xlsx", source, same_cell(4_000_000))
    close_file()  # the child is a writer: this process gives up the file's lock

    def file_bytes() -> str:  # every row of every table (opening the file bumps its header)
        import sqlite3

        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
            return "\n".join(connection.iterdump())

    before = file_bytes()
    done = subprocess.run([sys.executable, "-m", "eprc", "import", "residents", str(path),
                           "--db", str(db_path)], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).parents[2])
    assert done.returncode == 1
    assert done.stderr.strip().startswith("错误：") and len(done.stderr.strip().splitlines()) == 1
    assert "压缩炸弹" in done.stderr
    assert file_bytes() == before


@pytest.mark.parametrize("suffix", [".ods", ".xlsb", ".xls"])
@pytest.mark.parametrize("kind", sorted(IMPORTS))
def test_only_xlsx_is_taken(db_path: Path, tmp_path: Path, suffix: str, kind: str) -> None:
    path = tmp_path / f"名单{suffix}"
    workbook(tmp_path / "real.xlsx", [["姓名", "手机号", "身份证号码"], ["张三", "13800000000",
                                                                          make_id()]])
    path.write_bytes((tmp_path / "real.xlsx").read_bytes())  # content that would read fine
    before = fingerprint(db_path)
    with pytest.raises(Invalid) as exc:
        IMPORTS[kind](path)
    assert "请在 Excel/WPS 中另存为 .xlsx" in str(exc.value) and path.name in str(exc.value)
    assert fingerprint(db_path) == before


def several_sheets(path: Path) -> Path:
    """One sheet per 村民组, a notes sheet without a header, and a hidden sheet."""
    wb = Workbook()
    groups = wb.active
    groups.title = "一组"
    for n, title in enumerate(("一组", "二组", "三组")):
        ws = groups if n == 0 else wb.create_sheet(title)
        ws.append([f"{title}居民名单"])
        ws.append(["姓名", "身份证号码", "与户主关系"])
        for i in range(30):
            ws.append([f"{title}{i}", make_id("19900101", n * 100 + i + 1), "户主"])
    wb.create_sheet("说明").append(["本表由村委会填报"])
    hidden = wb.create_sheet("旧表")
    hidden.append(["姓名", "身份证号码"])
    hidden.append(["隐藏", make_id("19900101", 999)])
    hidden.sheet_state = "hidden"
    wb.save(path)
    return path


def test_every_sheet_with_a_header_is_imported_and_named(db_path: Path, tmp_path: Path) -> None:
    from db.models import Resident

    summary = import_residents_file(several_sheets(tmp_path / "村民组.xlsx"),
                                    area=add_area("桃园村"))  # the sheet names no 社区
    assert summary.added == 90 and Resident.select().count() == 90
    assert "“一组”30行、“二组”30行、“三组”30行" in summary.text()
    assert "跳过“旧表”（隐藏）、“说明”（没有表头）" in summary.text()
    assert summary.as_dict()["sheets"] == summary.sheets


def test_problems_name_their_sheet(db_path: Path, tmp_path: Path) -> None:
    path = several_sheets(tmp_path / "村民组.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb["二组"]["B5"] = "12345"  # row 5 of 二组: a short ID
    wb["三组"]["B4"] = wb["一组"]["B3"].value  # the same person as row 3 of 一组
    wb.save(path)
    summary = import_residents_file(path, errors_out=tmp_path / "问题.xlsx",
                                    area=add_area("桃园村"))  # the sheet names no 社区
    rejected = {(p.sheet, p.row): p.reason for p in summary.rejected}
    assert "18位" in rejected[("二组", 5)]
    assert "与工作表“一组”第3行重复" in rejected[("三组", 4)]
    problems = load_workbook(tmp_path / "问题.xlsx")
    assert set(problems.sheetnames) == {"二组", "三组"}


def test_staff_lists_read_every_sheet(db_path: Path, tmp_path: Path) -> None:
    from db.models import Staff

    wb = Workbook()
    wb.active.title = "下沉干部"
    wb.active.append(["姓名", "人员类别"])
    wb.active.append(["王干部", "下沉干部"])
    volunteers = wb.create_sheet("志愿者")
    volunteers.append(["姓名", "人员类别"])
    volunteers.append(["李志愿", "党员志愿者"])
    wb.save(tmp_path / "人员.xlsx")
    summary = import_staff_file(tmp_path / "人员.xlsx")
    assert summary.added == 2 and {s.name for s in Staff.select()} == {"王干部", "李志愿"}
    assert "“下沉干部”1行、“志愿者”1行" in summary.text()


def test_cells_without_references_are_placed_like_excel_does(tmp_path: Path) -> None:
    path = workbook(tmp_path / "noref.xlsx", register_rows(3))
    rewrite_sheet(path, lambda xml: re.sub(rb' r="[A-Z]+[0-9]+"', b"", xml))
    from exports.reader import read_tables
    from exports.residents import SYNONYMS

    sheets = read_tables(path, SYNONYMS, ("id_number", "name"))
    assert [v[1] for _n, v in sheets.tables[0].rows] == ["张0", "张1", "张2"]


def test_control_characters_in_cells_never_reach_the_register(db_path: Path, tmp_path: Path) -> None:
    from db.models import Resident

    # Excel stores control characters as _xHHHH_, which the reader decodes
    path = workbook(tmp_path / "esc.xlsx", [["姓名", "身份证号码", "备注"],
                                             ["张三", make_id(), "_x001B_]0;PWNED_x0007_好[red]"]])
    import_residents_file(path, area=add_area("桃园村"))  # the sheet names no 社区
    assert Resident.get().notes == "好[red]"


def test_a_far_cell_hidden_behind_a_newline_is_still_found(tmp_path: Path) -> None:
    path = workbook(tmp_path / "newline.xlsx", register_rows(3))
    rewrite_sheet(path, lambda xml: xml.replace(
        b'<c r="A2"', b'<c\nr="XFD2"\tt="inlineStr"><is><t>x</t></is></c><c r="A2"', 1))
    result = read_in_child(path)
    assert result["rows"] == 3 and result["notes"] == ["远离表格的单元格（XFD列）已忽略"]
    assert result["peak_mb"] < 300


def test_a_far_row_under_a_row_tag_without_a_number_is_still_found(tmp_path: Path) -> None:
    path = workbook(tmp_path / "far-row.xlsx", register_rows(3))
    rewrite_sheet(path, lambda xml: xml.replace(
        b"</sheetData>", b'<row><c r="D1048576" t="inlineStr"><is><t>x</t></is></c></row>'
                         b"</sheetData>"))
    with zipfile.ZipFile(path) as z:
        assert b"<row><c" in z.read(SHEET)
    from exports.reader import read_tables
    from exports.residents import SYNONYMS

    table = read_tables(path, SYNONYMS, ("id_number", "name")).tables[0]
    assert [n for n, _v in table.rows] == [2, 3, 4]
    assert table.notes == ["远离表格的单元格（第1048576行）已忽略"]


def test_a_rust_panic_in_the_reader_is_one_clear_line() -> None:
    from exports.reader import SheetError, _unreadable

    class PanicException(BaseException):  # what pyo3 raises for a panic inside calamine
        pass

    with pytest.raises(SheetError, match="工作表“一组”无法读取（index out of bounds）"):
        with _unreadable("“名单.xlsx”的工作表“一组”无法读取"):
            raise PanicException("index out of bounds")
    with pytest.raises(KeyboardInterrupt):
        with _unreadable("不会用到"):
            raise KeyboardInterrupt


def test_a_far_cell_on_a_later_sheet_of_a_pushed_list_is_left_out(db_path: Path,
                                                                   tmp_path: Path) -> None:
    """Every sheet of a pushed list goes through the reader's checks, not only the first."""
    wb = Workbook()
    for n, title in enumerate(("一日", "二日")):
        ws = wb.active if n == 0 else wb.create_sheet(title)
        ws.title = title
        ws.append(["姓名", "手机号"])
        ws.append([f"推{n}", f"1380000000{n}"])
    path = tmp_path / "推送.xlsx"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    second = "xl/worksheets/sheet2.xml"
    parts[second] = parts[second].replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is>'
                         b"</c></row></sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    summary = IMPORTS["pushed"](path)
    assert summary.rows == 2 and [name for name, _count in summary.sheets] == ["一日", "二日"]
