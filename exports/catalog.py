"""Every export the app has, in one list for the report centre: what each needs (a date, a
period), whether it carries full ID numbers, and how it is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from exports.office import export_folder, report_filename

if TYPE_CHECKING:
    from db.models import Area, Checkpoint


@dataclass(frozen=True)
class Options:
    day: dt.date
    start: dt.date
    end: dt.date
    scope: str = ""  # an area's or a checkpoint's name, for exports that can be narrowed


@dataclass(frozen=True)
class Export:
    key: str
    title: str
    needs: str  # "day" or "period"
    full_ids: bool  # carries full ID numbers and phones (for superiors only)
    write: Callable[[Path, Options], str]  # returns a one-line summary
    scope: str = ""  # a key of SCOPES: the export can be narrowed to one area or checkpoint

    @property
    def scope_label(self) -> str:
        return SCOPES[self.scope][0]

    def check_scope(self, name: str) -> None:
        """Refuse an unknown area or checkpoint name (Invalid), before anything is written."""
        SCOPES[self.scope][1](name)

    def file_name(self, options: Options) -> str:
        if self.needs == "period":
            period = f"{options.start:%Y-%m-%d}至{options.end:%m-%d}"
        else:
            period = f"{options.day:%Y-%m-%d}"
        return report_filename(f"{options.scope}{self.title}", period)

    def default_path(self, options: Options) -> Path:
        return export_folder() / self.file_name(options)


def _find_area(name: str) -> Area:
    from db.areas import find_area

    return find_area(name)


def _find_checkpoint(name: str) -> Checkpoint:
    from db.roster import find_checkpoint

    return find_checkpoint(name)


# what an export can be narrowed to: the form's label, and the lookup of a name
SCOPES: dict[str, tuple[str, Callable[[str], object]]] = {
    "area": ("范围（社区/小区/网格名称）", _find_area),
    "checkpoint": ("卡口名称", _find_checkpoint),
}


def _daily(path: Path, o: Options) -> str:
    from exports.daily import export_daily

    report = export_daily(path, o.day)
    return f"日报已导出并定稿{'（更正）' if report.correction else ''}"


def _residents(path: Path, o: Options) -> str:
    from exports.residents import export_register

    return f"{export_register(path, _find_area(o.scope) if o.scope else None, o.day)} 人"


def _ledger(kind: str | None) -> Callable[[Path, Options], str]:
    def write(path: Path, o: Options) -> str:
        from exports.keypersons import export_ledger

        return f"{export_ledger(path, o.day, kind)} 条"

    return write


def _ledger_print(kind: str | None) -> Callable[[Path, Options], str]:
    def write(path: Path, o: Options) -> str:
        from exports.keypersons import export_ledger_print

        return f"{export_ledger_print(path, o.day, kind)} 条"

    return write


def _temperatures(path: Path, o: Options) -> str:
    from exports.keypersons import export_temperatures

    return f"{export_temperatures(path, o.start, o.end)} 人"


def _notices(path: Path, o: Options) -> str:
    from exports.keypersons import export_notices

    return f"{export_notices(path, o.day)} 户"


def _feedback(path: Path, o: Options) -> str:
    from db.pushed import batches
    from exports.pushed import export_feedback

    found = batches()
    if not found:
        from db.validate import Invalid

        raise Invalid("还没有导入任何推送名单")
    done, total = export_feedback(found[0].id, path)
    return f"第{found[0].id}批，已核查 {done}/{total}"


def _donations(path: Path, o: Options) -> str:
    from exports.donations import export_ledger

    rows, money, goods = export_ledger(path, o.start, o.end)
    return f"{rows} 行，捐款 {money:,.2f} 元，物资折价 {goods:,.2f} 元"


def _distributions(path: Path, o: Options) -> str:
    from exports.donations import export_distributions

    return f"{export_distributions(path, o.start, o.end)} 条"


def _notice(path: Path, o: Options) -> str:
    from exports.donations import export_notice

    export_notice(path, None, o.end)
    return "公示已导出（个人姓名已隐去）"


def _roster(path: Path, o: Options) -> str:
    from exports.roster import export_roster

    checkpoint = _find_checkpoint(o.scope).id if o.scope else None
    return f"{export_roster(path, o.start, o.end, checkpoint)} 个卡口"


def _volunteers(path: Path, o: Options) -> str:
    from exports.roster import export_volunteers

    return f"{export_volunteers(path, o.day)} 名志愿者"


def _audit(path: Path, o: Options) -> str:
    from exports.audit import export_audit

    return f"{export_audit(path, o.start, o.end)} 条操作记录"


def _requests(path: Path, o: Options) -> str:
    from exports.requests import export_requests

    return f"{export_requests(path, o.start, o.end)} 件求助"


def _delivery_lists(path: Path, o: Options) -> str:
    from exports.requests import export_delivery_lists

    return f"{export_delivery_lists(path, o.day)} 件求助"


EXPORTS: list[Export] = [
    Export("daily", "疫情防控工作日报", "day", False, _daily),
    Export("residents", "居民信息登记表", "day", True, _residents, scope="area"),
    Export("ledger", "重点人员管控台账", "day", True, _ledger(None)),
    Export("ledger_print", "重点人员管控台账（打印版）", "day", True, _ledger_print(None)),
    Export("home", "居家隔离人员台账", "day", True, _ledger("居家隔离")),
    Export("home_print", "居家隔离人员台账（打印版）", "day", True, _ledger_print("居家隔离")),
    Export("monitor", "居家健康监测人员台账", "day", True, _ledger("居家健康监测")),
    Export("monitor_print", "居家健康监测人员台账（打印版）", "day", True,
           _ledger_print("居家健康监测")),
    Export("temperatures", "体温监测登记表", "period", False, _temperatures),
    Export("notices", "居家隔离告知书", "day", False, _notices),
    Export("feedback", "推送核查反馈表", "day", True, _feedback),
    Export("roster", "卡口值守排班表", "period", False, _roster, scope="checkpoint"),
    Export("volunteers", "志愿者花名册", "day", True, _volunteers),
    Export("donations", "捐赠款物登记台账", "period", False, _donations),
    Export("distributions", "物资发放登记表", "period", False, _distributions),
    Export("notice", "捐赠公示", "period", False, _notice),
    Export("audit", "操作记录（审计日志）", "period", True, _audit),
    # callback phones in full (the volunteer must call), never an ID number
    Export("requests", "居民求助登记台账", "period", True, _requests),
    Export("delivery_lists", "志愿者配送清单", "day", True, _delivery_lists),
]
