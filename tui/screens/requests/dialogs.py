"""The desk's two dialogs: taking a call (phone to saved in seconds) and sending it (派单, the
suggested volunteers first)."""

from __future__ import annotations

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from db import requests as rq
from db.models import HelpRequest
from db.roster import find_staff
from db.validate import Invalid
from tui.dialogs.form import FieldKeys, FormScreen, why_not_saved
from tui.keys import after_typed
from tui.markup import escape

URGENCY = {"": None, "是": True, "紧急": True, "否": False, "一般": False}


class TakeRequestDialog(FormScreen):
    """Phone to saved in seconds: type what the caller gives (name, initials, phone, address or
    pass card) and Enter; Enter picks the household; then needs as digits, and Enter on from
    field to field; Enter on the callback phone goes to 保存 and a second Enter (or Ctrl+S from
    anywhere) saves. The keys are the shared form's: what is typed right after an Enter lands
    in the field that Enter moved to, the search's too (it waits for the search to choose)."""

    DEFAULT_CSS = """
    TakeRequestDialog #rq-hits { max-height: 5; margin-left: 10; }
    """
    FIELDS = (("name", "求助人", ""), ("address", "送达地址", "查不到居民时直接填写"),
              ("needs", "需求", rq.needs_hint()), ("details", "具体需要", "如 降压药 硝苯地平 一盒"),
              ("urgent", "紧急", "空：药品/就医为紧急；或填 是/否"), ("caller", "来电人", "空：求助人本人"),
              ("phone", "回拨电话", "Enter 到保存"))

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[rq.HouseholdHit] = []
        self.chosen: rq.HouseholdHit | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="form request-form"):
            yield Label("[b]新求助（来电登记）[/b]")
            with self.body():
                with Horizontal(classes="field"):
                    yield Label("查找居民", classes="field-label")
                    yield Input(placeholder="姓名/拼音首字母/电话/地址/出入卡号，Enter 查找",
                                id="rq-find")
                yield OptionList(id="rq-hits", compact=True)
                for key, label, hint in self.FIELDS:
                    with Horizontal(classes="field"):
                        yield Label(label, classes="field-label")
                        yield Input(placeholder=hint, id=f"rq-{key}")
            yield from self.foot()

    def on_mount(self) -> None:
        self.query_one("#rq-hits", OptionList).display = False
        super().on_mount()

    def _value(self, key: str) -> str:
        return self.query_one(f"#rq-{key}", Input).value.strip()

    def action_enter(self) -> None:
        find = self.query_one("#rq-find", Input)
        hits = self.query_one("#rq-hits", OptionList)
        if self.focused is find:
            after_typed(find, lambda: self._find(find.value))
        elif self.focused is hits:
            after_typed(hits, self._choose_highlighted)
        else:
            super().action_enter()

    def _choose_highlighted(self) -> None:
        hits = self.query_one("#rq-hits", OptionList)
        if hits.highlighted is not None and hits.highlighted < len(self.hits):
            hits.display = False
            self._choose(self.hits[hits.highlighted])

    def _find(self, text: str) -> None:
        self.hits = rq.find_households(text) if text.strip() else []
        hits = self.query_one("#rq-hits", OptionList)
        hits.clear_options()
        if not self.hits:
            hits.display = False
            self.show_error("没有找到，换个写法查找，或直接填写求助人和送达地址")
            self.set_focus(self.query_one("#rq-name", Input))
            return
        self.show_error("")
        if len(self.hits) == 1:
            hits.display = False
            self._choose(self.hits[0])
            return
        hits.add_options(Option(Text(f"{h.name}　{h.phone}　{h.address}"
                                     + ("　[管控户]" if h.under_measures else "")))
                         for h in self.hits)
        hits.display = True
        hits.highlighted = 0
        self.set_focus(hits)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#rq-hits", OptionList).display = False
        self._choose(self.hits[event.option_index])

    def _choose(self, hit: rq.HouseholdHit) -> None:
        self.chosen = hit
        self.query_one("#rq-name", Input).value = hit.name
        self.query_one("#rq-address", Input).value = hit.address
        self.query_one("#rq-phone", Input).value = hit.phone
        self.show_error("该户有管控人员（送物放门口，不进门）" if hit.under_measures else "")
        self.set_focus(self.query_one("#rq-needs", Input))

    def submit_form(self) -> HelpRequest:
        urgent = self._value("urgent")
        if urgent not in URGENCY:
            raise Invalid("紧急一栏请填 是 或 否（空：药品、就医为紧急）")
        hit = self.chosen
        same_place = hit is not None and self._value("address") == hit.address
        return rq.take_request(rq.RequestInput(
            self._value("needs"), self._value("details"),
            hit.household_id if same_place and hit else None,
            hit.resident_id if same_place and hit else None, URGENCY[urgent],
            self._value("caller"), self._value("phone"), self._value("name"),
            self._value("address")))


