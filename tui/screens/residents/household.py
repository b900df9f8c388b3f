"""户: one household's address, area, pass card and members; add, move, set the head."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from db.areas import full_name
from db.models import Resident
from db.residents import (
    find_households,
    household_by_id,
    household_label,
    household_members,
    move_resident,
    set_head,
    update_household,
)
from db.validate import Invalid
from tui.dialogs.ask import AskText
from tui.dialogs.choose import ChooseDialog
from tui.markup import escape
from tui.screens import DetailScreen, keys
from tui.screens.residents.resident_form import ResidentForm
from tui.widgets.column_table import Col, ColumnTable

MEMBER_COLUMNS = (Col("姓名", 8), Col("与户主关系", 10), Col("性别", 4, 2), Col("出生日期", 10, 2),
                  Col("身份证号", 18, 1), Col("电话", 11), Col("类别", 4, 3))


def _member_cells(m: Resident) -> tuple[object, ...]:
    return (m.name, m.relation, m.sex, f"{m.birth_date:%Y-%m-%d}", m.id_number, m.phone, m.kind)


class HouseholdScreen(DetailScreen):
    TITLE = "户信息"
    BINDINGS = keys(
        "a add_member 添加成员",
        "e edit_member 编辑成员",
        "m move_member 迁到他户",
        "t set_head 设为户主",
        "p pass_card 出入卡",
        "d address 改住址",
    )

    def __init__(self, household_id: int) -> None:
        super().__init__()
        self.household_id = household_id
        self.members: list[Resident] = []

    def compose_main(self) -> ComposeResult:
        with Vertical(id="household"):
            yield Static(id="household-info")
            yield from ColumnTable(MEMBER_COLUMNS, _member_cells, id="member-table",
                                zebra_stripes=False).with_detail()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(DataTable).focus()

    def reload(self) -> None:
        household = household_by_id(self.household_id)
        self.members = household_members(self.household_id)
        self.query_one("#household-info", Static).update(escape(
            f"户号：{household.number or '（无）'}　住址：{household.address or '（未填）'}\n"
            f"所属区域：{full_name(household.area) or '（未分配）'}　"
            f"临时出入卡：{household.pass_card or '（无）'}　成员：{len(self.members)}人")
        )
        table = self.query_one(ColumnTable)
        table.set_rows(self.members, table.cursor_row)

    def _chosen(self) -> Resident | None:
        return self.query_one(ColumnTable).selected()

    def _after(self, result: object) -> None:
        if result is not None:
            self.reload()

    def action_add_member(self) -> None:
        household = household_by_id(self.household_id)
        self.app.push_screen(ResidentForm(household=household), self._after)

    def action_edit_member(self) -> None:
        member = self._chosen()
        if member is not None:
            self.app.push_screen(ResidentForm(member), self._after)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit_member()

    def action_set_head(self) -> None:
        member = self._chosen()
        if member is not None:
            set_head(self.household_id, member.id)
            self.notify(f"{member.name} 已设为户主，请核对其他成员的关系")
            self.reload()

    def action_move_member(self) -> None:
        member = self._chosen()
        if member is None:
            return

        def searched(text: str | None) -> None:
            if not text or not text.strip():
                return
            try:
                found = find_households(text, besides=self.household_id)
            except Invalid as exc:
                self.notify(str(exc), severity="error")
                return
            if not found:
                self.notify(f"没有找到“{text.strip()}”：可输入户主姓名、住址中的字或户号",
                            severity="error")
                return

            def chosen(index: int | None) -> None:
                if index is None:
                    return
                target = found[index]
                move_resident(member.id, target.id)
                self.notify(f"{member.name} 已迁入 {household_label(target)}，"
                            "请在该户填写与户主关系")
                self.reload()

            self.app.push_screen(ChooseDialog(f"把 {member.name} 迁入哪一户？",
                                              [household_label(h) for h in found]), chosen)

        self.app.push_screen(AskText(f"把 {member.name} 迁到哪一户？请输入户主姓名、住址或户号："),
                             searched)

    def _edit_field(self, field: str, question: str) -> None:
        household = household_by_id(self.household_id)

        def answered(value: str | None) -> None:
            if value is None:
                return
            try:
                update_household(self.household_id, **{field: value})
            except Invalid as exc:
                self.notify(str(exc), severity="error")
            self.reload()

        self.app.push_screen(AskText(question, getattr(household, field)), answered)

    def action_pass_card(self) -> None:
        self._edit_field("pass_card", "临时出入卡号：")

    def action_address(self) -> None:
        self._edit_field("address", "住址：")

