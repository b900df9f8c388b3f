"""设置 (F9) and what sits beside it: backups and the recycle bin (F8)."""
