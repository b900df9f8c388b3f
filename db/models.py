"""The peewee models of the whole office: areas, residents, key persons, pushed lists, checkpoints
and shifts, staff and volunteers, donations, help requests, settings, the audit log and the
recycle bin.

Models declare fields and indexes only; behaviour lives in the operation modules beside this one.
Every model derived from :class:`Record` writes the audit log when saved and is deleted through
``db.recycle`` (into the recycle bin). A foreign key with ``on_delete="CASCADE"`` means the child
belongs to its parent and goes to the bin with it; a nullable one is cleared and restored.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from peewee import (
    SQL,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from db import clock
from db.clock import shift_span
from db.connection import database


def _recorded_now() -> dt.datetime:
    """When an entry is recorded, on the township's clock (looked up at each call, so a test's
    clock stands in for it)."""
    return clock.now()


def _recorded_today() -> dt.date:
    return clock.today()


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def raw_row(model: type[Model], row_id: int) -> dict[str, Any] | None:
    """A row's stored column values (as SQLite holds them), or None."""
    cursor = database.execute(
        model.select(*model._meta.sorted_fields).where(model._meta.primary_key == row_id)
    )
    values = cursor.fetchone()
    if values is None:
        return None
    return dict(zip([f.column_name for f in model._meta.sorted_fields], values, strict=True))


class Record(BaseModel):
    """A row the clerk owns: every save is written to the audit log in the same transaction."""

    def save(self, force_insert: bool = False, only: Any = None) -> int:
        creating = force_insert or self._pk is None
        with database.atomic():
            before = None if creating else raw_row(type(self), self._pk)
            result = super().save(force_insert=force_insert, only=only)
            after = raw_row(type(self), self._pk)
            if before != after:
                log_change("新增" if before is None else "修改", type(self), self._pk, before, after)
        return result

    def delete_instance(self, *args: Any, **kwargs: Any) -> int:
        raise TypeError("use db.recycle.delete() so the row goes to the recycle bin")


# --- settings, audit, recycle bin -------------------------------------------------------------


class Setting(BaseModel):
    key = CharField(primary_key=True)
    value = TextField()


class AuditLog(BaseModel):
    at = DateTimeField(default=_recorded_now, index=True)
    who = CharField()
    action = CharField()  # 新增 / 修改 / 删除 / 恢复 / 导入
    table = CharField()
    row_id = IntegerField(null=True)
    before = TextField(null=True)
    after = TextField(null=True)

    class Meta:
        indexes = ((("table", "row_id"), False),)


UNSET = "未设置"  # the operator when neither 操作人 nor 填报人 is set


def current_user() -> str:
    """The operator's name for the log (操作人): the ``operator`` setting, else the 填报人, else
    未设置 — never the computer's login, which names a machine, not a clerk."""
    for key in ("operator", "preparer"):
        row = Setting.get_or_none(Setting.key == key)
        if row is not None and row.value:
            return row.value
    return UNSET


def _dump(row: dict[str, Any] | None) -> str | None:
    return None if row is None else json.dumps(row, ensure_ascii=False, default=str)


Change = tuple[str, str, "int | None", "dict[str, Any] | None", "dict[str, Any] | None"]


def log_changes(changes: Iterable[Change], at: dt.datetime | str | None = None) -> None:
    """Append entries (action, table, row id, row before, row after) to the audit log inside
    the caller's transaction: the one writer every save, bulk write, import and recycle move
    goes through (db.audit re-exports it)."""
    now, who = str(at or clock.now()), current_user()
    database.cursor().executemany(
        'INSERT INTO audit_log (at, who, action, "table", row_id, before, after) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(now, who, action, table, row_id, _dump(before), _dump(after))
         for action, table, row_id, before, after in changes])


