"""Small factories for tests: valid ID numbers and messy village sheets."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from openpyxl import Workbook
from stdnum.cn.ric import calc_check_digit

from db import testing
from db.models import Resident


def make_id(birth: str = "19900101", seq: int = 1, area: str = "340122") -> str:
    """A valid 18-digit ID number (odd ``seq``: male)."""
    body = f"{area}{birth}{seq:03d}"
    return body + calc_check_digit(body + "0")


def round_in_progress(day: dt.date, people: int, tested: int, immobile: tuple[int, int],
                  visited: int) -> int:
    """A round of 全员核酸 running from ``day``, part done: of the first ``people`` registered
    residents the first ``tested`` checked off, those in ``immobile`` flagged 行动不便, the one at
    ``visited`` recorded 卧床已上门. Its id."""
    found = testing.new_round("第1轮", day, day + dt.timedelta(days=1))
    chosen = list(Resident.select().where(Resident.status == "在册").order_by(Resident.id)
                  .limit(people))
    for person in chosen[:tested]:
        testing.check_off(found.id, person.id)
    testing.set_immobile([p.id for p in chosen[slice(*immobile)]])
    testing.record_reason(found.id, chosen[visited].id, "卧床已上门")
    return found.id


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def village_sheet(path: Path, rows: list[list[object]], header: list[str] | None = None,
                  merges: list[str] = (), footer: bool = True) -> Path:
    """A sheet as villages send it: merged title, 填报 line, header on row 3, then ``rows``."""
    header = header or ["序号", "户编号", "姓名", "性别", "公民身份号码", "关系", "联系方式",
                        "社区（村）", "小区名称", "楼号", "单元", "门牌号", "微信号", "备注"]
    wb = Workbook()
    ws = wb.active
    ws.title = "居民"
    ws.append(["桃园村居民信息登记表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(["填报单位：桃园村（盖章）", None, None, None, None, None, None, "填报日期：2022年4月11日"])
    ws.append(header)
    for row in rows:
        ws.append(row)
    if footer:
        ws.append(["合计", None, f"{len(rows)}人"])
        ws.append([])
        ws.append(["填表人：李华", None, None, "审核人：王强"])
    for ref in merges:
        ws.merge_cells(ref)
    wb.save(path)
    return path


def plain_sheet(path: Path, rows: list[list[object]], header: list[str]) -> Path:
    """An .xlsx holding ``header`` and ``rows`` as given (values, not text), saved at ``path``."""
    wb = Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def damage_schema(path: Path) -> None:
    """Overwrite the schema page of a closed database file (WAL folded in first), as a disk
    fault would: SQLite then calls the file malformed."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    data = bytearray(path.read_bytes())
    data[100:400] = b"\xee" * 300
    path.write_bytes(bytes(data))
