"""备份到…: a backup into a folder the clerk chose (a U disk), remembered for the daily copy.

Apart from db.backup because it writes a setting, and the settings' checks import half of db/:
the daily backup runs at start-up and must not pay for them."""

from __future__ import annotations

from pathlib import Path

from db import clock
from db.backup import backup_now
from db.config import set_state
from db.errors import DatabaseError
from db.settings import set_setting


def backup_to(folder: Path) -> Path:
    """备份到…: back up now into a folder the clerk chose, and remember it for the daily copy."""
    if not folder.is_dir():
        raise DatabaseError(f"找不到文件夹“{folder}”（U 盘是否已插好？）")
    made = backup_now(folder)
    set_setting("backup.copy_dir", str(folder))
    set_state("backup.copied_at", clock.today().isoformat())
    return made