def log_change(action: str, model: type[Model] | str, row_id: int | None,
               before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
    """One entry of :func:`log_changes`."""
    table = model if isinstance(model, str) else model._meta.table_name
    log_changes([(action, table, row_id, before, after)])


BATCH_IDS = "编号"  # the key of a bulk entry's row ids, as compact ranges ("3-9,12")


def id_ranges(ids: Iterable[int]) -> str:
    """Row ids as compact ranges, ascending: [1, 2, 3, 7, 9, 10] → "1-3,7,9-10"."""
    parts: list[str] = []
    first = last = None
    for row_id in sorted(set(ids)):
        if last is not None and row_id == last + 1:
            last = row_id
            continue
        if first is not None:
            parts.append(f"{first}-{last}" if last != first else str(first))
        first = last = row_id
    if first is not None:
        parts.append(f"{first}-{last}" if last != first else str(first))
    return ",".join(parts)


def in_ranges(ranges: str, row_id: int) -> bool:
    """Whether :func:`id_ranges`' text includes ``row_id``."""
    for part in ranges.split(","):
        first, _dash, last = part.partition("-")
        if first and int(first) <= row_id <= int(last or first):
            return True
    return False


def log_batch(action: str, table: str, ids: Sequence[int], details: dict[str, Any],
              at: dt.datetime | str | None = None) -> None:
    """One audit entry for many rows written at once (an import's thousands of new rows),
    inside the caller's transaction: the rows hold their own values; the entry holds who, when,
    ``details`` (the file, the round…), how many, and their ids as ranges (first id as its
    ``row_id``). ``db.history.row_history`` finds it for any one of them."""
    if ids:
        log_changes([(action, table, min(ids), None,
                      {**details, "条数": len(ids), BATCH_IDS: id_ranges(ids)})], at=at)


def _insert_into(table: str, columns: Sequence[str]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names})'


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                action: str = "新增", batch: dict[str, Any] | None = None) -> int:
    """The audited bulk writer: insert many rows at once (shifts planned, a pushed list) and log
    each with its values, in one transaction; returns how many. With ``batch`` (the file, the
    round…) the rows are logged as one entry of :func:`log_batch` instead: a 300,000-row
    check-off writes one entry, not 300,000."""
    if not rows:
        return 0
    with database.atomic():
        database.cursor().executemany(
            f'{_insert_into(table, columns)} VALUES ({", ".join("?" * len(columns))})', rows)
        first = database.execute_sql("SELECT last_insert_rowid()").fetchone()[0] - len(rows) + 1
        ids = range(first, first + len(rows))
        if batch is not None:
            log_batch(action, table, ids, batch)
        else:
            log_changes((action, table, row_id, None, dict(zip(columns, row, strict=True)))
                        for row_id, row in zip(ids, rows, strict=True))
    return len(rows)


class Drain:
    """See :data:`DRAIN`."""


DRAIN = Drain()
"""Yielded among :func:`insert_streamed`'s blocks: the blocks given so far are written before
the next is asked for, so the generator may use the connection meanwhile (a look-up it could
not make earlier)."""


def insert_streamed(table: str, columns: Sequence[str],
                    blocks: Iterable[Sequence[Sequence[Any]] | Drain], action: str,
                    batch: dict[str, Any], fixed: dict[str, Any] | None = None) -> int:
    """:func:`insert_rows` for rows worked out block by block (a long list being read and
    matched): each block is inserted by a second thread while ``blocks`` works out the next,
    through this thread's connection and in one transaction; one :func:`log_batch` entry for
    them all. ``blocks`` uses the database only after yielding :data:`DRAIN`; their values
    (text, numbers or None) fill ``columns``, and ``fixed`` gives the columns every row shares.
    Returns how many rows were inserted.

    A block goes to SQLite as one JSON array taken apart by one ``INSERT … SELECT`` from
    ``json_each``: SQLite lets other threads run for the whole statement, where binding rows
    one by one (``executemany``) needs the interpreter between every two rows and so waits for
    the thread working out the next block (measured: no overlap at all)."""
    connection = database.connection()
    fixed = fixed or {}
    values = [*("?" * len(fixed)), *(f"json_extract(value, '$[{n}]')" for n in range(len(columns)))]
    statement = (f"{_insert_into(table, [*fixed, *columns])} SELECT {', '.join(values)} "
                 "FROM json_each(?)")
    pending: queue.Queue[Sequence[Sequence[Any]] | None] = queue.Queue(maxsize=2)
    ids: list[int] = []
    failed: list[BaseException] = []

    def write() -> None:
        while (rows := pending.get()) is not None:
            try:
                if not failed:
                    connection.execute(statement, [*fixed.values(),
                                                   json.dumps(rows, ensure_ascii=False)])
                    last = connection.execute("SELECT last_insert_rowid()").fetchone()[0]
                    ids.extend(range(last - len(rows) + 1, last + 1))
            except BaseException as exc:  # handed to the caller's thread, which raises it
                failed.append(exc)
            finally:
                pending.task_done()

    with database.atomic():
        writer = threading.Thread(target=write, name=f"eprc-insert-{table}", daemon=True)
        writer.start()
        try:
            for rows in blocks:
                if failed:
                    break
                if isinstance(rows, Drain):
                    pending.join()
                elif rows:
                    pending.put(rows)
        finally:
            pending.put(None)
            writer.join()
        if failed:
            raise failed[0]
        log_batch(action, table, ids, batch)
    return len(ids)


