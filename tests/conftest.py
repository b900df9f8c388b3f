"""Shared fixtures: a fresh database file per test, and the small demo township (built once)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from db.database import close_database, open_database
from db.demo import build_demo


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the real user data and config folders, EPRC_DB and the OS's
    credential store (the mail password goes to an owner-only file in the test's config folder);
    the OS user is 测试员 whichever variable getpass reads first."""
    monkeypatch.delenv("EPRC_DB", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / "config"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "测试员")


@pytest.fixture
def db_path(tmp_path: Path) -> Iterator[Path]:
    """An open, empty eprc database in a temporary file."""
    path = tmp_path / "eprc.db"
    open_database(path)
    yield path
    close_database()


@pytest.fixture(scope="session")
def _small_demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "small.db"
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
