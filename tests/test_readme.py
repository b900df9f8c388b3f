"""The README's two commands are what CI runs: a step missing from them fails CI too."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command_and_stops_on_its_failure() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", readme, re.S)
    assert len(blocks) >= 2 and "eprc --demo" in blocks[0] and blocks[1].endswith("pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"{blocks[1]} || exit 1" in ci.splitlines()
    assert "set -euo pipefail" in ci
