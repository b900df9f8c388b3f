"""Every write leaves its audit entry, bulk ones included: each write operation of db/ is run
on the demo township and its entry looked for. The operations are found by reading db/'s
modules (a public function that saves, creates, updates, deletes, inserts, opens a transaction
or writes the log, itself or through the functions it calls), so a new one fails
:func:`test_every_write_operation_of_db_is_run_here` until it has its line in SCENARIOS (or,
when it writes no record of the clerk's, in NOT_RECORDS with the reason)."""

from __future__ import annotations

import ast
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from peewee import fn

import db
from db import (
    areas,
    audit,
    donations,
    gate,
    keypersons,
    mail,
    models,
    pushed,
    recycle,
    requests,
    residents,
    roster,
    settings,
    staff,
    testing,
)
from db import clock as township
from db.imports import ResidentRecord, import_residents
from db.models import (
    Assignment,
    AuditLog,
    Checkpoint,
    Distribution,
    Donation,
    Donor,
    HelpRequest,
    Household,
    Item,
    KeyPerson,
    Measure,
    PushedRow,
    Resident,
    Shift,
    Staff,
    Team,
)
from tests.factories import make_id

MON = dt.date(2022, 4, 11)
DB = Path(db.__file__).parent
MODEL_WRITES = {"create", "insert", "insert_many", "update", "delete", "replace", "get_or_create",
                "bulk_create", "bulk_update", "insert_from"}
AUDIT_WRITERS = {"insert_rows", "insert_streamed", "delete_rows", "log_change", "log_changes"}

# write operations that write no record of the clerk's, and why
NOT_RECORDS = {
    "database.open_database": "opens (and upgrades) the file; upgrades are migrations",
    "database.upgrade": "runs the numbered migrations",
    "migrations.keep_shift_lengths_and_entry_times": "a migration",
    "migrations.move_mail_password_out": "a migration",
    "offsite.backup_to": "copies the file",
    "backup.daily_backup": "copies the file; notes when (set_state, eprc's own facts)",
    "backup.copy_off_disk": "copies the file; notes when (set_state, eprc's own facts)",
    "backup.restore_backup": "replaces the whole file by a backup (the current one is kept)",
    "demo.build_demo": "writes a new demo file",
    "config.set_state": "eprc's own facts (when the last backup ran), not the clerk's",
    "check.repair": "runs delete_resident and recycle.delete, each run here",
    "models.log_change": "the audit writer itself",
    "models.log_changes": "the audit writer itself",
    "models.log_batch": "the audit writer itself (one entry for a file's new rows)",
    "mail.log_mail": "the mail log is a log of its own (MailLog)",
    "report.freeze_report": "a report's frozen numbers are kept whole in ReportSnapshot",
    "report.freeze_while": "freeze_report while the sheet is written",
    "report.record_sent": "marks a ReportSnapshot 已报送",
    "report.mark_reported_otherwise": "marks a ReportSnapshot 已报送",
}