def delete_rows(model: type[Model], ids: Sequence[int], action: str = "删除") -> None:
    """The audited bulk delete (rows that need no recycle bin: a plan's dropped seats, a swap's
    two): each row's values are logged before it goes."""
    with database.atomic():
        log_changes((action, model._meta.table_name, row_id, raw_row(model, row_id), None)
                    for row_id in ids)
        model.delete().where(model._meta.primary_key.in_(list(ids))).execute()


class RecycleBin(BaseModel):
    deleted_at = DateTimeField(default=_recorded_now, index=True)
    who = CharField()
    table = CharField()
    row_id = IntegerField()
    label = CharField()
    payload = TextField()

    def rows(self) -> dict[str, Any]:
        return json.loads(self.payload)


# --- areas, households, residents ------------------------------------------------------------

AREA_LEVELS = {1: "社区/村", 2: "小区/村民组", 3: "网格", 4: "楼栋"}


class Area(Record):
    """A node of the township tree: 社区/村 → 小区/村民组 → 网格 → 楼栋."""

    name = CharField()
    level = IntegerField()
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="CASCADE")
    path = CharField(index=True)  # "/1/5/23/": ids from the root, for subtree queries
    leader = CharField(default="")
    phone = CharField(default="")
    sort = IntegerField(default=0)

    class Meta:
        indexes = ((("parent", "name"), True),)


RESIDENCE_KINDS = ("常住", "外来", "返乡")
RESIDENT_STATUSES = ("在册", "外出", "迁出", "死亡")


class Household(Record):
    number = CharField(null=True, unique=True)  # 户号
    address = CharField(default="", index=True)
    area = ForeignKeyField(Area, null=True, backref="households")
    unit = CharField(default="")  # 单元
    door = CharField(default="")  # 门牌号
    pass_card = CharField(default="")  # 临时出入卡
    notes = TextField(default="")


class Resident(Record):
    household = ForeignKeyField(Household, null=True, backref="members", on_delete="CASCADE")
    name = CharField(index=True)
    name_rev = CharField(index=True)  # the name reversed: suffix search by indexed prefix
    name_key = CharField(index=True)  # pinyin initials, e.g. zxm
    name_key_alt = CharField(null=True, index=True)  # another reading of the surname
    id_number = CharField(unique=True)
    id_tail = CharField(index=True)  # the ID reversed: tail search by indexed prefix
    sex = CharField()
    birth_date = DateField()
    phone = CharField(default="", index=True)
    relation = CharField(default="")  # 与户主关系
    kind = CharField(default="常住")
    status = CharField(default="在册")
    notes = TextField(default="")
    updated_at = DateTimeField(default=_recorded_now)
    # away from the township (外出) from/to; an open end means not back yet (migration 5)
    away_from = DateField(null=True)
    away_to = DateField(null=True)
    immobile = BooleanField(default=False, constraints=[SQL("DEFAULT 0")])  # 行动不便


# --- key persons ------------------------------------------------------------------------------

KEY_CATEGORIES = ("确诊", "疑似", "发热", "密接", "次密接", "中高风险地区返乡", "其他")
KEY_SOURCES = ("大数据推送", "上门摸排", "电话摸排", "卡口发现", "自行报备", "全员核酸检测")
TRANSPORTS = ("自驾", "飞机", "火车", "客车", "网约车", "其他")
MEASURE_KINDS = ("集中隔离", "居家隔离", "居家健康监测")


class KeyPerson(Record):
    """A key person under control (重点人员) and how they were found."""

    resident = ForeignKeyField(Resident, backref="cases", on_delete="CASCADE")
    category = CharField(index=True)
    source = CharField(default="")
    origin = CharField(default="")  # 来源地
    arrival_date = DateField(null=True)
    transport = CharField(default="")
    transport_no = CharField(default="")
    found_on = DateField(default=_recorded_today, index=True)
    notes = TextField(default="")


