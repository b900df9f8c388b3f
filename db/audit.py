"""The audit log: who changed what, when, with the row before and after (JSON)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from peewee import Model

from db.models import AuditLog

UNSET = "未设置"  # the operator when neither 操作人 nor 填报人 is set


def current_user() -> str:
    """The operator's name for the log (操作人): the ``operator`` setting, else the 填报人, else
    未设置 — never the computer's login, which names a machine, not a clerk."""
    from db.settings import get_setting

    return get_setting("operator") or get_setting("preparer") or UNSET


def _dump(row: dict[str, Any] | None) -> str | None:
    return None if row is None else json.dumps(row, ensure_ascii=False, default=str)


def log_change(
    action: str,
    model: type[Model] | str,
    row_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Append one entry to the audit log (inside the caller's transaction)."""
    table = model if isinstance(model, str) else model._meta.table_name
    AuditLog.insert(
        at=dt.datetime.now(),
        who=current_user(),
        action=action,
        table=table,
        row_id=row_id,
        before=_dump(before),
        after=_dump(after),
    ).execute()



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
