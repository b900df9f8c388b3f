"""The desk's two dialogs: taking a call (phone to saved in seconds) and sending it (派单, the
suggested volunteers first)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from db import requests as rq
from db.models import HelpRequest
from db.roster import find_staff
from db.validate import Invalid
from tui.dialogs.form import why_not_saved
from tui.markup import escape

URGENCY = {"": None, "是": True, "紧急": True, "否": False, "一般": False}


class TakeRequestDialog(ModalScreen[HelpRequest | None]):
    """Phone to saved in seconds: type what the caller gives (name, initials, phone, address or
    pass card) and Enter; Enter picks the household; then needs as digits, and Enter on to the
    callback phone, where Enter saves (Ctrl+S saves from anywhere)."""

    BINDINGS = [Binding("ctrl+s", "save", "保存"), Binding("escape", "cancel", "取消")]
    DEFAULT_CSS = """
    TakeRequestDialog .rq-row { height: 1; }
    TakeRequestDialog .rq-label { width: 10; }
    TakeRequestDialog .rq-row Input { width: 1fr; }
    TakeRequestDialog #rq-hits { max-height: 5; margin-left: 10; }
    TakeRequestDialog #rq-error { height: auto; }
    """
    FIELDS = (("name", "求助人", ""), ("address", "送达地址", "查不到居民时直接填写"),
              ("needs", "需求", rq.needs_hint()), ("details", "具体需要", "如 降压药 硝苯地平 一盒"),
              ("urgent", "紧急", "空：药品/就医为紧急；或填 是/否"), ("caller", "来电人", "空：求助人本人"),
              ("phone", "回拨电话", "Enter 保存"))

    def __init__(self) -> None:
        super().__init__()
        self.hits: list[rq.HouseholdHit] = []
        self.chosen: rq.HouseholdHit | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="request-form"):
            yield Label("[b]新求助（来电登记）[/b]")
            with Horizontal(classes="rq-row"):
                yield Label("查找居民", classes="rq-label")
                yield Input(placeholder="姓名/拼音首字母/电话/地址/出入卡号，Enter 查找",
                            id="rq-find", compact=True)
            yield OptionList(id="rq-hits", compact=True)
            for key, label, hint in self.FIELDS:
                with Horizontal(classes="rq-row"):
                    yield Label(label, classes="rq-label")
                    yield Input(placeholder=hint, id=f"rq-{key}", compact=True)
            yield Static("", id="rq-error", classes="error", markup=False)
            yield Label("Enter 下一项　Ctrl+S 保存　Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#rq-hits", OptionList).display = False
        self.query_one("#rq-find", Input).focus()

    def _value(self, key: str) -> str:
        return self.query_one(f"#rq-{key}", Input).value.strip()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "rq-find":
            self._find(event.value)
        elif event.input.id == "rq-phone":
            self.action_save()
        else:
            self.focus_next()

    def _find(self, text: str) -> None:
        error = self.query_one("#rq-error", Static)
        self.hits = rq.find_households(text) if text.strip() else []
        hits = self.query_one("#rq-hits", OptionList)
        hits.clear_options()
        if not self.hits:
            hits.display = False
            error.update("没有找到，换个写法查找，或直接填写求助人和送达地址")
            self.query_one("#rq-name", Input).focus()
            return
        error.update("")
        if len(self.hits) == 1:
            hits.display = False
            self._choose(self.hits[0])
            return
        hits.add_options(Option(Text(f"{h.name}　{h.phone}　{h.address}"
                                     + ("　[管控户]" if h.under_measures else "")))
                         for h in self.hits)
        hits.display = True
        hits.highlighted = 0
        hits.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#rq-hits", OptionList).display = False
        self._choose(self.hits[event.option_index])

    def _choose(self, hit: rq.HouseholdHit) -> None:
        self.chosen = hit
        self.query_one("#rq-name", Input).value = hit.name
        self.query_one("#rq-address", Input).value = hit.address
        self.query_one("#rq-phone", Input).value = hit.phone
        self.query_one("#rq-error", Static).update(
            "该户有管控人员（送物放门口，不进门）" if hit.under_measures else "")
        self.query_one("#rq-needs", Input).focus()

    def action_save(self) -> None:
        urgent = self._value("urgent")
        try:
            if urgent not in URGENCY:
                raise Invalid("紧急一栏请填 是 或 否（空：药品、就医为紧急）")
            hit = self.chosen
            same_place = hit is not None and self._value("address") == hit.address
            request = rq.take_request(rq.RequestInput(
                self._value("needs"), self._value("details"),
                hit.household_id if same_place and hit else None,
                hit.resident_id if same_place and hit else None, URGENCY[urgent],
                self._value("caller"), self._value("phone"), self._value("name"),
                self._value("address")))
        except Exception as exc:
            self.query_one("#rq-error", Static).update(why_not_saved(exc))
            return
        self.dismiss(request)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AssignDialog(ModalScreen[HelpRequest | None]):
    """派单: suggested volunteers first (free, of a delivery team, of the household's
    community, least loaded), then whole delivery teams; anyone else by name, pinyin initials
    or phone. Enter sends."""

    BINDINGS = [Binding("escape", "cancel", "取消")]
    DEFAULT_CSS = """
    AssignDialog .rq-row { height: 1; }
    AssignDialog .rq-label { width: 10; }
    AssignDialog #rq-assign { max-height: 10; }
    """

    def __init__(self, request_id: int) -> None:
        super().__init__()
        self.request = rq.request_row(request_id)
        self.people = rq.suggest_volunteers(request_id)
        self.teams = rq.delivery_teams()

    def compose(self) -> ComposeResult:
        r = self.request
        with Vertical(id="dialog"):
            yield Label(f"[b]派单：第{r.id}号 {escape(r.name)} {escape(r.needs)}[/b]")
            yield Static(f"{escape(r.address)}", classes="hint")
            yield OptionList(*self._suggested(), id="rq-assign")
            with Horizontal(classes="rq-row"):
                yield Label("其他人员", classes="rq-label")
                yield Input(placeholder="姓名/拼音首字母/电话，Enter 查找", id="rq-who",
                            compact=True)
            yield Static("" if self.people else
                         "没有可派的志愿者（同社区、配送服务队、2小时内不值守）；可派给整队或查找其他人员",
                         id="rq-error", classes="error", markup=False)
            yield Label("Enter 派单　Tab 查找其他人员　Esc 取消", classes="hint")

    def _suggested(self) -> list[Option]:
        options = [Option(Text(f"{s.name}　{s.phone}　{s.team}　在办{s.open_requests}件"
                               f"　今日送达{s.delivered_today}件"), id=f"s{s.staff_id}")
                   for s in self.people]
        return options + [Option(Text(f"整队：{t.name}"), id=f"t{t.id}") for t in self.teams]

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0 if options.option_count else None
        options.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        found = find_staff(event.value)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Text(f"{s.name}　{s.phone}　{s.team.name if s.team else ''}"),
                                    id=f"s{s.id}") for s in found] or self._suggested())
        self.query_one("#rq-error", Static).update("" if found else "没有找到在岗人员")
        options.highlighted = 0 if options.option_count else None
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id or ""
        try:
            if key.startswith("s"):
                sent = rq.assign(self.request.id, int(key[1:]))
            else:
                sent = rq.assign(self.request.id, None, int(key[1:]))
        except Exception as exc:
            self.query_one("#rq-error", Static).update(why_not_saved(exc))
            return
        self.dismiss(sent)

    def action_cancel(self) -> None:
        self.dismiss(None)