class AssignDialog(FieldKeys, ModalScreen[HelpRequest | None]):
    """派单: suggested volunteers first (free, of a delivery team, of the household's
    community, least loaded), then whole delivery teams; anyone else by name, pinyin initials
    or phone. Enter sends. Not a form, but its keys are the forms': Enter and Tab are priority
    keys, so a name typed right after Tab lands in 其他人员, and what is typed after Enter waits
    for the search (or the sending) it asked for. The error line and the keys stay docked."""

    BINDINGS = [Binding("escape", "cancel", "取消"), *FieldKeys.FIELD_KEYS]
    DEFAULT_CSS = """
    AssignDialog #rq-assign { height: auto; max-height: 10; }
    """
    HINT = "Enter 派单　Tab 查找其他人员　Esc 取消"

    def __init__(self, request_id: int) -> None:
        super().__init__()
        self.request = rq.request_row(request_id)
        self.people = rq.suggest_volunteers(request_id)
        self.teams = rq.delivery_teams()

    def compose(self) -> ComposeResult:
        r = self.request
        with Vertical(id="dialog", classes="form request-form"):
            yield Label(f"[b]派单：第{r.id}号 {escape(r.name)} {escape(r.needs)}[/b]")
            with VerticalScroll(classes="form-body"):
                yield Static(f"{escape(r.address)}", classes="hint")
                yield OptionList(*self._suggested(), id="rq-assign")
                with Horizontal(classes="field"):
                    yield Label("其他人员", classes="field-label")
                    yield Input(placeholder="姓名/拼音首字母/电话，Enter 查找", id="rq-who")
            with Vertical(classes="form-foot"):
                yield Static("" if self.people else
                             "没有可派的志愿者（同社区、配送服务队、2小时内不值守）；"
                             "可派给整队或查找其他人员",
                             id="form-error", classes="error", markup=False)
                with Horizontal(classes="form-keys"):
                    yield Label(self.HINT, classes="hint")

    def _suggested(self) -> list[Option]:
        options = [Option(Text(f"{s.name}　{s.phone}　{s.team}　在办{s.open_requests}件"
                               f"　今日送达{s.delivered_today}件"), id=f"s{s.staff_id}")
                   for s in self.people]
        return options + [Option(Text(f"整队：{t.name}"), id=f"t{t.id}") for t in self.teams]

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0 if options.option_count else None
        self.set_focus(options)

    def show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(message)

    def action_enter(self) -> None:
        who = self.query_one("#rq-who", Input)
        options = self.query_one(OptionList)
        if self.focused is who:
            after_typed(who, lambda: self._search(who.value))
        elif self.focused is options:
            after_typed(options, self._send_highlighted)
        else:
            raise SkipAction

    def _search(self, text: str) -> None:
        found = find_staff(text)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Text(f"{s.name}　{s.phone}　{s.team.name if s.team else ''}"),
                                    id=f"s{s.id}") for s in found] or self._suggested())
        self.show_error("" if found else "没有找到在岗人员")
        options.highlighted = 0 if options.option_count else None
        self.set_focus(options)

    def _send_highlighted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._send(options.get_option_at_index(options.highlighted).id or "")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._send(event.option.id or "")

    def _send(self, key: str) -> None:
        try:
            if key.startswith("s"):
                sent = rq.assign(self.request.id, int(key[1:]))
            else:
                sent = rq.assign(self.request.id, None, int(key[1:]))
        except Exception as exc:
            self.show_error(why_not_saved(exc))
            return
        self.dismiss(sent)

    def action_cancel(self) -> None:
        self.dismiss(None)
