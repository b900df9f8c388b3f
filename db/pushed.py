"""Lists pushed down by the district (大数据推送): a batch per file (every sheet of it), one row
per name, each phoned and given a result.

Every result word has an explicit category, and every category counts in one column of the
daily report or in 已核查 only (FORMATS.md §4): the district's words by default, a clerk's own
word as ``词=类别`` in the ``verify_results`` setting; the row stores its category when verified.
Only the category 在辖区 adds an unknown person to the register; nothing is ever decided by a
word's substring. A file whose rows were imported before is not made a second batch unless the
clerk insists; a person pushed before shows the earlier batch's result.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from db import clock, keypersons, names, recycle
from db.audit import current_user
from db.config import get_setting
from db.connection import database
from db.imports import sorted_column_check
from db.models import PushedBatch, PushedRow, Resident, insert_rows
from db.residents import ResidentInput, register_resident
from db.validate import Invalid, check_id, normalize_text, parse_date

IN_TOWNSHIP = "在辖区"  # the one category that adds an unknown person to the register
CHECKED_BEFORE = "前期已排查"  # links a known resident, never creates one
NO_CATEGORY = "无"  # how a clerk's word says it is counted in 已核查 only
# category -> the daily-report column it counts in (FORMATS.md §4); "" is 已核查 only
CATEGORIES = {"在辖区": "在辖区", "前期已排查": "在辖区", "不在辖区": "不在辖区", "已离开": "已离开",
              "无法联系": "无法联系", "信息有误": "", "超过排查期": ""}
REPORT_COLUMNS = ("在辖区", "不在辖区", "已离开", "无法联系")
DISTRICT_WORDS = {
    "已核实在辖区（漏排）": "在辖区", "前期已排查": "前期已排查", "不在辖区居住": "不在辖区",
    "已离开": "已离开", "无法联系": "无法联系", "信息有误": "信息有误", "超过排查期": "超过排查期",
    "已核实-在辖区": "在辖区",  # eprc's own word before version 2
}


class AlreadyImported(Invalid):
    """The same rows were imported before as batch ``batch_id``; ``str()`` says which."""

    def __init__(self, batch_id: int, received_at: dt.datetime) -> None:
        super().__init__(f"已导入过：第 {batch_id} 批，导入于 {received_at:%Y-%m-%d %H:%M}"
                         "；未再建新批次（确需再导入一次请选择“再导入一次”，命令行加 --again）")
        self.batch_id = batch_id


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
class PushedSheet:
    """One sheet of a pushed file: its name, header row, header texts and rows."""

    name: str
    header_row: int
    columns: list[str]
    records: list[PushedRecord]


@dataclass
class BatchSummary:
    batch_id: int
    rows: int
    deadline: dt.datetime
    warnings: list[tuple[int, str]] = field(default_factory=list)
    sheets: list[tuple[str, int]] = field(default_factory=list)  # (sheet, rows)
    pushed_before: int = 0  # people of this batch pushed in an earlier one
    skipped: list[str] = field(default_factory=list)  # sheets without a header, not imported

    def as_dict(self) -> dict[str, object]:
        return {"batch": self.batch_id, "rows": self.rows,
                "deadline": self.deadline.isoformat(sep=" ", timespec="minutes"),
                "sheets": [{"sheet": s, "rows": n} for s, n in self.sheets],
                "pushed_before": self.pushed_before, "skipped_sheets": self.skipped,
                "warnings": [{"row": r, "reason": w} for r, w in self.warnings]}


def parse_results(text: str) -> list[tuple[str, str]]:
    """``verify_results`` as (word, category) pairs; category "" is 已核查 only.

    A word is written ``词=类别`` (a key of CATEGORIES, or 无); the district's own words may leave
    the category out. A word of the clerk's own without one is refused: it must say."""
    choices = f"{'、'.join(CATEGORIES)}，或{NO_CATEGORY}"
    pairs: list[tuple[str, str]] = []
    for part in text.replace("，", ",").split(","):
        word, equals, category = (x.strip() for x in part.replace("＝", "=").partition("="))
        if not word:
            continue
        if not equals:
            if word not in DISTRICT_WORDS:
                raise Invalid(f"核查结果“{word}”须注明类别（决定计入日报哪一列），"
                              f"写作“{word}=类别”（类别：{choices}）")
            pairs.append((word, DISTRICT_WORDS[word]))
        elif category == NO_CATEGORY:
            pairs.append((word, ""))
        elif category in CATEGORIES:
            pairs.append((word, category))
        else:
            raise Invalid(f"核查结果“{word}”的类别“{category}”不存在（可选：{choices}）")
    if not pairs:
        raise Invalid("核查结果选项不能为空")
    return pairs


