"""人员与卡口: the list of everyone who can stand a shift or serve (search, add, edit, when they
cannot serve, service hours, party points, import, the volunteer roster) and the checkpoints."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from db import clock
from db import staff as st
from db.areas import find_area
from db.models import STAFF_CATEGORIES, Checkpoint, Staff
from db.roster import checkpoints, slot_labels, slot_named
from db.validate import Invalid, parse_date
from tui.dialogs.file_job import FileJobDialog
from tui.dialogs.form import Field, FormDialog
from tui.exporting import export_job
from tui.screens import DetailScreen, keys
from tui.widgets.column_table import Col, ColumnTable

YES_NO = ("否", "是")


def _staff_fields(person: Staff | None) -> list[Field]:
    p = person
    return [
        Field("name", "姓名", p.name if p else ""),
        Field("category", "人员类别", p.category if p else "党员志愿者", options=STAFF_CATEGORIES),
        Field("phone", "联系电话", p.phone if p else ""),
        Field("id_number", "身份证号码（可空）", (p.id_number or "") if p else ""),
        Field("unit", "工作单位", p.unit if p else ""),
        Field("team", "所属服务队", p.team.name if p and p.team else ""),
        Field("political_status", "政治面貌", p.political_status if p else ""),
        Field("can_lead", "能否带班", "是" if p and p.can_lead else "否", options=YES_NO),
        Field("max_per_week", "每周最多班次", str(p.max_per_week) if p else "6"),
        Field("home", "居住社区（村）", p.home_area.name if p and p.home_area else "",
              placeholder="排班时优先安排到本社区（村）的卡口；可空"),
        Field("skills", "特长", p.skills if p else ""),
        Field("notes", "备注", p.notes if p else ""),
    ]


def _staff_input(v: dict[str, str]) -> st.StaffInput:
    return st.StaffInput(v["name"], v["category"], v["phone"], v["id_number"], v["unit"],
                         v["team"], v["political_status"], v["skills"], v["can_lead"] == "是",
                         v["max_per_week"], find_area(v["home"]) if v["home"].strip() else None,
                         v["notes"])



def offer_withdraw(screen: Screen, checkpoint_id: int | None = None,
                   staff_id: int | None = None) -> None:
    """After a checkpoint closes, someone leaves or 不可值班 is added: offer to take the
    future shifts that can no longer be stood off the roster."""
    from db import roster
    from tui.dialogs.confirm import ConfirmDialog

    found = roster.future_conflicts(checkpoint_id=checkpoint_id, staff_id=staff_id)
    if not (found.shifts or found.assignments):
        return

    def answered(yes: bool | None) -> None:
        if yes:
            done = roster.withdraw_future(checkpoint_id=checkpoint_id, staff_id=staff_id)
            screen.notify(f"已撤下今后的{done.text()}")

    screen.app.push_screen(ConfirmDialog(
        f"今后还排有{found.text()}无法值守（卡口已停用、人员已停用或不可值班）。\n现在撤下？",
        "撤下"), answered)

STAFF_COLUMNS = (Col("姓名", 8), Col("类别", 8, 2), Col("电话", 11), Col("单位", 12, 3, grow=True),
                 Col("服务队", 10, 1), Col("带班", 4, 2), Col("每周上限", 8, 3), Col("积分", 4, 3),
                 Col("状态", 6))


def _staff_cells(p: Staff) -> tuple[object, ...]:
    return (p.name, p.category, p.phone, p.unit, p.team.name if p.team else "",
            "是" if p.can_lead else "", str(p.max_per_week), str(p.party_points),
            "" if p.active else Text("已停用", style="red"))


CHECKPOINT_COLUMNS = (Col("卡口", 14, grow=True), Col("类型", 4), Col("通行", 4, 2),
                      Col("每班人数", 8), Col("带班领导", 8, 1), Col("负责人", 6),
                      Col("电话", 11), Col("启用", 22, 2))


def _checkpoint_cells(cp: Checkpoint) -> tuple[object, ...]:
    return (cp.name, cp.kind, cp.traffic, str(cp.staff_per_shift),
            "需要" if cp.needs_leader else "", cp.person, cp.phone,
            f"{cp.active_from or ''}—{cp.active_to or ''}")


class StaffScreen(DetailScreen):
    TITLE = "值守人员与志愿者"
    BINDINGS = keys(
        "slash search 搜索",
        "n new 新增",
        "e edit 编辑",
        "u unavailable 不可值班",
        "h hours 服务记录",
        "j points 积分 hidden",
        Binding("delete", "deactivate", "停用/启用"),
        "i import 导入",
        "x export 花名册",
    )

    def __init__(self) -> None:
        super().__init__()
        self.people: list[Staff] = []

    def compose_main(self) -> ComposeResult:
        yield Input(placeholder="/ 搜索：姓名、拼音首字母或电话", id="staff-search")
        yield from ColumnTable(STAFF_COLUMNS, _staff_cells, id="staff-table").with_detail()
        yield Static(id="staff-status")

    def on_mount(self) -> None:
        self.reload()
        self.query_one(DataTable).focus()

    def reload(self) -> None:
        from db.roster import find_staff

        text = self.query_one("#staff-search", Input).value
        if text.strip():
            self.people = find_staff(text, limit=500)
        else:
            self.people = st.staff_list()
        table = self.query_one(ColumnTable)
        table.set_rows(self.people, table.cursor_row)
        self.query_one("#staff-status", Static).update(
            f"共 {len(self.people)} 人　j 调整党员积分　Del 停用（不再排班）")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def action_search(self) -> None:
        self.query_one("#staff-search", Input).focus()

    def chosen(self) -> Staff | None:
        return self.query_one(ColumnTable).selected()

    def _after(self, result: object) -> None:
        if result is not None:
            self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def action_new(self) -> None:
        self.app.push_screen(FormDialog("新增人员", _staff_fields(None),
                                        lambda v: st.add_staff(_staff_input(v))),
                             self._after)

    def action_edit(self) -> None:
        person = self.chosen()
        if person is not None:
            self.app.push_screen(FormDialog(
                f"编辑：{person.name}", _staff_fields(person),
                lambda v: st.update_staff(person.id, _staff_input(v))), self._after)

    def action_deactivate(self) -> None:
        person = self.chosen()
        if person is not None:
            st.set_active(person.id, not person.active)
            self.notify(f"{person.name} 已{'启用' if not person.active else '停用'}"
                        "（重新排班时会补上其空出的班次）")
            self.reload()
            if person.active:
                offer_withdraw(self, staff_id=person.id)

    def action_unavailable(self) -> None:
        person = self.chosen()
        if person is None:
            return
        slots = ["（全天）", *slot_labels()]
        fields = [Field("start", "开始日期（空=长期）"), Field("end", "结束日期"),
                  Field("slot", "班次", options=slots), Field("reason", "原因")]

        def submit(v: dict[str, str]) -> object:
            slot = slot_named(v["slot"])
            return st.add_unavailability(person.id, parse_date(v["start"]),
                                         parse_date(v["end"]), slot, v["reason"])

        def after(result: object) -> None:
            self._after(result)
            if result is not None:
                offer_withdraw(self, staff_id=person.id)

        self.app.push_screen(FormDialog(f"{person.name}：不可值班", fields, submit,
                                        note="例：长期不值夜班，只选班次、日期留空"), after)

    def action_hours(self) -> None:
        person = self.chosen()
        if person is None:
            return
        fields = [Field("day", "日期", clock.today().isoformat()), Field("hours", "时长（小时）"),
                  Field("what", "服务内容", placeholder="物资配送/核酸秩序/入户摸排…")]

        def submit(v: dict[str, str]) -> object:
            day = parse_date(v["day"])
            if day is None:
                raise Invalid("请填写日期")
            return st.add_service(person.id, day, v["hours"], v["what"])

        self.app.push_screen(FormDialog(f"{person.name}：服务记录", fields, submit), self._after)

    def action_points(self) -> None:
        person = self.chosen()
        if person is None:
            return
        fields = [Field("delta", "积分变化（可为负）"), Field("reason", "原因")]
        self.app.push_screen(FormDialog(
            f"{person.name}：党员积分（现 {person.party_points}）", fields,
            lambda v: st.adjust_points(person.id, v["delta"], v["reason"])), self._after)

    def action_import(self) -> None:
        from tui.screens.residents.import_jobs import staff_import_job

        self.app.push_screen(FileJobDialog("导入人员名单（.xlsx）", staff_import_job(),
                                           dry_run_label="试运行（只检查，不写入）"),
                             lambda changed: changed and self.reload())

    def action_export(self) -> None:
        export_job(self, "volunteers", {})


class CheckpointsScreen(DetailScreen):
    TITLE = "卡口管理"
    BINDINGS = [
        Binding("n", "new", "新增卡口"),
        Binding("e", "edit", "编辑"),
    ]

    def compose_main(self) -> ComposeResult:
        yield from ColumnTable(CHECKPOINT_COLUMNS, _checkpoint_cells, id="cp-table").with_detail()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.items = checkpoints()
        self.query_one(ColumnTable).set_rows(self.items)

    def _fields(self, cp: Checkpoint | None) -> list[Field]:
        return [
            Field("name", "卡口名称", cp.name if cp else ""),
            Field("kind", "类型", cp.kind if cp else "村", options=("村", "社区")),
            Field("traffic", "通行", cp.traffic if cp else "人车", options=("人车", "人行", "车行")),
            Field("per", "每班人数（空=村4社区2）", str(cp.staff_per_shift) if cp else ""),
            Field("leader", "须带班领导", "是" if (cp is None or cp.needs_leader) else "否",
                  options=YES_NO),
            Field("address", "地址", cp.address if cp else ""),
            Field("person", "负责人", cp.person if cp else ""),
            Field("phone", "负责人电话", cp.phone if cp else ""),
            Field("from", "启用日期", str(cp.active_from or "") if cp else ""),
            Field("to", "停用日期", str(cp.active_to or "") if cp else ""),
        ]

    @staticmethod
    def _input(v: dict[str, str], cp: Checkpoint | None) -> st.CheckpointInput:
        return st.CheckpointInput(v["name"], v["kind"], v["traffic"], v["per"],
                                  v["leader"] == "是", v["address"], "", v["person"], v["phone"],
                                  cp.area if cp else None, parse_date(v["from"]),
                                  parse_date(v["to"]))

    def action_new(self) -> None:
        self.app.push_screen(FormDialog("新增卡口", self._fields(None),
                                        lambda v: st.add_checkpoint(self._input(v, None))),
                             lambda r: r is not None and self.reload())

    def action_edit(self) -> None:
        cp = self.query_one(ColumnTable).selected()
        if cp is None:
            return
        def after(result: object) -> None:
            if result is not None:
                self.reload()
                offer_withdraw(self, checkpoint_id=cp.id)

        self.app.push_screen(FormDialog(f"编辑：{cp.name}", self._fields(cp),
                                        lambda v: st.update_checkpoint(cp.id, self._input(v, cp))),
                             after)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()
