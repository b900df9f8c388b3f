"""Lists pushed down by the district (大数据推送): a batch per sheet, one row per name, each phoned
and given a result; "in the township" links the row to a resident (creating one when needed).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from db.audit import current_user
from db.database import database
from db.models import PushedBatch, PushedRow, Resident
from db.residents import ResidentInput, register_resident
from db.settings import get_setting
from db.validate import Invalid, check_id, normalize_text, parse_date

IN_TOWNSHIP = "在辖区"


@dataclass
class PushedRecord:
    """One row of a pushed sheet: its sheet row number, every original cell, and what was found."""

    row: int
    cells: list[object]
    name: object = None
    id_number: object = None
    phone: object = None
    origin: object = None
    arrival: object = None
    address: object = None


@dataclass
class BatchSummary:
    batch_id: int
    rows: int
    deadline: dt.datetime
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"batch": self.batch_id, "rows": self.rows,
                "deadline": self.deadline.isoformat(sep=" ", timespec="minutes"),
                "warnings": [{"row": r, "reason": w} for r, w in self.warnings]}


def verify_results() -> list[str]:
    """The result words offered for a call, from settings."""
    return [w.strip() for w in get_setting("verify_results").split(",") if w.strip()]


def _jsonable(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


def create_batch(
    file_name: str, sheet_name: str, header_row: int, columns: Sequence[str],
    records: Sequence[PushedRecord], source: bytes, received_at: dt.datetime | None = None,
) -> BatchSummary:
    """Store a pushed sheet as a batch; its rows keep every original cell."""
    received = received_at or dt.datetime.now()
    deadline = received + dt.timedelta(hours=int(get_setting("verify_hours")))
    warnings: list[tuple[int, str]] = []
    rows = []
    for record in records:
        try:
            arrival = parse_date(record.arrival, received.date())
        except Invalid as exc:
            warnings.append((record.row, f"抵达日期：{exc}，已留空"))
            arrival = None
        number = normalize_text(record.id_number)
        if number:
            try:
                number = check_id(record.id_number).number
            except Invalid as exc:
                warnings.append((record.row, f"{exc}，按原样保存"))
        rows.append((record.row, json.dumps([_jsonable(c) for c in record.cells],
                                            ensure_ascii=False),
                     "".join(normalize_text(record.name).split()), number,
                     normalize_text(record.phone), normalize_text(record.origin),
                     arrival.isoformat() if arrival else None, normalize_text(record.address)))
    with database.atomic():
        batch = PushedBatch.create(
            received_at=received, deadline=deadline, file_name=file_name, sheet_name=sheet_name,
            header_row=header_row, columns=json.dumps(list(columns), ensure_ascii=False),
            source=base64.b64encode(source).decode("ascii"))
        database.cursor().executemany(
            "INSERT INTO pushed_row (batch_id, sheet_row, cells, name, id_number, phone, origin, "
            "arrival_date, address, result, note, verified_by) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', '')",
            [(batch.id, *row) for row in rows])
    return BatchSummary(batch.id, len(rows), deadline, warnings)


@dataclass(frozen=True)
class BatchRow:
    id: int
    file_name: str
    received_at: dt.datetime
    deadline: dt.datetime
    total: int
    done: int

    @property
    def open(self) -> int:
        return self.total - self.done


def batches() -> list[BatchRow]:
    """Every batch, newest first, with its progress."""
    cursor = database.execute_sql(
        "SELECT b.id, b.file_name, b.received_at, b.deadline, count(r.id), "
        "count(CASE WHEN r.result != '' THEN 1 END) FROM pushed_batch b "
        "LEFT JOIN pushed_row r ON r.batch_id = b.id GROUP BY b.id ORDER BY b.id DESC")
    return [BatchRow(i, f, _dt(rec), _dt(dl), total, done)
            for i, f, rec, dl, total, done in cursor.fetchall()]


def _dt(value: object) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def batch_rows(batch_id: int) -> list[PushedRow]:
    return list(PushedRow.select().where(PushedRow.batch == batch_id).order_by(PushedRow.sheet_row))


def verify(
    batch_id: int, sheet_row: int, result: str, note: str = "",
    id_number: object = None, address: str = "",
) -> PushedRow:
    """Record the result of a call for the row on the sheet's own row ``sheet_row``.

    "在辖区" links the row to the resident with its ID number, creating the resident (in a new
    household at ``address``) when the township does not know them yet.
    """
    if result not in verify_results():
        raise Invalid(f"核查结果应为：{'、'.join(verify_results())}")
    row = PushedRow.get_or_none((PushedRow.batch == batch_id) & (PushedRow.sheet_row == sheet_row))
    if row is None:
        if PushedBatch.get_or_none(PushedBatch.id == batch_id) is None:
            raise Invalid(f"没有第{batch_id}批推送数据")
        raise Invalid(f"第{batch_id}批中没有表格第{sheet_row}行")
    with database.atomic():
        if normalize_text(id_number):
            row.id_number = check_id(id_number).number
        if normalize_text(address):
            row.address = normalize_text(address)
        if IN_TOWNSHIP in result and row.id_number:
            resident = Resident.get_or_none(Resident.id_number == row.id_number)
            if resident is None:
                resident = register_resident(
                    ResidentInput(row.name, row.id_number, row.phone, kind="返乡",
                                  notes=f"大数据推送第{batch_id}批核实"),
                    address=row.address)
            row.resident = resident
        row.result = result
        row.note = normalize_text(note)
        row.verified_by = current_user()
        row.verified_at = dt.datetime.now()
        row.save()
    return row


def batch_progress(batch_id: int) -> tuple[int, int]:
    """(verified, total) of a batch."""
    done, total = database.execute_sql(
        "SELECT count(CASE WHEN result != '' THEN 1 END), count(*) FROM pushed_row "
        "WHERE batch_id = ?", [batch_id]).fetchone()
    return done, total


def register_key_person(batch_id: int, sheet_row: int, category: str = "中高风险地区返乡"):
    """A verified, in-township row becomes a key person (source 大数据推送) in one step."""
    from db.keypersons import KeyPersonInput
    from db.keypersons import register_key_person as register

    row = PushedRow.get((PushedRow.batch == batch_id) & (PushedRow.sheet_row == sheet_row))
    if row.resident_id is None:
        raise Invalid("请先补录身份证号码，关联到居民后再登记为重点人员")
    return register(KeyPersonInput(category, "大数据推送", row.origin, row.arrival_date),
                    row.resident)
