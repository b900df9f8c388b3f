"""报表中心 (F7): exports, the daily report, mail."""