class Measure(Record):
    """A control measure (管控措施) with its dates and the five responsible persons (五包一)."""

    person = ForeignKeyField(KeyPerson, backref="measures", on_delete="CASCADE")
    kind = CharField(index=True)
    place = CharField(default="")
    start_date = DateField(index=True)
    planned_end = DateField(index=True)
    released_on = DateField(null=True, index=True)
    release_recorded_at = DateTimeField(null=True)  # when the release was entered
    release_reason = CharField(default="")
    previous_end = DateField(null=True)
    change_reason = CharField(default="")
    town_cadre = CharField(default="")
    town_cadre_phone = CharField(default="")
    community_cadre = CharField(default="")
    community_cadre_phone = CharField(default="")
    grid_worker = CharField(default="")
    grid_worker_phone = CharField(default="")
    police = CharField(default="")
    police_phone = CharField(default="")
    doctor = CharField(default="")
    doctor_phone = CharField(default="")


class TemperatureReading(Record):
    measure = ForeignKeyField(Measure, backref="temperatures", on_delete="CASCADE")
    date = DateField(index=True)
    half = CharField()  # 上午 / 下午
    value = FloatField()

    class Meta:
        indexes = ((("measure", "date", "half"), True),)


class NucleicTest(Record):
    person = ForeignKeyField(KeyPerson, backref="tests", on_delete="CASCADE")
    date = DateField()
    result = CharField()  # 阴性 / 阳性 / 待出结果


# --- pushed lists -----------------------------------------------------------------------------


class PushedBatch(Record):
    """One sheet the district pushed down (大数据推送), kept with its own layout."""

    received_at = DateTimeField(default=_recorded_now)
    deadline = DateTimeField()
    file_name = CharField()
    sheet_name = CharField()
    header_row = IntegerField()
    columns = TextField()  # JSON list of the sheet's own header texts, in order
    source = TextField(default="")  # the original workbook, base64, to write the feedback into
    # JSON list of every sheet: {"name", "header_row", "columns"}; the fields above are the first
    sheets = TextField(default="[]", constraints=[SQL("DEFAULT '[]'")])


class PushedRow(Record):
    batch = ForeignKeyField(PushedBatch, backref="rows", on_delete="CASCADE")
    sheet_row = IntegerField()
    cells = TextField()  # JSON list of the row's original values
    name = CharField(default="")
    id_number = CharField(default="", index=True)
    phone = CharField(default="")
    origin = CharField(default="")
    arrival_date = DateField(null=True)
    address = CharField(default="")
    result = CharField(default="")
    note = CharField(default="")
    verified_by = CharField(default="")
    verified_at = DateTimeField(null=True)
    resident = ForeignKeyField(Resident, null=True, backref="pushed_rows")
    # the result's category (a key of db.pushed.CATEGORIES), "" for 已核查 only
    category = CharField(default="", constraints=[SQL("DEFAULT ''")])
    sheet = CharField(default="", constraints=[SQL("DEFAULT ''")])  # the sheet the row came from

    class Meta:
        indexes = ((("batch", "sheet", "sheet_row"), True), (("phone", "name"), False))


# --- staff, volunteers, checkpoints, shifts ---------------------------------------------------

STAFF_CATEGORIES = (
    "下沉干部", "网格员", "民警", "医护", "物业", "党员志愿者", "退役军人", "大学生", "其他"
)


class Team(Record):
    name = CharField(unique=True)
    leader_name = CharField(default="")
    notes = TextField(default="")


class Staff(Record):
    """Anyone who can stand a shift or serve as a volunteer."""

    name = CharField(index=True)
    name_key = CharField(index=True)
    id_number = CharField(null=True, unique=True)
    sex = CharField(default="")
    phone = CharField(default="")
    category = CharField(index=True)
    political_status = CharField(default="")
    unit = CharField(default="")
    team = ForeignKeyField(Team, null=True, backref="members")
    home_area = ForeignKeyField(Area, null=True, backref="staff")
    skills = CharField(default="")
    can_lead = BooleanField(default=False)
    max_per_week = IntegerField(default=7)
    is_volunteer = BooleanField(default=False)
    party_points = IntegerField(default=0)
    active = BooleanField(default=True)
    notes = TextField(default="")


