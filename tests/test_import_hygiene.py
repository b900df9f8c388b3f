"""db/ and exports/ never pull in Textual: the layers stay apart and the CLI starts fast."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def modules_after(code: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "utf8", "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True, text=True, cwd=ROOT, check=True, encoding="utf-8",
    )
    return set(proc.stdout.split())


def test_domain_and_exports_do_not_import_textual() -> None:
    packages = [p.stem for p in (ROOT / "db").glob("*.py") if p.stem != "__init__"]
    packages += [f"exports.{p.stem}" for p in (ROOT / "exports").glob("*.py")
                 if p.stem != "__init__"]
    imports = "\n".join(f"import {p if '.' in p else 'db.' + p}" for p in packages)
    loaded = modules_after(imports)
    assert "textual" not in loaded
    assert "db.models" in loaded


def test_cli_subcommands_do_not_import_textual_or_openpyxl() -> None:
    loaded = modules_after("import eprc")
    assert "textual" not in loaded and "openpyxl" not in loaded and "pypinyin" not in loaded


def test_every_module_imports_on_this_python() -> None:
    """Each module of the product imports cleanly: on the oldest Python CI runs, the pass that
    leaves out the screens' tests still finds a newer-Python-only name or syntax anywhere.
    The Windows driver needs msvcrt; tests/test_windows.py imports it with a stand-in."""
    names = ["eprc"] + [
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for folder in ("db", "exports", "tui", "cmdline")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path.stem != "__init__" and (path.stem != "windows_driver" or sys.platform == "win32")
    ]
    loaded = modules_after("\n".join(f"import {name}" for name in names))
    assert len(names) > 80
    assert [name for name in names if name not in loaded] == []
