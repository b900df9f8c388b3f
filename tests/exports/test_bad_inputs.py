"""A corpus of bad files for every import: each gets a clear Chinese message naming the problem,
and the database stays byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from db.areas import add_area
from db.database import close_database, database
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