class PointsAdjustment(Record):
    staff = ForeignKeyField(Staff, backref="points", on_delete="CASCADE")
    at = DateTimeField(default=_recorded_now)
    delta = IntegerField()
    reason = CharField()


POST_KINDS = ("卡口", "采样点")  # a post staffed in shifts: a checkpoint or a sampling point


class ShiftSlot(Record):
    name = CharField()
    start = CharField()  # "00:00"
    end = CharField()  # "08:00"
    sort = IntegerField(default=0)
    is_night = BooleanField(default=False)
    extra_staff = IntegerField(default=0)
    post_kind = CharField(default="卡口", constraints=[SQL("DEFAULT '卡口'")])  # whose slots


class Unavailability(Record):
    staff = ForeignKeyField(Staff, backref="unavailable", on_delete="CASCADE")
    start_date = DateField(null=True)
    end_date = DateField(null=True)
    slot = ForeignKeyField(ShiftSlot, null=True, on_delete="CASCADE")
    reason = CharField(default="")


class ServiceRecord(Record):
    staff = ForeignKeyField(Staff, backref="services", on_delete="CASCADE")
    date = DateField(index=True)
    hours = DecimalField(max_digits=6, decimal_places=1)
    what = CharField(default="")


class Checkpoint(Record):
    name = CharField(unique=True)
    address = CharField(default="")
    area = ForeignKeyField(Area, null=True, backref="checkpoints")
    unit = CharField(default="")
    person = CharField(default="")
    phone = CharField(default="")
    kind = CharField(default="村")  # 村 / 社区
    traffic = CharField(default="人车")  # 人行 / 车行 / 人车
    staff_per_shift = IntegerField(default=4)
    needs_leader = BooleanField(default=True)
    active_from = DateField(null=True)
    active_to = DateField(null=True)
    post_kind = CharField(default="卡口", constraints=[SQL("DEFAULT '卡口'")])  # 卡口 / 采样点


class Shift(Record):
    checkpoint = ForeignKeyField(Checkpoint, backref="shifts", on_delete="CASCADE")
    date = DateField()
    slot = ForeignKeyField(ShiftSlot, backref="shifts", on_delete="CASCADE")
    headcount = IntegerField()
    # the slot's length when the shift was made; worked hours keep it (DEFAULT as migration 3)
    hours = FloatField(constraints=[SQL("DEFAULT 0")])
    ends_at = DateTimeField(null=True)  # filled on save; NULL only if never saved

    class Meta:
        indexes = ((("checkpoint", "date", "slot"), True), (("date", "slot"), False))

    def save(self, force_insert: bool = False, only: Any = None) -> int:
        if self.hours is None or self.ends_at is None:
            day = self.date if isinstance(self.date, dt.date) else dt.date.fromisoformat(self.date)
            self.hours, self.ends_at = shift_span(day, self.slot.start, self.slot.end)
        return super().save(force_insert=force_insert, only=only)


class Assignment(Record):
    shift = ForeignKeyField(Shift, backref="assignments", on_delete="CASCADE")
    staff = ForeignKeyField(Staff, backref="assignments", on_delete="CASCADE")
    is_leader = BooleanField(default=False)
    pinned = BooleanField(default=False)
    manual = BooleanField(default=False)

    class Meta:
        indexes = ((("shift", "staff"), True), (("staff", "shift"), False))


class GatePassage(Record):
    """One person or vehicle in or out at a checkpoint (出入登记)."""

    checkpoint = ForeignKeyField(Checkpoint, backref="passages", on_delete="CASCADE")
    at = DateTimeField(index=True)
    resident = ForeignKeyField(Resident, null=True, backref="passages")
    name = CharField(default="")
    id_number = CharField(default="")
    phone = CharField(default="")
    plate = CharField(default="")
    direction = CharField()  # 进 / 出
    temperature = FloatField(null=True)
    health_code = CharField(default="绿")
    origin_reason = CharField(default="")
    is_local = BooleanField(default=True)
    outcome = CharField(default="放行")  # 放行 / 劝返
    on_duty = CharField(default="")
    notes = CharField(default="")


# --- whole-population testing (全员核酸) ------------------------------------------------------