def report_column(category: str) -> str:
    """The daily-report column a category counts in ("" for 已核查 only)."""
    return CATEGORIES.get(category, "")


def verify_choices() -> list[tuple[str, str]]:
    """The result words offered for a call, each with its category, from settings."""
    return parse_results(get_setting("verify_results"))


def verify_results() -> list[str]:
    """The result words offered for a call."""
    return [word for word, _category in verify_choices()]


def result_category(result: str) -> str:
    """The category of an offered result word ("" for 已核查 only); refuses any other word."""
    categories = dict(verify_choices())
    if result not in categories:
        raise Invalid(f"核查结果应为：{'、'.join(categories)}")
    return categories[result]


def _jsonable(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


def _row_key(name: str, number: str, phone: str) -> str:
    return f"{name}|{number}|{''.join(ch for ch in phone if ch.isdigit())}"


def _same_rows(keys: list[str]) -> tuple[int, dt.datetime] | None:
    """The earlier batch holding exactly these (normalised) rows, if any."""
    wanted = sorted(keys)
    if not wanted:
        return None
    candidates = [b for (b,) in database.execute_sql(
        "SELECT DISTINCT batch_id FROM pushed_row WHERE name = ? ORDER BY batch_id",
        [wanted[0].split("|", 1)[0]]).fetchall()]
    for batch_id in candidates:
        rows = database.execute_sql("SELECT name, id_number, phone FROM pushed_row "
                                    "WHERE batch_id = ?", [batch_id]).fetchall()
        if sorted(_row_key(*r) for r in rows) == wanted:
            received = PushedBatch.get_by_id(batch_id).received_at
            return batch_id, _dt(received)
    return None


def create_batch(
    file_name: str, sheets: Sequence[PushedSheet], source: bytes,
    received_at: dt.datetime | None = None, again: bool = False,
) -> BatchSummary:
    """Store a pushed file as one batch; its rows keep their sheet and every original cell.

    Raises :class:`AlreadyImported` when an earlier batch holds the same rows (unless ``again``)
    and :class:`ImportStopped` when the names disagree with the register on a fifth of the IDs
    it knows (a 姓名 column sorted on its own)."""
    received = received_at or clock.now()
    deadline = received + dt.timedelta(hours=int(get_setting("verify_hours")))
    warnings: list[tuple[int, str]] = []
    rows = []
    for sheet in sheets:
        for record in sheet.records:
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
            rows.append((sheet.name, record.row,
                         json.dumps([_jsonable(c) for c in record.cells], ensure_ascii=False),
                         "".join(normalize_text(record.name).split()), number,
                         normalize_text(record.phone), normalize_text(record.origin),
                         arrival.isoformat() if arrival else None,
                         normalize_text(record.address)))
    _check_names(sheets, rows, warnings)
    if not again:
        same = _same_rows([_row_key(r[3], r[4], r[5]) for r in rows])
        if same is not None:
            raise AlreadyImported(*same)
    first = sheets[0]
    layout = [{"name": s.name, "header_row": s.header_row, "columns": list(s.columns)}
              for s in sheets]
    with database.atomic():
        batch = PushedBatch.create(
            received_at=received, deadline=deadline, file_name=file_name, sheet_name=first.name,
            header_row=first.header_row, columns=json.dumps(list(first.columns), ensure_ascii=False),
            source=base64.b64encode(source).decode("ascii"),
            sheets=json.dumps(layout, ensure_ascii=False))
        insert_rows("pushed_row", (
            "batch_id", "sheet", "sheet_row", "cells", "name", "id_number", "phone", "origin",
            "arrival_date", "address", "result", "note", "verified_by", "category"),
            [(batch.id, *row, "", "", "", "") for row in rows], "导入")
    before = sum(1 for row in batch_rows(batch.id) if earlier_push(row) is not None)
    counts = [(s.name, len(s.records)) for s in sheets]
    return BatchSummary(batch.id, len(rows), deadline, warnings, counts, before)


def _check_names(sheets: Sequence[PushedSheet], rows: list[tuple], warnings: list) -> None:
    """Rows whose ID the register knows under another name: warned about (the register is never
    changed by a pushed list); on a fifth of at least ten, the import stops."""
    by_id = {r[4]: r for r in rows if len(r[4]) == 18}
    known: dict[str, str] = {}
    ids = list(by_id)
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        known.update(database.execute_sql(
            f"SELECT id_number, name FROM resident WHERE id_number IN ({','.join('?' * len(chunk))})",
            chunk).fetchall())
    differ = [by_id[n] for n, name in known.items() if by_id[n][3] and by_id[n][3] != name]
    sorted_column_check(sheets[0].name if len(sheets) == 1 else "推送名单", len(known),
                        {"姓名": len(differ)})
    for row in differ:
        warnings.append((row[1], f"工作表“{row[0]}”：姓名“{row[3]}”与台账中该身份证号码的"
                                 f"姓名“{known[row[4]]}”不一致（台账未改）"))
    warnings.sort(key=lambda w: w[0])


def delete_batch(batch_id: int) -> None:
    """Move a batch with all its rows to the recycle bin (restorable from there)."""
    batch = PushedBatch.get_or_none(PushedBatch.id == batch_id)
    if batch is None:
        raise Invalid(f"没有第{batch_id}批推送数据")
    recycle.delete(batch, names.pushed_batch(batch_id, batch.file_name))


@dataclass(frozen=True)
class EarlierPush:
    batch_id: int
    received_at: dt.datetime
    result: str

    def text(self) -> str:
        return (f"前次推送：第{self.batch_id}批（{self.received_at:%Y-%m-%d}），"
                f"结果：{self.result or '未核查'}")


def earlier_push(row: PushedRow) -> EarlierPush | None:
    """The latest earlier batch that pushed the same person: same ID number, or the same phone
    and name (families share a phone)."""
    found = database.execute_sql(
        "SELECT r.batch_id, b.received_at, r.result FROM pushed_row r "
        "JOIN pushed_batch b ON b.id = r.batch_id WHERE r.batch_id < ? AND "
        "((? != '' AND r.id_number = ?) OR (? != '' AND r.phone = ? AND r.name = ?)) "
        "ORDER BY r.batch_id DESC LIMIT 1",
        [row.batch_id, row.id_number, row.id_number, row.phone, row.phone, row.name]).fetchone()
    return EarlierPush(found[0], _dt(found[1]), found[2]) if found else None


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
    """A batch's rows, sheet by sheet (in the file's order), each in its sheet's row order."""
    batch = PushedBatch.get_by_id(batch_id)
    order = {s["name"]: n for n, s in enumerate(json.loads(batch.sheets))}
    rows = PushedRow.select().where(PushedRow.batch == batch_id)
    return sorted(rows, key=lambda r: (order.get(r.sheet, 0), r.sheet_row))


def verify(
    batch_id: int, sheet_row: int, result: str, note: str = "",
    id_number: object = None, address: str = "", sheet: str | None = None,
) -> PushedRow:
    """Record the result of a call for the row on the sheet's own row ``sheet_row`` (of
    ``sheet``; needed only when the file had several sheets with that row).

    A result in the category 在辖区 links the row to the resident with its ID number, creating
    the resident (in a new household at ``address``) when the township does not know them yet;
    前期已排查 links a known resident only; any other result leaves the register alone and
    unlinks the row.
    """
    category = result_category(result)
    if PushedBatch.get_or_none(PushedBatch.id == batch_id) is None:
        raise Invalid(f"没有第{batch_id}批推送数据")
    query = PushedRow.select().where((PushedRow.batch == batch_id)
                                     & (PushedRow.sheet_row == sheet_row))
    if sheet is not None:
        query = query.where(PushedRow.sheet == sheet)
    found = list(query)
    if not found:
        where = f"工作表“{sheet}”" if sheet is not None else ""
        raise Invalid(f"第{batch_id}批中没有{where}表格第{sheet_row}行")
    if len(found) > 1:
        raise Invalid(f"第{batch_id}批有多张工作表都有第{sheet_row}行，请指明工作表："
                      f"{'、'.join(r.sheet for r in found)}")
    row = found[0]
    with database.atomic():
        if normalize_text(id_number):
            row.id_number = check_id(id_number).number
        if normalize_text(address):
            row.address = normalize_text(address)
        row.resident = None
        if category in (IN_TOWNSHIP, CHECKED_BEFORE) and row.id_number:
            resident = Resident.get_or_none(Resident.id_number == row.id_number)
            if resident is None and category == IN_TOWNSHIP:
                resident = register_resident(
                    ResidentInput(row.name, row.id_number, row.phone, kind="返乡",
                                  notes=CREATED_NOTE.format(batch_id)),
                    address=row.address)
            row.resident = resident
        row.result = result
        row.category = category
        row.note = normalize_text(note)
        row.verified_by = current_user()
        row.verified_at = clock.now()
        row.save()
    return row


CREATED_NOTE = "大数据推送第{}批核实"  # the note of a resident a verification created


def wrongly_created() -> list[Resident]:
    """Residents a verification added to the register although no row of theirs is in the
    category 在辖区: made by eprc before version 2, which read 不在辖区居住 as 在辖区."""
    ids = [i for (i,) in database.execute_sql(
        "SELECT r.id FROM resident r WHERE r.notes GLOB '大数据推送第*批核实' "
        "AND EXISTS (SELECT 1 FROM pushed_row p WHERE p.id_number = r.id_number "
        "AND p.result != '') AND NOT EXISTS (SELECT 1 FROM pushed_row p "
        "WHERE p.id_number = r.id_number AND p.category = ?) ORDER BY r.id",
        [IN_TOWNSHIP]).fetchall()]
    return list(Resident.select().where(Resident.id.in_(ids)).order_by(Resident.id))


def batch_progress(batch_id: int) -> tuple[int, int]:
    """(verified, total) of a batch."""
    done, total = database.execute_sql(
        "SELECT count(CASE WHEN result != '' THEN 1 END), count(*) FROM pushed_row "
        "WHERE batch_id = ?", [batch_id]).fetchone()
    return done, total


def register_key_person(batch_id: int, sheet_row: int, category: str = "中高风险地区返乡",
                        sheet: str | None = None):
    """A verified, in-township row becomes a key person (source 大数据推送) in one step."""
    query = (PushedRow.batch == batch_id) & (PushedRow.sheet_row == sheet_row)
    row = PushedRow.get(query if sheet is None else query & (PushedRow.sheet == sheet))
    if row.resident_id is None:
        raise Invalid("请先补录身份证号码，关联到居民后再登记为重点人员")
    case = keypersons.KeyPersonInput(category, "大数据推送", row.origin, row.arrival_date)
    return keypersons.register_key_person(case, row.resident)


def find_batch(batch_id: int) -> PushedBatch | None:
    return PushedBatch.get_or_none(PushedBatch.id == batch_id)


def batch(batch_id: int) -> PushedBatch:
    return PushedBatch.get_by_id(batch_id)


@dataclass(frozen=True)
class CallRow:
    """One person to phone on a caller's list."""

    sheet: str
    sheet_row: int
    name: str
    phone: str
    id_number: str
    origin: str
    arrival_date: dt.date | None
    community: str  # the matched resident's 社区（村）, "" when nobody in the register matched


@dataclass(frozen=True)
class CallList:
    caller: str
    rows: list[CallRow]


def parse_callers(text: str) -> list[str]:
    """Callers' names as the clerk types them (、，, or spaces between), each once."""
    names: list[str] = []
    for part in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
        name = normalize_text(part)
        if name and name not in names:
            names.append(name)
    if not names:
        raise Invalid("请填写核查人姓名（多人用逗号或顿号分隔）")
    return names


def call_lists(batch_id: int, callers: Sequence[str]) -> list[CallList]:
    """Split a batch's rows not yet verified into one call list per caller.

    A row matched to a resident (linked, or by ID number, else by phone) goes with that
    resident's 社区（村）: a community is never split, communities go to the least-loaded caller
    (largest first); the rows nobody in the register matched are dealt round-robin."""
    batch = PushedBatch.get_or_none(PushedBatch.id == batch_id)
    if batch is None:
        raise Invalid(f"没有第{batch_id}批推送数据")
    callers = list(callers) or [""]  # "": one list, the caller left blank
    found = database.execute_sql(
        "SELECT r.sheet, r.sheet_row, r.name, r.phone, r.id_number, r.origin, r.arrival_date, "
        "(SELECT top.name FROM resident p JOIN household h ON h.id = p.household_id "
        " JOIN area a ON a.id = h.area_id JOIN area top ON a.path LIKE '/' || top.id || '/%' "
        " WHERE p.id = coalesce(r.resident_id, "
        "   (SELECT id FROM resident WHERE r.id_number != '' AND id_number = r.id_number), "
        "   (SELECT id FROM resident WHERE r.phone != '' AND phone = r.phone LIMIT 1))) "
        "FROM pushed_row r WHERE r.batch_id = ? AND r.result = ''", [batch_id]).fetchall()
    order = {s["name"]: n for n, s in enumerate(json.loads(batch.sheets))}
    rows = sorted((CallRow(s, n, name, phone, number, origin, _date_or_none(arrival),
                           community or "")
                   for s, n, name, phone, number, origin, arrival, community in found),
                  key=lambda r: (order.get(r.sheet, 0), r.sheet_row))
    by_community: dict[str, list[CallRow]] = {}
    for row in rows:
        if row.community:
            by_community.setdefault(row.community, []).append(row)
    lists = {caller: [] for caller in callers}
    for community in sorted(by_community, key=lambda c: (-len(by_community[c]), c)):
        least = min(callers, key=lambda c: (len(lists[c]), callers.index(c)))
        lists[least].extend(by_community[community])
    for n, row in enumerate(r for r in rows if not r.community):
        lists[callers[n % len(callers)]].append(row)
    return [CallList(caller, lists[caller]) for caller in callers]


def _date_or_none(value: object) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
