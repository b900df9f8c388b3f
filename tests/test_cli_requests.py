"""The help-request desk on the command line: ``eprc requests list`` and ``eprc export
requests``, read-only beside an open window."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from db import clock
from db import requests as rq
from db.database import close_database, open_database
from eprc import ACCESS
from tests.conftest import run_cli as run
from tests.db.conftest import FakeClock
from tests.request_desk import MORNING, build_town


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The town's request sent to 王配送, a medicine request waiting, 3 h later."""
    fake = FakeClock(MORNING)
    monkeypatch.setattr(clock, "now", fake)
    path = tmp_path / "desk.db"
    open_database(path)
    town = build_town()
    rq.take_request(rq.RequestInput("2", "胰岛素", town.household.id,
                                    callback_phone="13912345678"))
    close_database()
    fake.at = MORNING + dt.timedelta(hours=3)
    return path


def test_list_by_status_as_json(desk: Path) -> None:
    code, out, _ = run("--db", str(desk), "requests", "list", "--status", "待派单", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [(r["needs"], r["details"], r["urgent"], r["callback_phone"]) for r in rows] == [
        ("药品", "胰岛素", True, "13912345678")]
    assert rows[0]["late"].startswith("紧急求助超过2小时未送达")
    code, out, _ = run("--db", str(desk), "requests", "list", "--json")
    assert [r["status"] for r in json.loads(out)] == ["待派单", "已派单"]
    code, out, _ = run("--db", str(desk), "requests", "list", "--status", "已派单")
    assert code == 0 and "→王配送" in out and "共 1 件" in out
    assert ACCESS["requests list"] == ACCESS["export requests"] == "read"


def test_export_requests(desk: Path, tmp_path: Path) -> None:
    out = tmp_path / "台账.xlsx"
    code, text, _ = run("--db", str(desk), "export", "requests", "--from", "2022-04-11",
                        "--to", "2022年4月11日", "-o", str(out))
    assert (code, text.strip()) == (0, f"已导出 2 件求助：{out}")
    ws = load_workbook(out).active
    assert ws["A1"].value == "本镇居民求助登记台账（2022年4月11日）"
    assert [ws.cell(r, 6).value for r in (4, 5)] == ["生活物资", "药品"]
    # full callback phones: the export is recorded beside the data file
    assert "\trequests:\t" in (desk.parent / "desk-exports.log").read_text(encoding="utf-8")
    code, _text, err = run("--db", str(desk), "export", "requests", "--from", "2022-04-12",
                           "--to", "2022-04-11", "-o", str(out))
    assert code == 1 and err.strip() == "错误：结束日期不能早于开始日期"