def _public_functions() -> dict[str, tuple[ast.FunctionDef, str, dict[str, tuple[str, ...]]]]:
    """Every module-level function of db/, by "module.name", with its module and imports."""
    found = {}
    for path in sorted(DB.glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        imported: dict[str, tuple[str, ...]] = {}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("db"):
                for alias in node.names:
                    name = alias.asname or alias.name
                    imported[name] = (("module", alias.name) if node.module == "db" else
                                      ("function", node.module.split(".")[1], alias.name))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                found[f"{path.stem}.{node.name}"] = (node, path.stem, imported)
    return found


def _writes_itself(node: ast.FunctionDef) -> bool:
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        f = call.func
        if isinstance(f, ast.Name) and f.id in AUDIT_WRITERS:
            return True
        if isinstance(f, ast.Attribute):
            on_model = isinstance(f.value, ast.Name) and f.value.id[:1].isupper()
            sql = (call.args and isinstance(call.args[0], ast.Constant)
                   and isinstance(call.args[0].value, str)
                   and call.args[0].value.lstrip().split(" ")[0].upper() in
                   ("INSERT", "UPDATE", "DELETE", "REPLACE"))
            if f.attr in ("save", "atomic") or (on_model and f.attr in MODEL_WRITES) or (
                    f.attr in ("execute", "execute_sql", "executemany") and sql):
                return True
    return False


def _called(node: ast.FunctionDef, module: str, imported: dict[str, tuple[str, ...]],
            functions: dict[str, object]) -> set[str]:
    """The db/ functions ``node`` calls (by plain name, imported name or ``module.name``)."""
    called = set()
    for call in ast.walk(node):
        if not isinstance(call, ast.Call):
            continue
        f = call.func
        if isinstance(f, ast.Name):
            if f"{module}.{f.id}" in functions:
                called.add(f"{module}.{f.id}")
            elif imported.get(f.id, ("",))[0] == "function":
                called.add(f"{imported[f.id][1]}.{imported[f.id][2]}")
        elif isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            if imported.get(f.value.id, ("",))[0] == "module":
                called.add(f"{imported[f.value.id][1]}.{f.attr}")
    return called


def write_operations() -> set[str]:
    """The public functions of db/ that write, themselves or through what they call."""
    functions = _public_functions()
    direct = {name: _writes_itself(node) for name, (node, _m, _i) in functions.items()}
    calls = {name: _called(node, module, imported, functions)
             for name, (node, module, imported) in functions.items()}

    def writes(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if direct.get(name):
            return True
        return any(writes(c, seen | {name}) for c in calls.get(name, ()) if c not in seen)

    return {name for name in functions if not name.split(".")[1].startswith("_") and writes(name)}


# -- the operations, each run once on the demo township -------------------------------------

def resident() -> Resident:
    return Resident.select().where(Resident.household.is_null(False)).order_by(Resident.id).first()


def open_measure() -> Measure:
    return Measure.select().where(Measure.released_on.is_null()).order_by(Measure.id).first()


def member() -> Resident:
    """A resident who is not the head of the household."""
    return Resident.select().where(Resident.household.is_null(False)
                                   & (Resident.relation != residents.HEAD)).order_by(Resident.id).first()


def released() -> Measure:
    measure = open_measure()
    return keypersons.release(measure.id, township.today(), "期满")


def later() -> dt.date:
    """A day the demo's posts are in service and have no shifts yet."""
    return township.today() + dt.timedelta(days=40)


def a_team() -> int:
    models.insert_rows("team", ["name", "leader_name", "notes"], [["新服务队", "王队长", ""]])
    return Team.get(Team.name == "新服务队").id


def a_passage() -> object:
    return gate.record_passage(a_post().id, gate.PassageInput(
        "进", "36.5", name="钱多多", phone="13912345678", origin_reason="返乡，来自上海市"))


def new_staff(n: int = 1) -> Staff:
    return staff.add_staff(staff.StaffInput(f"新人{n}", "党员志愿者", phone=f"1390000{n:04d}"))


def a_post() -> Checkpoint:
    post = roster.checkpoints()[0]
    roster.ensure_slots()
    return post


def a_seat() -> Assignment:
    post = a_post()
    roster.create_shifts(MON, MON, post.id)
    shift = Shift.select().where(Shift.checkpoint == post.id).first()
    return roster.assign(shift.id, new_staff().id)


def withdrawn() -> roster.Withdrawal:
    """Someone on tomorrow's roster stops serving: their seats are withdrawn."""
    seat = Assignment.select().join(Shift).where(Shift.date > township.today()).first()
    staff.set_active(seat.staff_id, False)
    return roster.withdraw_future(staff_id=seat.staff_id)


def a_gift() -> Donation:
    return donations.record_goods(MON, Donor.select().first(), [donations.GoodsLine(
        "方便面", "箱", 50, 2250, spec="24袋/箱")])


def handed() -> Distribution:
    a_gift()
    item = Item.get(Item.name == "方便面")
    return donations.distribute(MON, item.id, 10, "卡口", "桃园村1号卡口")


def a_request() -> HelpRequest:
    household = Household.select().first()
    return requests.take_request(requests.RequestInput("1", details="口罩两盒",
                                                       household_id=household.id, caller="张三",
                                                       callback_phone="13912345678"))


def sent_request() -> HelpRequest:
    request = a_request()
    return requests.assign(request.id, volunteer_id=Staff.select().where(
        Staff.is_volunteer == True).first().id)  # noqa: E712


def a_batch() -> int:
    record = pushed.PushedRecord(4, [1, "张三", "13800000001"], name="张三", phone="13800000001")
    sheet = pushed.PushedSheet("Sheet1", 3, ["序号", "姓名", "手机"], [record])
    return pushed.create_batch("推送.xlsx", [sheet], b"", dt.datetime(2022, 4, 11, 9, 0)).batch_id


def a_round() -> int:
    today = township.today()
    point = testing.find_or_add_point("文化广场采样点")
    return testing.new_round("第1轮", today, today, [], [point.id]).id


def stock_item() -> Item:
    a_gift()
    return Item.get(Item.name == "方便面")


def verified_row() -> tuple[int, int]:
    batch = a_batch()
    person = resident()
    pushed.verify(batch, 4, "已核实在辖区（漏排）", id_number=person.id_number)
    return batch, 4


# operation: the table and action of the entry it leaves, and how to run it
SCENARIOS: dict[str, tuple[str, str, Callable[[], object]]] = {
    "areas.add_area": ("area", "新增", lambda: areas.add_area("新社区")),
    "areas.get_or_add_path": ("area", "新增", lambda: areas.get_or_add_path(["新社区", "一组"])),
    "areas.delete_area": ("area", "删除", lambda: areas.delete_area(areas.add_area("空社区").id)),
    "audit.log_export": ("export", "导出", lambda: audit.log_export(Path("x.xlsx"), "居民", "全镇")),
    "models.insert_rows": ("team", "新增", lambda: a_team()),
    "models.delete_rows": ("team", "删除", lambda: models.delete_rows(Team, [a_team()])),
    "models.insert_streamed": ("team", "导入", lambda: models.insert_streamed(
        "team", ["name", "leader_name", "notes"], iter([[["一队", "王", ""]], [], [["二队", "李", ""]]]),
        "导入", {"文件": "队伍.xlsx"})),
    "recycle.delete": ("household", "删除",
        lambda: recycle.delete(Household.create(address="空户1号"), "户")),
    "recycle.restore": ("household", "恢复",
        lambda: recycle.restore(recycle.delete(Household.create(address="空户1号"), "户").id)),
    "settings.set_setting": ("setting", "修改", lambda: settings.set_setting("preparer", "李会计")),
    "settings.set_settings": ("setting", "修改", lambda: settings.set_settings({"preparer": "李会计"})),
    "mail.add_recipient": ("recipient", "新增",
        lambda: mail.add_recipient("王科长", "wang@example.com", "县指挥部")),
    # residents and households
    "residents.add_household": ("household", "新增", lambda: residents.add_household("和平路9号")),
    "residents.update_household": ("household", "修改",
        lambda: residents.update_household(Household.select().first().id, address="和平路10号")),
    "residents.register_resident": ("resident", "新增",
        lambda: residents.register_resident(residents.ResidentInput("李四", make_id("19900101", 901)),
            address="和平路9号")),
    "residents.update_resident": ("resident", "修改",
        lambda: residents.update_resident(resident().id, residents.ResidentInput(resident().name,
            resident().id_number, phone="13700002222"))),
    "residents.delete_resident": ("resident", "删除", lambda: residents.delete_resident(resident().id)),
    "residents.delete_household": ("household", "删除",
        lambda: residents.delete_household(resident().household_id)),
    "residents.move_resident": ("resident", "修改",
        lambda: residents.move_resident(resident().id, residents.add_household("和平路9号").id)),
    "residents.set_head": ("resident", "修改",
        lambda: residents.set_head(member().household_id, member().id)),
    "imports.import_residents": ("resident", "导入",
        lambda: import_residents([ResidentRecord(4, "王导入", make_id("19900101", 902), sex="男",
            relation="户主", community="城关社区", address="和平路11号")], create_areas=True)),
    "testing.set_away": ("resident", "修改", lambda: testing.set_away([resident().id], MON, None)),
    "testing.set_immobile": ("resident", "修改", lambda: testing.set_immobile([resident().id])),
    "testing.apply_marks": ("resident", "修改",
        lambda: testing.apply_marks([testing.MarkRow("名单", 2, resident().id_number, None, None, True,
            False, True)])),
    "testing.save_with_testing_fields": ("resident", "修改",
        lambda: testing.save_with_testing_fields(resident, (MON, None), True)),
    # key persons
    "keypersons.register_key_person": ("key_person", "新增",
        lambda: keypersons.register_key_person(keypersons.KeyPersonInput("密接"), resident=resident())),
    "keypersons.start_measure": ("measure", "新增",
        lambda: keypersons.start_measure(released().person_id, "居家健康监测", township.today())),
    "keypersons.release": ("measure", "修改",
        lambda: keypersons.release(open_measure().id, township.today(), "期满")),
    "keypersons.follow_on": ("measure", "新增",
        lambda: keypersons.follow_on(open_measure().id, "居家健康监测", township.today())),
    "keypersons.change_end": ("measure", "修改",
        lambda: keypersons.change_end(open_measure().id,
            open_measure().planned_end + dt.timedelta(days=3), "延长")),
    "keypersons.record_temperature": ("temperature_reading", "新增",
        lambda: keypersons.record_temperature(open_measure().id, township.today(), "下午", "36.5")),
    "keypersons.add_nucleic_test": ("nucleic_test", "新增",
        lambda: keypersons.add_nucleic_test(KeyPerson.select().first().id, township.today(), "阴性")),
    # pushed lists
    "pushed.create_batch": ("pushed_row", "导入", lambda: a_batch()),
    "pushed.delete_batch": ("pushed_batch", "删除", lambda: pushed.delete_batch(a_batch())),
    "pushed.verify": ("pushed_row", "修改", lambda: verified_row()),
    "pushed.register_key_person": ("key_person", "新增",
        lambda: pushed.register_key_person(*verified_row())),
    # staff, posts and the roster
    "staff.add_staff": ("staff", "新增", lambda: new_staff()),
    "staff.update_staff": ("staff", "修改",
        lambda: staff.update_staff(new_staff().id, staff.StaffInput("新人1", "党员志愿者",
                                                                     phone="13900009999"))),
    "staff.set_active": ("staff", "修改", lambda: staff.set_active(new_staff().id, False)),
    "staff.add_unavailability": ("unavailability", "新增",
        lambda: staff.add_unavailability(new_staff().id, MON, MON)),
    "staff.add_service": ("service_record", "新增",
        lambda: staff.add_service(new_staff().id, MON, 2, "物资配送")),
    "staff.adjust_points": ("points_adjustment", "新增",
        lambda: staff.adjust_points(new_staff().id, 5, "值守")),
    "staff.import_staff": ("staff", "新增",
        lambda: staff.import_staff([staff.StaffRecord(2, {"name": "导入人", "category": "党员志愿者",
            "phone": "13900008888"})])),
    "staff.add_checkpoint": ("checkpoint", "新增",
        lambda: staff.add_checkpoint(staff.CheckpointInput("北门卡口"))),
    "staff.update_checkpoint": ("checkpoint", "修改",
        lambda: staff.update_checkpoint(a_post().id, staff.CheckpointInput(a_post().name, address="北门"))),
    "testing.new_point": ("checkpoint", "新增", lambda: testing.new_point("广场采样点")),
    "testing.find_or_add_point": ("checkpoint", "新增", lambda: testing.find_or_add_point("广场采样点")),
    "roster.ensure_slots": ("shift_slot", "新增", lambda: roster.ensure_slots("采样点")),
    "roster.slots_for": ("shift_slot", "新增", lambda: roster.slots_for(testing.new_point("广场采样点"))),
    "roster.apply_slots": ("shift_slot", "修改",
        lambda: roster.apply_slots([("00:00", "07:00"), ("07:00", "16:00"), ("16:00", "24:00")])),
    "roster.create_shifts": ("shift", "新增", lambda: roster.create_shifts(later(), later(), a_post().id)),
    "roster.plan": ("assignment", "排班", lambda: roster.plan(later(), later(), a_post().id)),
    "roster.assign": ("assignment", "新增", lambda: a_seat()),
    "roster.unassign": ("assignment", "删除", lambda: roster.unassign(a_seat().id)),
    "roster.set_pinned": ("assignment", "修改", lambda: roster.set_pinned(a_seat().id, True)),
    "roster.swap": ("assignment", "互换", lambda: roster.swap(a_seat().id, a_seat().id)),
    "roster.withdraw_future": ("assignment", "删除",
        lambda: withdrawn()),
    "gate.record_passage": ("gate_passage", "新增", lambda: a_passage()),
    "gate.key_person_from_passage": ("key_person", "新增",
        lambda: gate.key_person_from_passage(a_passage().id, make_id("19900909", 19), "桃园村8号")),
    # donations
    "donations.add_donor": ("donor", "新增", lambda: donations.add_donor("新捐赠方")),
    "donations.item_for": ("item", "新增", lambda: donations.item_for("口罩", "50只/盒", "盒")),
    "donations.record_money": ("donation", "新增",
        lambda: donations.record_money(MON, Donor.select().first(), 800)),
    "donations.record_goods": ("donation_item", "新增", lambda: a_gift()),
    "donations.distribute": ("distribution", "新增", lambda: handed()),
    "donations.spend": ("expense", "新增", lambda: donations.spend(township.today(), 1, False, "慰问品")),
    "donations.reverse_donation": ("donation", "新增",
        lambda: donations.reverse_donation(a_gift().id, "重复登记")),
    "donations.reverse_distribution": ("distribution", "新增",
        lambda: donations.reverse_distribution(handed().id, "登记错误")),
    "donations.set_low_threshold": ("item", "修改",
        lambda: donations.set_low_threshold(stock_item().id, 5)),
    # requests
    "requests.take_request": ("help_request", "新增", lambda: a_request()),
    "requests.assign": ("help_request", "修改", lambda: sent_request()),
    "requests.add_goods": ("help_request_goods", "新增",
        lambda: requests.add_goods(a_request().id, stock_item().id, 1)),
    "requests.deliver": ("help_request", "修改", lambda: requests.deliver(sent_request().id, hours=1)),
    "requests.set_hours": ("service_record", "修改",
        lambda: requests.set_hours(requests.deliver(sent_request().id, hours=1).id, 2)),
    "requests.set_payment": ("help_request", "修改",
        lambda: requests.set_payment(a_request().id, "35.5", True)),
    "requests.cancel": ("help_request", "修改", lambda: requests.cancel(a_request().id, "已自行解决")),
    "requests.delete_request": ("help_request", "删除", lambda: requests.delete_request(a_request().id)),
    # testing rounds
    "testing.new_round": ("sampling_round", "新增", lambda: a_round()),
    "testing.add_point": ("round_point", "新增",
        lambda: testing.add_point(a_round(), testing.new_point("广场采样点").id)),
    "testing.check_off": ("sample", "新增", lambda: testing.check_off(a_round(), resident().id)),
    "testing.import_samples": ("sample", "导入",
        lambda: testing.import_samples(a_round(), [("采样", 2, resident().id_number,
            resident().name, "", "")])),
    "testing.record_reason": ("missing_reason", "新增",
        lambda: testing.record_reason(a_round(), resident().id, "外出")),
    "testing.record_result": ("sample", "修改",
        lambda: testing.record_result((rid := a_round()), testing.check_off(rid,
            resident().id)[0].resident_id, "阴性")),
    "testing.record_positive": ("key_person", "新增",
        lambda: testing.record_positive((rid := a_round()), testing.check_off(rid,
            resident().id)[0].resident_id)),
}


def test_every_write_operation_of_db_is_run_here() -> None:
    found = write_operations()
    unrun = found - set(SCENARIOS) - set(NOT_RECORDS)
    assert not unrun, f"write operations with no scenario (or reason in NOT_RECORDS): {sorted(unrun)}"
    stale = (set(SCENARIOS) | set(NOT_RECORDS)) - found
    assert not stale, f"scenarios for no write operation: {sorted(stale)}"
    assert not set(SCENARIOS) & set(NOT_RECORDS)


@pytest.mark.parametrize("operation", sorted(SCENARIOS))
def test_each_write_operation_leaves_its_audit_entry(demo_path: Path, operation: str) -> None:
    last = AuditLog.select(fn.MAX(AuditLog.id)).scalar()
    table, action, run = SCENARIOS[operation]
    run()
    logged = {(e.table, e.action) for e in AuditLog.select().where(AuditLog.id > last)}
    assert (table, action) in logged, f"{operation} logged only {sorted(logged)}"


def entries(table: str, action: str) -> list[AuditLog]:
    return list(AuditLog.select().where((AuditLog.table == table) & (AuditLog.action == action)))


def test_planning_creating_shifts_and_swapping_are_logged(db_path: Path) -> None:
    roster.ensure_slots()
    cp = Checkpoint.create(name="1号卡口", staff_per_shift=1)
    for n in range(6):
        Staff.create(name=f"员{n}", name_key="y", category="网格员", phone=f"1380000{n:04d}")
    result = roster.plan(MON, MON + dt.timedelta(days=1), cp.id)
    shifts = entries("shift", "新增")
    assert len(shifts) == Shift.select().count() == result.shifts == 6
    assert {e.row_id for e in shifts} == {s.id for s in Shift.select()}
    assert json.loads(shifts[0].after)["checkpoint_id"] == cp.id
    seats = entries("assignment", "排班")
    assert {e.row_id for e in seats} == {a.id for a in Assignment.select()}
    first, second = list(Assignment.select().order_by(Assignment.id).limit(2))
    roster.swap(first.id, second.id)
    swapped = entries("assignment", "互换")
    assert {e.row_id for e in swapped} == {first.id, second.id}
    assert json.loads(swapped[0].before)["staff_id"] in (first.staff_id, second.staff_id)


def test_a_pushed_list_and_a_recycle_move_are_logged(db_path: Path) -> None:
    record = pushed.PushedRecord(4, [1, "张三", "13800000001"], name="张三", phone="13800000001")
    sheet = pushed.PushedSheet("Sheet1", 3, ["序号", "姓名", "手机"], [record])
    summary = pushed.create_batch("推送.xlsx", [sheet], b"", dt.datetime(2022, 4, 11, 9, 0))
    row = PushedRow.get(PushedRow.batch == summary.batch_id)
    imported = entries("pushed_row", "导入")
    assert [e.row_id for e in imported] == [row.id]
    assert json.loads(imported[0].after)["name"] == "张三"
    assert entries("pushed_batch", "新增")[0].row_id == summary.batch_id
    recycle.delete(row, "推送行")
    assert [e.row_id for e in entries("pushed_row", "删除")] == [row.id]
