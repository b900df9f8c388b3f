"""The catalog's sheets on screen: the form a sheet asks (one field per parameter it declares),
and the file dialog that writes it. The report centre and every section's ``x`` key use these,
so a sheet's title, checks and summary sentence live only in exports/catalog.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from textual.screen import Screen

from exports.catalog import SHEET, Param, Sheet
from tui.dialogs.file_job import FileJobDialog, JobResult, Progress
from tui.dialogs.form import Field, FormDialog

ALL = "全部"


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def form_fields(sheet: Sheet, given: Mapping[str, Any] | None = None) -> list[Field]:
    """One field per parameter the sheet takes in a form, filled with ``given`` or its default."""
    return _fields(sheet.form_params(), given)


def _fields(params: list[Param], given: Mapping[str, Any] | None) -> list[Field]:
    fields = []
    for p in params:
        value = (given or {}).get(p.key, p.initial())
        if p.type == "choice":
            fields.append(Field(p.key, p.label, value or ALL, options=(ALL, *p.choices)))
        elif p.type == "flag":
            fields.append(Field(p.key, p.label, "是" if value else "否", options=("否", "是")))
        else:
            fields.append(Field(p.key, p.label, _text(value), placeholder=p.blank))
    return fields


def _parse(param: Param, text: str) -> Any:
    return None if text == ALL else param.parse(text)


def read_form(sheet: Sheet, form: Mapping[str, str]) -> tuple[dict[str, Any], Path]:
    """The sheet's values from the filled form, checked (Invalid), and the file to write (its
    name carries the area or checkpoint it was narrowed to)."""
    given = {p.key: _parse(p, form.get(p.key, "")) for p in sheet.form_params()}
    values = sheet.prepare(given)
    scope = "".join(str(given[p.key]) for p in sheet.form_params()
                    if p.resolve is not None and p.type == "text" and given[p.key])
    return given, sheet.default_path(values, scope)


def export_job(screen: Screen, key: str, given: Mapping[str, Any], path: Path | None = None,
               scope: str = "", extra: Callable[[Path], str] | None = None) -> None:
    """Write catalog sheet ``key`` with ``given`` through the file dialog (path editable; the
    default name carries ``scope``); ``extra(path)`` may add a detail line (printing it)."""
    sheet = SHEET[key]
    target = path or sheet.default_path(sheet.prepare(given), scope)

    def job(out: Path, _dry: bool, progress: Progress) -> JobResult:
        summary = sheet.write(out, given, progress)
        details = [f"文件：{out}"]
        if extra is not None:
            details.append(extra(out))
        return JobResult(summary, details)

    screen.app.push_screen(FileJobDialog(f"导出{sheet.title}", job, path=str(target)))


def choose_export(screen: Screen, title: str, keys: list[str], given: Mapping[str, Any],
                  ask: tuple[str, ...] = ()) -> None:
    """Ask which of a section's sheets to export (and the ``ask`` parameters), then write it
    with ``given`` and the answers."""
    sheets = [SHEET[k] for k in keys]
    params = {p.key: p for s in sheets for p in s.params if p.key in ask}
    fields = [Field("what", "导出", sheets[0].title, options=tuple(s.title for s in sheets)),
              *_fields([params[k] for k in ask], given)]

    def chosen(v: dict[str, str]) -> tuple[Sheet, dict[str, Any]]:
        answers = {k: _parse(params[k], v[k]) for k in ask}
        return next(s for s in sheets if s.title == v["what"]), {**given, **answers}

    def start(choice: tuple[Sheet, dict[str, Any]] | None) -> None:
        if choice is not None:
            export_job(screen, choice[0].key, choice[1])

    screen.app.push_screen(FormDialog(title, fields, chosen), start)
