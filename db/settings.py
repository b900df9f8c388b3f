"""Settings kept in the database file: township header, sign-off names, thresholds, mail.

Every value is made plain text and checked against a sane range when it is set, whether from
the CLI or F9, so nothing downstream meets a value it cannot use.
"""

from __future__ import annotations

import re

from db import clock
from db.audit import log_change
from db.config import (
    DEFAULT_TOWNSHIP,
    DEFAULTS,
    SECRET,
    STATE_KEYS,
    UnknownSetting,
    all_settings,
    fever_threshold,
    get_setting,
    get_state,
    set_state,
    township,
)
from db.connection import database
from db.models import Setting
from db.pushed import parse_results
from db.roster import SLOT_SETTINGS, apply_slots, parse_slots
from db.secrets import load_password, store_password
from db.text import plain_text
from db.validate import Invalid

__all__ = ["DEFAULTS", "DEFAULT_TOWNSHIP", "SECRET", "STATE_KEYS", "UnknownSetting",
           "all_settings", "check_setting", "fever_threshold", "get_setting", "get_state",
           "set_setting", "set_settings", "set_state", "township"]

# key -> longest value accepted (characters)
MAX_LENGTH: dict[str, int] = {
    "township": 40, "preparer": 20, "checker": 20, "phone": 40, "operator": 20,
    "export_dir": 260, "verify_results": 500, "mail.subject": 200, "mail.body": 2000,
    "report_note": 2000, "smtp.host": 253, "smtp.user": 254, "smtp.sender": 60,
}
# key -> (lowest, highest) for whole-number settings
INT_RANGE: dict[str, tuple[int, int]] = {"verify_hours": (1, 168), "request_urgent_hours": (1, 24),
                                         "smtp.port": (1, 65535), "testing_infant_age": (0, 14)}
POLICY_DAYS = 60
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def check_setting(key: str, value: str) -> str:
    """``value`` as it will be stored for ``key``, or :class:`~db.validate.Invalid` saying why not."""
    label = DEFAULTS[key][1]
    if key == "mail.body":  # the only setting with line breaks
        value = "\n".join(line.strip() for line in plain_text(value, lines=True).split("\n")).strip()
    else:
        value = plain_text(value).strip()
    if key in MAX_LENGTH and len(value) > MAX_LENGTH[key]:
        raise Invalid(f"{label}最多{MAX_LENGTH[key]}个字，填写了{len(value)}个")
    if key == "fever_threshold":
        try:
            number = float(value)
        except ValueError:
            raise Invalid(f"发热阈值“{value}”不是数字") from None
        if not 36.0 <= number <= 39.0:
            raise Invalid("发热阈值应在36.0—39.0℃之间")
        value = f"{number:.1f}"
    if key in INT_RANGE:
        low, high = INT_RANGE[key]
        if not value.isdigit() or not low <= int(value) <= high:
            raise Invalid(f"{label}应为{low}—{high}之间的整数")
        value = str(int(value))
    if key.startswith("policy."):
        value = value.replace("＋", "+").replace(" ", "")
        first, _, then = value.partition("+")
        if not (first.isdigit() and (then.isdigit() or not then)):
            raise Invalid(f"{label.split('：')[0]}的管控天数应写作“7+7”这样的形式")
        if not 0 < int(first) <= POLICY_DAYS or int(then or 0) > POLICY_DAYS:
            raise Invalid(f"{label.split('：')[0]}的管控天数每段应在1—{POLICY_DAYS}天之间")
        value = f"{int(first)}+{int(then or 0)}"
    if key == "verify_results":
        parse_results(value)  # each word names its daily-report column
    if key == "time_zone":
        try:
            value = clock.check_zone(value).key
        except ValueError:
            raise Invalid(f"时区“{value}”无法识别，应写作 Asia/Shanghai 这样的形式") from None
    if key == "smtp.security" and value not in ("ssl", "starttls", "none"):
        raise Invalid("加密方式只能是 ssl、starttls 或 none")
    if key == "smtp.host" and value and not _HOST.match(value):
        raise Invalid(f"SMTP 服务器“{value}”不是有效的主机名（例：smtp.qq.com）")
    if key == "report_deadline":
        match = _TIME.match(value.replace("：", ":"))
        if match is None:
            raise Invalid("日报截止时间应写作“13:00”（00:00—23:59）")
        value = f"{int(match.group(1)):02d}:{match.group(2)}"
    if key == "setup_done" and value not in ("", "1"):
        raise Invalid("首次设置已完成只能是空或 1")
    if key in ("mail.subject", "mail.body"):
        _check_template(label, value)
    if key == "smtp.from" and value and ("@" not in value or value.startswith("@")):
        raise Invalid(f"发件邮箱“{value}”不是邮箱地址")
    return value


def set_settings(values: dict[str, str]) -> None:
    """Store several settings at once, or none: a bad value is refused with its label."""
    with database.atomic():
        for key, value in values.items():
            try:
                set_setting(key, value)
            except Invalid as exc:
                raise Invalid(f"{DEFAULTS[key][1]}：{exc}") from None


def _check_template(label: str, value: str) -> None:
    try:
        value.format(township="", month=1, day=1, preparer="", phone="")
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise Invalid(f"{label}有误（{exc}），可用：{{township}} {{month}} {{day}} "
                      "{preparer} {phone}") from None


def set_setting(key: str, value: str) -> None:
    """Store a setting after checking it; the change is written to the audit log."""
    if key not in DEFAULTS:
        raise UnknownSetting(key)
    value = check_setting(key, value)
    slots = None
    kind = next((k for k, name in SLOT_SETTINGS.items() if name == key), None)
    if kind is not None:
        slots = parse_slots(value, whole_day=kind == "卡口")
        value = ",".join(f"{start}-{end}" for start, end in slots)
    if key == SECRET:
        if value != load_password():
            store_password(value)
            log_change("修改", "setting", None, {key: "******"}, {key: "******" if value else ""})
        return
    with database.atomic():
        before = get_setting(key)
        Setting.insert(key=key, value=value).on_conflict_replace().execute()
        if before != value:
            if slots is not None:
                apply_slots(slots, kind)
            log_change("修改", "setting", None, {key: before}, {key: value})


