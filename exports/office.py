"""The office's own lines on every sheet, from settings: unit, sign-off and file names."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from db.settings import get_setting, township
from exports.sheet import cn_date


def unit_line() -> str:
    """填报单位：店埠镇人民政府（盖章）"""
    name = township()
    body = name if name.endswith(("政府", "办事处")) else (
        f"{name}办事处" if name.endswith("街道") else f"{name}人民政府")
    return f"填报单位：{body}（盖章）"


def date_line(day: dt.date, label: str = "填报日期") -> str:
    return f"{label}：{cn_date(day)}"


def signoff() -> str:
    """填报人：王华　　审核人：韩翔宇　　联系电话：0631-5213515 (审核人 only when set)."""
    parts = [f"填报人：{get_setting('preparer')}"]
    if get_setting("checker"):
        parts.append(f"审核人：{get_setting('checker')}")
    parts.append(f"联系电话：{get_setting('phone')}")
    return "　　".join(parts)


def export_folder() -> Path:
    """The export folder from settings, else 文档/eprc导出."""
    from platformdirs import user_documents_path

    configured = get_setting("export_dir")
    return Path(configured).expanduser() if configured else user_documents_path() / "eprc导出"


def report_filename(report: str, period: str) -> str:
    """店埠镇_居民信息登记表_2022-04-11.xlsx, safe on Windows."""
    name = f"{township()}_{report}_{period}.xlsx"
    return re.sub(r'[\\/:*?"<>|]', "_", name)
