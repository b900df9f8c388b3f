"""Shared fixtures: a fresh database file per test, and the small demo township (built once).

The PC's own time zone is set twelve hours behind UTC for the whole run, so the PC's date
differs from the township's (Asia/Shanghai) for most of the day: code or a test that reads the
PC's clock where it should read db.clock fails at any hour, not only across midnight."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from db import clock
from db.database import close_database, open_database
from db.demo import build_demo

os.environ["TZ"] = "UTC+12"  # POSIX spelling: twelve hours behind UTC
if hasattr(time, "tzset"):  # Windows has no tzset; its runs keep the PC's zone
    time.tzset()
TOWNSHIP_NOW = clock.now  # the real clock, before any test stands another in for it


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the real user folders, EPRC_DB and the OS's credential store
    (the mail password goes to an owner-only file in the test's config folder); the OS user is
    测试员 whichever variable getpass reads first. On Windows platformdirs asks the shell for
    AppData and Documents (no environment variable moves them), so its functions eprc uses are
    pointed into the test's own folder on every platform."""
    home = tmp_path / "home"
    monkeypatch.delenv("EPRC_DB", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "测试员")

    def user_data_path(appname: str | None = None, *_args: object, **_kwargs: object) -> Path:
        return home / "data" / appname if appname else home / "data"

    def user_config_path(appname: str | None = None, *_args: object, **_kwargs: object) -> Path:
        return home / "config" / appname if appname else home / "config"

    monkeypatch.setattr(platformdirs, "user_data_path", user_data_path)
    monkeypatch.setattr(platformdirs, "user_config_path", user_config_path)
    monkeypatch.setattr(platformdirs, "user_documents_path", lambda: home / "Documents")


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    """An open, empty eprc database in a temporary file."""
    path = tmp_path / "eprc.db"
    open_database(path)
    yield path
    close_database()


@pytest.fixture(scope="session")
def _small_demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built on the real clock even when first asked for inside a module whose stand-in clock
    is set to another week (the demo's shifts and readings are dated around today)."""
    path = tmp_path_factory.mktemp("demo") / "small.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "now", TOWNSHIP_NOW)
        build_demo(path, "small", seed=7)
    close_database()
    return path


@pytest.fixture
def demo_path(_small_demo_master: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the small demo township, opened."""
    path = tmp_path / "demo.db"
    shutil.copyfile(_small_demo_master, path)
    open_database(path)
    yield path
    close_database()