class SamplingRound(Record):
    """A round of whole-population nucleic-acid testing: its dates, scope and sampling points."""

    name = CharField(unique=True)
    start_date = DateField()
    end_date = DateField()
    created_at = DateTimeField(default=_recorded_now)


class RoundScope(Record):
    """An area a round covers (a round with none covers the whole township)."""

    round = ForeignKeyField(SamplingRound, backref="scope", on_delete="CASCADE")
    area = ForeignKeyField(Area, backref="testing_rounds", on_delete="CASCADE")

    class Meta:
        indexes = ((("round", "area"), True),)


class RoundPoint(Record):
    """A sampling point (a post of kind 采样点) serving a round."""

    round = ForeignKeyField(SamplingRound, backref="points", on_delete="CASCADE")
    point = ForeignKeyField(Checkpoint, backref="rounds", on_delete="CASCADE")

    class Meta:
        indexes = ((("round", "point"), True),)


class Sample(Record):
    """A resident sampled in a round (checked off once: a second list changes nothing)."""

    # round: the unique (round, resident) index serves it; point: looked up from the point only
    # when one is deleted. Fewer indexes keep a 300,000-row check-off fast.
    round = ForeignKeyField(SamplingRound, backref="samples", on_delete="CASCADE", index=False)
    resident = ForeignKeyField(Resident, backref="samples", on_delete="CASCADE")
    at = DateTimeField()
    how = CharField(default="导入")  # 导入 / 采样点 / 上门
    point = ForeignKeyField(Checkpoint, null=True, backref="samples", index=False)
    source = CharField(default="")  # file and sheet row, or the point's clerk
    result = CharField(default="")  # "" until known / 阴性 / 阳性

    class Meta:
        indexes = ((("round", "resident"), True),)


class MissingReason(Record):
    """Why a resident expected in a round was not sampled, as the grid worker recorded it."""

    round = ForeignKeyField(SamplingRound, backref="reasons", on_delete="CASCADE")
    resident = ForeignKeyField(Resident, backref="testing_reasons", on_delete="CASCADE")
    reason = CharField()
    note = CharField(default="")
    recorded_at = DateTimeField(default=_recorded_now)

    class Meta:
        indexes = ((("round", "resident"), True),)


# --- donations --------------------------------------------------------------------------------

DONOR_KINDS = ("企业", "单位", "个人")
MONEY_CHANNELS = ("现金", "转账", "微信", "支付宝")
RECIPIENT_KINDS = ("卡口", "社区/村", "居家隔离户", "服务队", "其他")


class Donor(Record):
    name = CharField(index=True)
    kind = CharField(default="企业")
    contact = CharField(default="")
    phone = CharField(default="")
    anonymous = BooleanField(default=False)


class Donation(Record):
    date = DateField(index=True)
    donor = ForeignKeyField(Donor, backref="donations")
    receipt_no = CharField(unique=True)  # 2022-0001
    is_money = BooleanField()
    amount = DecimalField(max_digits=14, decimal_places=2, default=0)
    channel = CharField(default="")
    directed = BooleanField(default=False)  # 定向
    purpose = CharField(default="")
    handled_by = CharField(default="")
    notes = TextField(default="")
    reverses = ForeignKeyField("self", null=True, backref="reversals")
    recorded_at = DateTimeField(default=_recorded_now, null=True)  # NULL: entered before eprc kept it


class Item(Record):
    """A kind of goods kept in stock (物资), e.g. 医用外科口罩 / 50只/盒 / 盒."""

    name = CharField()
    spec = CharField(default="")
    unit = CharField()
    low_threshold = DecimalField(max_digits=14, decimal_places=2, default=0)

    class Meta:
        indexes = ((("name", "spec", "unit"), True),)


class DonationItem(Record):
    donation = ForeignKeyField(Donation, backref="items", on_delete="CASCADE")
    item = ForeignKeyField(Item, backref="received")
    quantity = DecimalField(max_digits=14, decimal_places=2)
    value = DecimalField(max_digits=14, decimal_places=2, default=0)
    batch_no = CharField(default="")
    expiry = DateField(null=True)


class Distribution(Record):
    date = DateField(index=True)
    item = ForeignKeyField(Item, backref="distributions")
    quantity = DecimalField(max_digits=14, decimal_places=2)
    recipient_kind = CharField()
    recipient = CharField()
    received_by = CharField(default="")
    handled_by = CharField(default="")
    notes = CharField(default="")
    reverses = ForeignKeyField("self", null=True, backref="reversals")
    recorded_at = DateTimeField(default=_recorded_now, null=True)


