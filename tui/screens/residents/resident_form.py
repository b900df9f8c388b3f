"""The add/edit resident form: validates as you type and fills sex and birth date from the ID."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from db.models import RESIDENCE_KINDS, RESIDENT_STATUSES, Area, Household, Resident
from db.residents import ResidentInput, register_resident, update_resident
from db.testing import check_away, save_with_testing_fields
from db.validate import Invalid, check_id, check_phone
from tui.dialogs.form import why_not_saved
from tui.markup import escape


class ResidentForm(ModalScreen[int | None]):
    """Returns the saved resident's id, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存"),
        Binding("escape", "cancel", "取消"),
    ]

    def __init__(
        self,
        resident: Resident | None = None,
        household: Household | None = None,
        area: Area | None = None,
    ) -> None:
        super().__init__()
        self.resident = resident
        self.household = household
        self.area = area

    def compose(self) -> ComposeResult:
        r = self.resident
        title = f"编辑居民：{r.name}" if r else "新增居民"
        if self.household is not None and r is None:
            title += f"（加入户 {self.household.number or self.household.address}）"
        with Vertical(id="dialog", classes="form"):
            yield Label(f"[b]{escape(title)}[/b]")
            yield from self._row("姓名", Input(r.name if r else "", id="f-name"))
            yield from self._row("身份证号码", Input(r.id_number if r else "", id="f-id",
                                                max_length=24))
            yield Static("", id="f-id-info", classes="hint")
            yield from self._row("联系电话", Input(r.phone if r else "", id="f-phone"))
            yield from self._row("与户主关系", Input(r.relation if r else "", id="f-relation",
                                                placeholder="户主/配偶/子/女/父亲/母亲…"))
            with Horizontal(classes="field"):  # two choices on one row: the form fits 120×40
                yield Label("人员类别/状态", classes="field-label")
                yield Select([(k, k) for k in RESIDENCE_KINDS], value=r.kind if r else "常住",
                             allow_blank=False, id="f-kind")
                yield Select([(k, k) for k in RESIDENT_STATUSES], value=r.status if r else "在册",
                             allow_blank=False, id="f-status")
            if r is None and self.household is None:
                yield from self._row("住址（新建一户）", Input("", id="f-address",
                                                         placeholder="小区/村民组 楼栋 单元 门牌号"))
                yield from self._row("户号（可空）", Input("", id="f-number"))
            with Horizontal(classes="field"):
                yield Label("外出/返回/行动不便", classes="field-label")
                yield Input(f"{r.away_from:%Y-%m-%d}" if r and r.away_from else "",
                            id="f-away-from", placeholder="外出日期")
                yield Input(f"{r.away_to:%Y-%m-%d}" if r and r.away_to else "",
                            id="f-away-to", placeholder="返回日期（空=未回）")
                yield Select([("—", "否"), ("行动不便", "是")],
                             value="是" if r and r.immobile else "否", allow_blank=False,
                             id="f-immobile")
            yield from self._row("备注", Input(r.notes if r else "", id="f-notes"))
            yield Static("", id="f-error", classes="error")
            yield Label("Ctrl+S 保存　Esc 取消　Enter 下一项", classes="hint")

    @staticmethod
    def _row(label: str, widget: Input | Select) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(label, classes="field-label")
            yield widget

    def on_mount(self) -> None:
        self.query_one("#f-name", Input).focus()
        if self.resident:
            self._show_id(self.resident.id_number)

    def _show_id(self, value: str) -> None:
        info = self.query_one("#f-id-info", Static)
        if not value.strip():
            info.update("")
            return
        try:
            facts = check_id(value)
        except Invalid as exc:
            info.update(f"[red]{escape(str(exc))}[/red]")
            return
        extra = "；".join(facts.warnings)
        info.update(f"[green]性别：{facts.sex}　出生日期：{facts.birth_date:%Y-%m-%d}[/green]"
                    + (f"　[yellow]{escape(extra)}[/yellow]" if extra else ""))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "f-id":
            self._show_id(event.value)
        elif event.input.id == "f-phone":
            error = self.query_one("#f-error", Static)
            try:
                if event.value.strip():
                    check_phone(event.value)
                error.update("")
            except Invalid as exc:
                error.update(escape(str(exc)))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.focus_next()

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def action_save(self) -> None:
        data = ResidentInput(
            name=self._value("#f-name"),
            id_number=self._value("#f-id"),
            phone=self._value("#f-phone"),
            relation=self._value("#f-relation"),
            kind=str(self.query_one("#f-kind", Select).value),
            status=str(self.query_one("#f-status", Select).value),
            notes=self._value("#f-notes"),
        )
        try:
            away = check_away(self._value("#f-away-from"), self._value("#f-away-to"))
            immobile = self.query_one("#f-immobile", Select).value == "是"
            saved = save_with_testing_fields(lambda: self._save(data), away, immobile)
        except Exception as exc:
            self.query_one("#f-error", Static).update(escape(why_not_saved(exc)))
            return
        self.dismiss(saved.id)

    def _save(self, data: ResidentInput) -> Resident:
        if self.resident is not None:
            return update_resident(self.resident.id, data)
        if self.household is not None:
            return register_resident(data, self.household)
        return register_resident(data, address=self._value("#f-address"),
                                 number=self._value("#f-number"), area=self.area)

    def action_cancel(self) -> None:
        self.dismiss(None)
