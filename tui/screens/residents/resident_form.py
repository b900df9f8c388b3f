"""The add/edit resident form: validates as you type and fills sex and birth date from the ID."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from db.models import RESIDENCE_KINDS, RESIDENT_STATUSES, Area, Household, Resident
from db.residents import ResidentInput, register_resident, update_resident
from db.testing import check_away, save_with_testing_fields
from db.validate import Invalid, check_id, check_phone
from tui.dialogs.form import FormScreen
from tui.markup import escape


class ResidentForm(FormScreen):
    """Returns the saved resident's id, or None when cancelled."""

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
            with self.body():
                yield from self._row("姓名", Input(r.name if r else "", id="f-name"))
                yield from self._row("身份证号码", Input(r.id_number if r else "", id="f-id",
                                                    max_length=24))
                yield Static("", id="f-id-info", classes="hint")
                yield from self._row("联系电话", Input(r.phone if r else "", id="f-phone"))
                yield from self._row("与户主关系", Input(r.relation if r else "", id="f-relation",
                                                    placeholder="户主/配偶/子/女/父亲/母亲…"))
                yield from self._row("人员类别", Select([(k, k) for k in RESIDENCE_KINDS],
                                                    value=r.kind if r else "常住",
                                                    allow_blank=False, id="f-kind"))
                yield from self._row("状态", Select([(k, k) for k in RESIDENT_STATUSES],
                                                  value=r.status if r else "在册",
                                                  allow_blank=False, id="f-status"))
                if r is None and self.household is None:
                    yield from self._row("住址（新建一户）", Input("", id="f-address",
                                                             placeholder="小区/村民组 楼栋 单元 门牌号"))
                    yield from self._row("户号（可空）", Input("", id="f-number"))
                yield from self._row("外出日期", Input(
                    f"{r.away_from:%Y-%m-%d}" if r and r.away_from else "", id="f-away-from",
                    placeholder="空=未外出"))
                yield from self._row("返回日期", Input(
                    f"{r.away_to:%Y-%m-%d}" if r and r.away_to else "", id="f-away-to",
                    placeholder="空=未回"))
                yield from self._row("行动不便", Select(
                    [("否", "否"), ("是（上门采样）", "是")], value="是" if r and r.immobile else "否",
                    allow_blank=False, id="f-immobile"))
                yield from self._row("备注", Input(r.notes if r else "", id="f-notes"))
            yield from self.foot()

    @staticmethod
    def _row(label: str, widget: Input | Select) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(label, classes="field-label")
            yield widget

    def on_mount(self) -> None:
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
            try:
                if event.value.strip():
                    check_phone(event.value)
                self.show_error("")
            except Invalid as exc:
                self.show_error(str(exc))

    def _value(self, selector: str) -> str:
        return self.query_one(selector, Input).value

    def submit_form(self) -> int:
        data = ResidentInput(
            name=self._value("#f-name"),
            id_number=self._value("#f-id"),
            phone=self._value("#f-phone"),
            relation=self._value("#f-relation"),
            kind=str(self.query_one("#f-kind", Select).value),
            status=str(self.query_one("#f-status", Select).value),
            notes=self._value("#f-notes"),
        )
        away = check_away(self._value("#f-away-from"), self._value("#f-away-to"))
        immobile = self.query_one("#f-immobile", Select).value == "是"
        return save_with_testing_fields(lambda: self._save(data), away, immobile).id

    def _save(self, data: ResidentInput) -> Resident:
        if self.resident is not None:
            return update_resident(self.resident.id, data)
        if self.household is not None:
            return register_resident(data, self.household)
        return register_resident(data, address=self._value("#f-address"),
                                 number=self._value("#f-number"), area=self.area)
