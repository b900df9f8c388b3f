"""Bringing the villages' resident lists into the register (导入居民): validate every row, group
people into households, and write the whole file in one transaction or not at all.

Rows are rejected with the sheet's own row number and a Chinese reason; a few things are only
warned about (sex that contradicts the ID, a phone that is not a valid number). Re-importing the
same file adds no one: a known ID number is left alone unless something changed.

Matching is not agreeing. A row matched by ID that would change a stored value is a *change*
(applied and listed); a change of 姓名 is a *conflict*, listed and applied only when the clerk
accepts it. A row placing a known resident in another area is a *move*: listed, never applied
(moves are made in the TUI). When one column disagrees on more than a fifth of at least ten
matched rows, the column was almost certainly sorted on its own in Excel and nothing is written.
New area names are created only when the clerk has seen them and confirmed.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

from db import clock
from db.areas import get_or_add_path
from db.connection import database
from db.models import Area, log_batch, log_changes
from db.pinyin import id_tail, name_search
from db.residents import HEAD, check_name, mask_id
from db.search_index import bulk_insert
from db.validate import Invalid, check_id, check_phone, normalize_text

Progress = Callable[[str, float], None]
KIND_WORDS = {"常住": "常住", "户籍": "常住", "本地": "常住", "外来": "外来", "流动": "外来",
              "暂住": "外来", "返乡": "返乡", "返回": "返乡"}
UPDATABLE = ("name", "phone", "relation", "kind", "notes")
LABELS = {"name": "姓名", "phone": "联系电话", "relation": "与户主关系", "kind": "人员类别",
          "notes": "备注", "area": "所属区域", "sex": "性别", "address": "住址"}
IMPORT_ENTRY = "导入文件"  # the audit "table" of the one entry an import writes about itself
SORTED_MIN_MATCHED = 10
SORTED_SHARE = 0.2


class ImportStopped(Invalid):
    """The import was stopped before writing anything; ``str()`` says why, in Chinese."""


@dataclass(frozen=True)
class Change:
    """One stored value a row would change: a change, a conflict (姓名) or a move (区域)."""

    sheet: str
    row: int
    id_number: str
    name: str
    field: str  # the Chinese column label
    old: str
    new: str

    def as_dict(self) -> dict[str, object]:
        return {"sheet": self.sheet, "row": self.row, "id_masked": mask_id(self.id_number),
                "field": self.field, "old": self.old, "new": self.new}

    def text(self) -> str:
        who = f"{self.name}（{mask_id(self.id_number)}）" if self.id_number else self.name
        return (f"“{self.sheet}”第{self.row}行 {who}"
                f"{self.field}：{self.old or '（空）'} → {self.new or '（空）'}")


def sorted_column_check(sheet: str, matched: int, disagree: dict[str, int]) -> None:
    """Stop when one column disagrees on over a fifth of at least ten matched rows."""
    if matched < SORTED_MIN_MATCHED:
        return
    for label, count in disagree.items():
        if count / matched > SORTED_SHARE:
            raise ImportStopped(
                f"工作表“{sheet}”：已匹配的 {matched} 人中有 {count} 人（{count / matched:.0%}）"
                f"的“{label}”与台账不一致，疑似“{label}”列被单独排序；未导入任何数据。"
                "请核对原表（例如按序号或户号恢复顺序）后重新导入")


@dataclass
class ResidentRecord:
    """One row of a residents sheet, as read (values not yet checked)."""

    row: int
    name: object = None
    id_number: object = None
    phone: object = None
    sex: object = None
    relation: object = None
    kind: object = None
    household_no: object = None
    community: object = None
    compound: object = None
    grid: object = None
    building: object = None
    unit: object = None
    door: object = None
    address: object = None
    notes: object = None
    sheet: str = ""  # the worksheet the row is on


@dataclass
class Problem:
    row: int
    reason: str
    sheet: str = ""


def mark_sheet(problems: list[Problem], since: int, sheet: str) -> None:
    """Name the worksheet on the problems found from ``since`` on (one record's)."""
    for problem in problems[since:]:
        problem.sheet = sheet


def where(sheet: str, row: int) -> str:
    """第3行, or 工作表“二组”第3行 when the file had several sheets."""
    return f"工作表“{sheet}”第{row}行" if sheet else f"第{row}行"


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    households: int = 0
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    sheet: str = ""
    changes: list[Change] = field(default_factory=list)
    conflicts: list[Change] = field(default_factory=list)
    moves: list[Change] = field(default_factory=list)
    new_areas: list[str] = field(default_factory=list)
    conflicts_applied: bool = False
    held: bool = False  # nothing written: new areas wait for the clerk's confirmation

    @property
    def written(self) -> bool:
        return not (self.dry_run or self.held)

    @property
    def needs_confirmation(self) -> bool:
        """What a preview must show before 确认导入: conflicts to apply or areas to create."""
        return bool(self.new_areas or (self.conflicts and not self.conflicts_applied))
    sheets: str = ""  # which worksheets were read and which skipped (exports.reader.Sheets)

    def as_dict(self) -> dict[str, object]:
        return {
            "added": self.added, "updated": self.updated, "unchanged": self.unchanged,
            "households": self.households, "written": self.written,
            "rejected": [asdict(p) for p in self.rejected],
            "warnings": [asdict(p) for p in self.warnings],
            "changes": [c.as_dict() for c in self.changes],
            "conflicts": [c.as_dict() for c in self.conflicts],
            "conflicts_applied": self.conflicts_applied,
            "moves": [c.as_dict() for c in self.moves],
            "new_areas": self.new_areas,
            "sheets": self.sheets,
        }

    def text(self, head: str | None = None) -> str:
        """One line: the counts, conflicts and moves, after ``head`` (by default what happened)."""
        if head is None and self.held:
            head = "未导入（待确认）："
        elif head is None:
            head = "试运行（未写入）：" if self.dry_run else "导入完成："
        line = (f"{head}新增 {self.added} 人，更新 {self.updated} 人，未变 {self.unchanged} 人，"
                f"新建 {self.households} 户；拒绝 {len(self.rejected)} 行，"
                f"警告 {len(self.warnings)} 条")
        if self.conflicts:
            line += (f"；姓名冲突 {len(self.conflicts)} 处"
                     + ("（已按确认修改）" if self.conflicts_applied else "（未修改）"))
        if self.moves:
            line += f"；区域不同 {len(self.moves)} 人（未迁户）"
        return line + (f"\n{self.sheets}" if self.sheets else "")

    def detail_lines(self) -> list[str]:
        """New areas, conflicts, moves and changes, one line each, for the CLI and the TUI."""
        lines = []
        if self.new_areas:
            lines.append(("已新建区域：" if self.written else "将新建区域：")
                         + "、".join(self._new_area_groups()))
        verb = "已修改" if self.conflicts_applied else "未修改"
        lines += [f"冲突（{verb}）：{c.text()}" for c in self.conflicts]
        lines += [f"区域不同（未迁户，请在界面中迁户）：{c.text()}" for c in self.moves]
        lines += [f"修改：{c.text()}" for c in self.changes]
        return lines

    def _new_area_groups(self) -> list[str]:
        """Each first new node of a path, with how many new nodes lie below it."""
        known = set(self.new_areas)
        tops = [p for p in self.new_areas if p.rpartition("/")[0] not in known]
        groups = []
        for top in tops:
            below = sum(1 for p in self.new_areas if p.startswith(top + "/"))
            groups.append(top + (f"（及其下级{below}个）" if below else ""))
        return groups

    def problems(self) -> list[Problem]:
        """Everything the problems sheet lists against a row."""
        out = self.rejected + self.warnings
        verb = "已修改" if self.conflicts_applied else "未修改，确认后才会修改"
        out += [Problem(c.row, f"姓名冲突：{c.old} → {c.new}（{verb}）", c.sheet)
                for c in self.conflicts]
        out += [Problem(c.row, f"区域不同：{c.old} → {c.new}（未迁户）", c.sheet) for c in self.moves]
        out += [Problem(c.row, f"修改{c.field}：{c.old} → {c.new}", c.sheet) for c in self.changes]
        return sorted(out, key=lambda p: (p.sheet, p.row))


@dataclass
class _Person:
    record: ResidentRecord
    values: dict[str, object]
    household_key: str
    household_fields: dict[str, object]
    area_path: tuple[str, ...]
    sheet_sex: str
    sheet_address: str


@functools.lru_cache(maxsize=65536)
def _plain(text: str) -> str:
    """A cell's text normalised; a sheet repeats its areas, relations and kinds on every row."""
    return normalize_text(text)


def _text(value: object) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return _plain(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value)


@functools.lru_cache(maxsize=65536)
def _name(value: object) -> tuple[str, str]:
    """(the checked name, "") or ("", why it is refused): common names come back many times."""
    try:
        return check_name(value), ""
    except Invalid as exc:
        return "", str(exc)


@functools.lru_cache(maxsize=65536)
def _name_columns(name: str) -> dict[str, str | None]:
    return name_search(name)


def _check_row(record: ResidentRecord, summary: ImportSummary,
               base: tuple[str, ...], today: dt.date) -> _Person | None:
    name, refused = _name(record.name)
    if refused:
        summary.rejected.append(Problem(record.row, refused))
        return None
    try:
        info = check_id(record.id_number, today)
    except Invalid as exc:
        summary.rejected.append(Problem(record.row, str(exc)))
        return None
    for warning in info.warnings:
        summary.warnings.append(Problem(record.row, warning))
    sex = _text(record.sex)
    if sex and sex not in (info.sex, info.sex + "性"):
        summary.warnings.append(
            Problem(record.row, f"性别“{sex}”与身份证号码不符，已按身份证号码记为{info.sex}"))
    phone = _text(record.phone)
    if phone:
        try:
            phone = check_phone(record.phone)
        except Invalid:
            summary.warnings.append(Problem(record.row, f"电话“{phone}”不是有效号码，已按原样保存"))
    kind_text = _text(record.kind)
    kind = next((v for k, v in KIND_WORDS.items() if k in kind_text), "常住") if kind_text else ""
    if kind_text and not any(k in kind_text for k in KIND_WORDS):
        summary.warnings.append(
            Problem(record.row, f"人员类别“{kind_text}”无法识别，已记为常住"))
    notes = _text(record.notes)
    if len(notes) > 500:
        summary.warnings.append(Problem(record.row, "备注超过500字，已截断"))
    values: dict[str, object] = {
        "name": name, **_name_columns(name), "id_number": info.number,
        "id_tail": id_tail(info.number), "sex": info.sex, "birth_date": info.birth_date.isoformat(),
        "phone": phone, "relation": _text(record.relation), "kind": kind,
        "notes": notes[:500],
    }
    compound, building, unit, door = (_text(record.compound), _text(record.building),
                                      _text(record.unit), _text(record.door))
    sheet_address = _text(record.address)
    address = sheet_address or f"{compound}{building}{unit}{door}"
    number = _text(record.household_no)
    area_path = _row_path((_text(record.community), compound, _text(record.grid), building),
                          base)
    household_key = f"no:{number}" if number else (
        f"addr:{'/'.join(area_path)}|{address}" if address else f"one:{info.number}")
    return _Person(record, values, household_key,
                   {"number": number or None, "address": address, "unit": unit,
                    "door": door}, area_path, sex, sheet_address)


def _row_path(names: tuple[str, ...], base: tuple[str, ...]) -> tuple[str, ...]:
    """(community, compound, grid, building) names, cut at the first empty level; a row with no
    community is placed under ``base`` (the area chosen for the import), keeping its lower
    levels below the chosen one."""
    if not names[0] and base:
        names = (*base, *names[len(base):])
    path: list[str] = []
    for name in names:
        if not name:
            break
        path.append(name)
    return tuple(path)


def _chunks(items: Sequence[str], size: int = 900) -> list[Sequence[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class _AreaTree:
    """The area tree by names, read once; finds paths without creating them."""

    def __init__(self) -> None:
        self.nodes = {a: (name, parent) for a, name, parent in database.execute_sql(
            "SELECT id, name, parent_id FROM area").fetchall()}
        self.children = {(parent, name): a for a, (name, parent) in self.nodes.items()}
        self._paths: dict[int | None, tuple[str, ...]] = {None: ()}

    def find(self, path: tuple[str, ...]) -> int | None:
        node: int | None = None
        for name in path:
            node = self.children.get((node, name))
            if node is None:
                return None
        return node

    def missing(self, path: tuple[str, ...]) -> tuple[str, ...] | None:
        """The shortest prefix of ``path`` that does not exist yet, or None."""
        node: int | None = None
        for depth, name in enumerate(path, start=1):
            node = self.children.get((node, name))
            if node is None:
                return path[:depth]
        return None

    def path_of(self, area_id: int | None) -> tuple[str, ...]:
        if area_id not in self._paths:
            names: list[str] = []
            node = area_id
            while node is not None and node in self.nodes:
                name, parent = self.nodes[node]
                names.append(name)
                node = parent
            self._paths[area_id] = tuple(reversed(names))
        return self._paths[area_id]


def _is_move(stored: tuple[str, ...], given: tuple[str, ...]) -> bool:
    """A row places a person elsewhere when its area and the household's diverge."""
    if not given:
        return False
    if not stored:
        return True
    depth = min(len(stored), len(given))
    return stored[:depth] != given[:depth]


def import_residents(
    records: Sequence[ResidentRecord], dry_run: bool = False, progress: Progress | None = None,
    *, accept_changes: bool = False, create_areas: bool = False, area: Area | None = None,
    sheet: str = "", source: str = "",
) -> ImportSummary:
    """Import checked rows in one transaction (nothing is written on ``dry_run``).

    ``accept_changes`` applies 姓名 conflicts; ``create_areas`` confirms the new area names the
    summary lists (without it an import that needs new areas writes nothing and is ``held``);
    ``area`` places rows that name no 社区（村）. Raises :class:`ImportStopped` when a column
    looks sorted on its own, whatever the flags.
    """
    report = progress or (lambda _stage, _fraction: None)
    summary = ImportSummary(dry_run=dry_run, sheet=sheet)
    tree = _AreaTree()
    base = tree.path_of(area.id) if area is not None else ()
    people: list[_Person] = []
    first_row: dict[str, ResidentRecord] = {}
    sheet_order: dict[str, int] = {}
    for record in records:
        sheet_order.setdefault(record.sheet, len(sheet_order))
    today = clock.today()
    for n, record in enumerate(records):
        marks = len(summary.rejected), len(summary.warnings)
        person = _check_row(record, summary, base, today)
        if person is not None:
            number = str(person.values["id_number"])
            if number in first_row:
                first = first_row[number]
                place = where("" if first.sheet == record.sheet else first.sheet, first.row)
                summary.rejected.append(Problem(record.row, f"身份证号码与{place}重复，本行未导入"))
            else:
                first_row[number] = record
                people.append(person)
        if record.sheet:
            mark_sheet(summary.rejected, marks[0], record.sheet)
            mark_sheet(summary.warnings, marks[1], record.sheet)
        if n % 5000 == 0:
            report("检查", n / max(len(records), 1))
    summary.rejected.sort(key=lambda p: (sheet_order.get(p.sheet, 0), p.row))
    summary.warnings.sort(key=lambda p: (sheet_order.get(p.sheet, 0), p.row))
    report("比对", 0.0)
    existing: dict[str, tuple] = {}
    for chunk in _chunks(sorted(first_row)):  # in the index's order: fewer pages read
        cursor = database.execute_sql(
            "SELECT r.id_number, r.id, r.name, r.phone, r.relation, r.kind, r.notes, h.area_id, "
            "coalesce(h.address, '') FROM resident r LEFT JOIN household h ON h.id = r.household_id "
            f"WHERE r.id_number IN ({','.join('?' * len(chunk))})", list(chunk))
        for row in cursor.fetchall():
            existing[row[0]] = row[1:]
    updates = _compare(people, existing, tree, summary, accept_changes)
    # only the households this sheet names: reading all of them held 140,000 rows in memory
    numbers = sorted({str(p.household_fields["number"]) for p in people
                      if p.household_fields["number"]})
    addresses = sorted({str(p.household_fields["address"]) for p in people
                        if p.household_fields["address"]})
    by_number: dict[str, int] = {}
    for chunk in _chunks(numbers):
        by_number.update(database.execute_sql(
            f"SELECT number, id FROM household WHERE number IN ({','.join('?' * len(chunk))})",
            list(chunk)).fetchall())
    by_address: dict[tuple[str, int | None], int] = {}
    for chunk in _chunks(addresses):
        by_address.update(((a, area_id), i) for i, a, area_id in database.execute_sql(
            f"SELECT id, address, area_id FROM household WHERE address IN "
            f"({','.join('?' * len(chunk))})", list(chunk)).fetchall())
    households: dict[str, list[_Person]] = {}
    new_areas: set[tuple[str, ...]] = set()
    for person in people:
        if person.values["id_number"] in existing:
            continue
        joins = person.household_key.startswith("no:") and person.household_key[3:] in by_number
        if not joins and not person.area_path:
            summary.rejected.append(Problem(
                person.record.row, "缺少“社区（村）”：请在表中填写，或导入时选择区域（命令行 --area）"))
            continue
        if not joins:
            missing = tree.missing(person.area_path)
            if missing is not None:
                new_areas.update(person.area_path[:depth]
                                 for depth in range(len(missing), len(person.area_path) + 1))
        households.setdefault(person.household_key, []).append(person)
    summary.rejected.sort(key=lambda p: p.row)
    summary.warnings.sort(key=lambda p: p.row)
    summary.new_areas = ["/".join(path) for path in sorted(new_areas)]
    summary.added = sum(len(members) for members in households.values())
    summary.updated = len(updates)
    summary.households = sum(
        1 for key in households if not (key.startswith("no:") and key[3:] in by_number))
    if dry_run:
        return summary
    if summary.new_areas and not create_areas:
        summary.held = True
        return summary
    now = clock.now().isoformat(sep=" ", timespec="seconds")
    with database.atomic(), bulk_insert(database):
        _write(households, updates, by_number, by_address, summary, report, now, source)
        _log_import(summary, len(existing), source, now)
    report("完成", 1.0)
    return summary


def _compare(people: list[_Person], existing: dict[str, tuple], tree: _AreaTree,
             summary: ImportSummary, accept_changes: bool,
             ) -> list[tuple[int, dict[str, object], dict[str, object]]]:
    """Changes, conflicts and moves of the matched rows; stops on a column sorted on its own."""
    updates: list[tuple[int, dict[str, object], dict[str, object]]] = []
    disagree = {"姓名": 0, "性别": 0, "联系电话": 0, "住址": 0}
    matched = 0
    for person in people:
        known = existing.get(str(person.values["id_number"]))
        if known is None:
            continue
        matched += 1
        rid, *old, area_id, address = known
        record = person.record
        sheet = record.sheet or summary.sheet
        number = str(person.values["id_number"])
        before = dict(zip(UPDATABLE, old, strict=True))
        after = dict(before)
        if person.values["name"] != before["name"]:
            disagree["姓名"] += 1
        if person.sheet_sex and person.sheet_sex not in (person.values["sex"],
                                                         f"{person.values['sex']}性"):
            disagree["性别"] += 1
        if person.values["phone"] and before["phone"] and person.values["phone"] != before["phone"]:
            disagree["联系电话"] += 1
        if person.sheet_address and address and person.sheet_address != address:
            disagree["住址"] += 1
        for key in UPDATABLE:
            new = person.values[key]
            if not new or new == before[key]:
                continue
            change = Change(sheet, record.row, number, str(before["name"]), LABELS[key],
                            str(before[key]), str(new))
            if key == "name":
                summary.conflicts.append(change)
                if not accept_changes:
                    continue
            else:
                summary.changes.append(change)
            after[key] = new
        stored = tree.path_of(area_id)
        if _is_move(stored, person.area_path):
            summary.moves.append(Change(sheet, record.row, number, str(before["name"]),
                                        LABELS["area"], "/".join(stored), "/".join(person.area_path)))
        if after != before:
            updates.append((rid, before, after))
        else:
            summary.unchanged += 1
    sorted_column_check(summary.sheet or "居民", matched, disagree)
    summary.conflicts_applied = accept_changes and bool(summary.conflicts)
    return updates


def _log_import(summary: ImportSummary, matched: int, source: str, now: str) -> None:
    """One audit entry for the import as a whole, at the same time as its rows: how many rows
    matched, which ``eprc check`` measures past imports against."""
    log_changes([("导入", IMPORT_ENTRY, None, None, {
        "文件": source, "工作表": summary.sheet, "匹配": matched, "新增": summary.added,
        "更新": summary.updated})], at=now)


WRITE_BATCH = 2000


def _flush(new_households: list[dict[str, object]], new_residents: list[dict[str, object]]
           ) -> None:
    """Insert the rows gathered so far (households before their members) and empty the lists."""
    for table, rows in (("household", new_households), ("resident", new_residents)):
        if rows:
            columns = list(rows[0])
            database.cursor().executemany(
                f"INSERT INTO {table} ({','.join(columns)}) "
                f"VALUES ({','.join('?' * len(columns))})",
                ([row[c] for c in columns] for row in rows))
    new_households.clear()
    new_residents.clear()


def _write(households, updates, by_number, by_address, summary, report, now: str,
           source: str) -> None:
    """Write the new households and residents (logged as one entry per table naming the file
    and the new ids: the rows hold their values) and the updates (one entry each, with the
    values before, which ``eprc check`` reads)."""
    area_cache: dict[tuple[str, ...], int | None] = {}
    next_household = (database.execute_sql("SELECT max(id) FROM household").fetchone()[0] or 0) + 1
    next_resident = (database.execute_sql("SELECT max(id) FROM resident").fetchone()[0] or 0) + 1
    new_households: list[dict[str, object]] = []
    new_residents: list[dict[str, object]] = []
    audits: list[tuple[object, ...]] = []
    added: dict[str, list[int]] = {"household": [], "resident": []}
    households_added = 0
    for number, members in enumerate(households.values()):
        if len(new_residents) >= WRITE_BATCH:  # a batch at a time keeps a big import's memory low
            _flush(new_households, new_residents)
            report("写入", 0.3 * number / len(households))
        first = members[0]
        if first.area_path not in area_cache:
            found = get_or_add_path(list(first.area_path)) if first.area_path else None
            area_cache[first.area_path] = found.id if found else None
        area_id = area_cache[first.area_path]
        fields = first.household_fields
        household_id = by_number.get(fields["number"]) if fields["number"] else None
        if household_id is None and not fields["number"] and fields["address"]:
            household_id = by_address.get((fields["address"], area_id))
        if household_id is None:
            household_id = next_household
            next_household += 1
            row = {"id": household_id, "number": fields["number"], "address": fields["address"],
                   "area_id": area_id, "unit": fields["unit"], "door": fields["door"],
                   "pass_card": "", "notes": ""}
            new_households.append(row)
            households_added += 1
            added["household"].append(household_id)
            has_head = False
        else:
            has_head = database.execute_sql(
                "SELECT 1 FROM resident WHERE household_id = ? AND relation = ?",
                [household_id, HEAD]).fetchone() is not None
        for person in members:
            values = dict(person.values)
            if not values["kind"]:
                values["kind"] = "常住"
            if not has_head and not values["relation"] and len(members) == 1:
                values["relation"] = HEAD
            row = {"id": next_resident, "household_id": household_id, **values,
                   "status": "在册", "updated_at": now}
            next_resident += 1
            new_residents.append(row)
            added["resident"].append(row["id"])
    _flush(new_households, new_residents)
    for table, ids in added.items():
        log_batch("导入", table, ids, {"文件": source}, at=now)
    summary.households = households_added
    report("写入", 0.7)
    for rid, before, after in updates:
        changed = {k: v for k, v in after.items() if before[k] != v}
        if "name" in changed:
            changed.update(name_search(str(changed["name"])))
        sets = ", ".join(f"{k} = ?" for k in changed)
        database.execute_sql(f"UPDATE resident SET {sets}, updated_at = ? WHERE id = ?",
                             [*changed.values(), now, rid])
        audits.append(("导入", "resident", rid, before, after))
    log_changes(audits, at=now)
