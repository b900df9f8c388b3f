"""首页: the township's headline counts, straight from the file."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Sparkline, Static

from db.dashboard import dashboard_counts
from db.report import report_reminder, trend
from db.settings import get_setting, township

CARDS = (
    ("residents", "居民（人）"),
    ("households", "户数"),
    ("key_persons_under_control", "在管重点人员"),
    ("checkpoints", "在岗卡口"),
    ("staff", "值守人员"),
    ("volunteers", "志愿者"),
    ("donations", "捐赠（笔）"),
    ("donated_money", "捐款（元）"),
    ("gate_refused_today", "今日卡口劝返"),
)
TRENDS = (("under_control", "在管"), ("new", "新增"), ("released", "解除"))
ALERTS = (
    ("fever_today", "今日发热预警"),
    ("overdue", "逾期未解除"),
    ("due_release", "今明到期"),
    ("pushed_open", "推送待核查"),
)


class Card(Static):
    """One headline number with its label."""

    def __init__(self, key: str, label: str) -> None:
        super().__init__(id=f"card-{key}", classes="card")
        self.label = label

    def show(self, value: int | float) -> None:
        text = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
        self.update(f"[b]{text}[/b]  {self.label}")


class DashboardScreen(Screen):
    TITLE = "首页"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="dashboard"):
            yield Static(id="township-title")
            yield Static(id="reminder")
            with Grid(id="alerts"):
                for key, label in ALERTS:
                    yield Card(key, label)
            with Grid(id="cards"):
                for key, label in CARDS:
                    yield Card(key, label)
            with Horizontal(id="trend"):
                for key, label in TRENDS:
                    with Vertical(classes="trend"):
                        yield Static(label, id=f"trend-label-{key}")
                        yield Sparkline([], id=f"trend-{key}")
        yield Footer()

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    def refresh_counts(self) -> None:
        counts = dashboard_counts()
        name = township()
        preparer = get_setting("preparer")
        self.query_one("#township-title", Static).update(
            f"[b]{name}疫情防控工作台[/b]" + (f"    填报人：{preparer}" if preparer else "")
        )
        for key, _label in CARDS + ALERTS:
            self.query_one(f"#card-{key}", Card).show(getattr(counts, key))
        for key, _label in ALERTS:
            self.query_one(f"#card-{key}", Card).set_class(getattr(counts, key) > 0, "alert")
        reminder = report_reminder(dt.datetime.now())
        self.query_one("#reminder", Static).update(
            f"[b red]{reminder}[/b red]（F7 报表中心）" if reminder else "[green]今日日报已报送[/green]")
        series = trend(dt.date.today())
        for key, label in TRENDS:
            values = series[key]
            self.query_one(f"#trend-{key}", Sparkline).data = values
            self.query_one(f"#trend-label-{key}", Static).update(
                f"近14天{label}：今日 {values[-1]}，最高 {max(values)}")
