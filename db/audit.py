"""The audit log: who changed what, when, with the row before and after (JSON)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from db.models import AuditLog, current_user, log_change

__all__ = ["audit_rows", "current_user", "describe", "log_change", "log_export"]


def log_export(path: Path, report: str, scope: str) -> None:
    """An export that carries full ID numbers: which report, for which scope, to which file."""
    log_change("导出", "export", None, None, {"报表": report, "范围": scope, "文件": str(path)})


def audit_rows(start: dt.date | None = None, end: dt.date | None = None,
               limit: int = 100_000) -> list[AuditLog]:
    """Logged changes in a period (newest first)."""
    query = AuditLog.select().order_by(AuditLog.id.desc()).limit(limit)
    if start:
        query = query.where(AuditLog.at >= dt.datetime.combine(start, dt.time()))
    if end:
        query = query.where(AuditLog.at < dt.datetime.combine(end + dt.timedelta(days=1),
                                                             dt.time()))
    return list(query)


def describe(entry: AuditLog) -> str:
    """What changed, in one line: the fields that differ (or the whole row)."""
    before = json.loads(entry.before) if entry.before else {}
    after = json.loads(entry.after) if entry.after else {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return str(after or before)[:200]
    if before and after:
        changed = [f"{k}：{before.get(k)}→{after.get(k)}" for k in after
                   if before.get(k) != after.get(k) and k != "updated_at"]
        return "；".join(changed)[:300]
    row = after or before
    return "；".join(f"{k}={v}" for k, v in row.items() if v not in (None, ""))[:300]