class Expense(Record):
    """Money spent out of donations (支出), kept apart by 定向 / 非定向."""

    date = DateField(index=True)
    amount = DecimalField(max_digits=14, decimal_places=2)
    directed = BooleanField(default=False)
    purpose = CharField()
    payee = CharField(default="")
    handled_by = CharField(default="")
    reverses = ForeignKeyField("self", null=True, backref="reversals")
    recorded_at = DateTimeField(default=_recorded_now, null=True)


# --- help requests ----------------------------------------------------------------------------

REQUEST_NEEDS = ("生活物资", "药品", "就医", "婴幼儿用品", "其他")
URGENT_NEEDS = ("药品", "就医")
REQUEST_STATUSES = ("待派单", "已派单", "已送达", "已取消")


class HelpRequest(Record):
    """A household's call for help (居民求助): what is needed, who was sent, when each step was
    done. The name and address are kept as taken, so the request reads the same if the
    household is later moved or deleted."""

    taken_at = DateTimeField(index=True)
    household = ForeignKeyField(Household, null=True, backref="help_requests")
    resident = ForeignKeyField(Resident, null=True, backref="help_requests")
    name = CharField(default="")
    address = CharField(default="")
    needs = CharField()  # 药品、生活物资
    details = TextField(default="")
    urgent = BooleanField(default=False)
    caller = CharField(default="")
    callback_phone = CharField(default="")
    status = CharField(default="待派单", index=True)
    volunteer = ForeignKeyField(Staff, null=True, backref="help_requests")
    team = ForeignKeyField(Team, null=True, backref="help_requests")
    assigned_at = DateTimeField(null=True)
    delivered_at = DateTimeField(null=True)
    cancelled_at = DateTimeField(null=True)
    cancel_reason = CharField(default="")
    purchase_amount = DecimalField(max_digits=10, decimal_places=2, default=0)  # 代购金额
    paid = BooleanField(default=False)
    hours = DecimalField(max_digits=4, decimal_places=1, null=True)  # credited at 已送达
    service = ForeignKeyField(ServiceRecord, null=True, backref="help_requests")


class HelpRequestGoods(Record):
    """Goods from donated stock sent with a request: each is a line of the distribution ledger."""

    request = ForeignKeyField(HelpRequest, backref="goods", on_delete="CASCADE")
    distribution = ForeignKeyField(Distribution, backref="help_requests")


# --- reports ----------------------------------------------------------------------------------


class ReportSnapshot(BaseModel):
    """The numbers of a daily report as frozen when it was exported (已生成未报送), and whether
    and how it then went upward (已报送): by mail, or another way the clerk noted."""

    date = DateField(index=True)
    sent_at = DateTimeField(default=_recorded_now)  # when the numbers were frozen
    correction = BooleanField(default=False)
    numbers = TextField()
    reported_at = DateTimeField(null=True)  # None: generated, not yet sent
    reported_how = CharField(default="", constraints=[SQL("DEFAULT ''")])  # 邮件 / 其他方式
    reported_note = TextField(default="", constraints=[SQL("DEFAULT ''")])


class Recipient(Record):
    """An address-book entry for reports sent upward (上级单位)."""

    unit = CharField(default="")
    name = CharField()
    address = CharField(unique=True)


class MailLog(BaseModel):
    """Every attempt to send mail: when, to whom, which files, and what happened."""

    at = DateTimeField(default=_recorded_now, index=True)
    to = TextField()
    subject = CharField()
    files = TextField()  # JSON list of file names
    ok = BooleanField()
    result = TextField()


ALL_MODELS: list[type[Model]] = [
    Setting, AuditLog, RecycleBin,
    Area, Household, Resident,
    KeyPerson, Measure, TemperatureReading, NucleicTest,
    PushedBatch, PushedRow,
    Team, Staff, PointsAdjustment, ShiftSlot, Unavailability, ServiceRecord,
    Checkpoint, Shift, Assignment, GatePassage,
    SamplingRound, RoundScope, RoundPoint, Sample, MissingReason,
    Donor, Donation, Item, DonationItem, Distribution, Expense,
    HelpRequest, HelpRequestGoods,
    ReportSnapshot, Recipient, MailLog,
]
