"""Settings kept in the database file: township header, sign-off names, thresholds, mail.

Every value is made plain text and checked against a sane range when it is set, whether from
the CLI or F9, so nothing downstream meets a value it cannot use.
"""

from __future__ import annotations

import re

from db.database import database
from db.models import Setting
from db.text import plain_text

# key -> (default, Chinese label)
DEFAULTS: dict[str, tuple[str, str]] = {
    "township": ("", "乡镇（街道）名称"),
    "preparer": ("", "填报人"),
    "checker": ("", "审核人"),
    "phone": ("", "联系电话"),
    "operator": ("", "操作员（审计日志中的姓名）"),
    "fever_threshold": ("37.3", "发热阈值（℃）"),
    "shift_slots": ("00:00-08:00,08:00-16:00,16:00-24:00", "卡口班次"),
    "report_deadline": ("13:00", "日报截止时间"),
    "time_zone": ("Asia/Shanghai", "时区（日期与日界以此为准）"),
    "export_dir": ("", "导出文件夹"),
    "verify_hours": ("24", "推送核查时限（小时）"),
    "request_urgent_hours": ("2", "紧急求助送达时限（小时）"),
    "verify_results": ("已核实在辖区（漏排）,前期已排查,不在辖区居住,已离开,无法联系,信息有误,超过排查期",
                       "推送核查结果选项（逗号分隔；自加的写“词=类别”）"),
    "policy.确诊": ("14+7", "确诊：首个措施天数+后续健康监测天数"),
    "policy.疑似": ("7+7", "疑似：管控天数（首个+后续）"),
    "policy.发热": ("7+3", "发热：管控天数（首个+后续）"),
    "policy.密接": ("7+3", "密接：管控天数（首个+后续）"),
    "policy.次密接": ("7+0", "次密接：管控天数（首个+后续）"),
    "policy.中高风险地区返乡": ("7+7", "中高风险地区返乡：管控天数（首个+后续）"),
    "policy.其他": ("7+0", "其他：管控天数（首个+后续）"),
    "mail.subject": ("{township}{month}月{day}日疫情防控工作日报告", "日报邮件主题模板"),
    "mail.body": ("您好！\n附件是{township}{month}月{day}日疫情防控工作日报，请查收。\n{preparer} {phone}",
                  "日报邮件正文模板"),
    "report_note": ("", "日报“其他需要说明的情况”"),
    "smtp.host": ("", "SMTP 服务器"),
    "smtp.port": ("465", "SMTP 端口"),
    "smtp.security": ("ssl", "加密方式（ssl/starttls/none）"),
    "smtp.user": ("", "邮箱账号（无需登录的服务器留空）"),
    "smtp.password": ("", "邮箱密码（授权码，保存在系统凭据中，不在数据文件里）"),
    "smtp.from": ("", "发件邮箱（邮箱账号留空时必填）"),
    "smtp.sender": ("", "发件人名称"),
    "backup.copy_dir": ("", "第二备份文件夹（如 U 盘）"),
    "setup_done": ("", "首次设置已完成"),
}

# what eprc remembers for itself (not set by the clerk): kept beside the settings, not audited
STATE_KEYS = ("backup.copied_at", "backup.failed")


# key -> longest value accepted (characters)
MAX_LENGTH: dict[str, int] = {
    "township": 40, "preparer": 20, "checker": 20, "phone": 40, "operator": 20,
    "export_dir": 260, "verify_results": 500, "mail.subject": 200, "mail.body": 2000,
    "report_note": 2000, "smtp.host": 253, "smtp.user": 254, "smtp.sender": 60,
}
# key -> (lowest, highest) for whole-number settings
INT_RANGE: dict[str, tuple[int, int]] = {"verify_hours": (1, 168), "request_urgent_hours": (1, 24),
                                         "smtp.port": (1, 65535)}
POLICY_DAYS = 60
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class UnknownSetting(KeyError):
    def __str__(self) -> str:
        return f"没有名为“{self.args[0]}”的设置项；可用：{', '.join(DEFAULTS)}"


SECRET = "smtp.password"  # kept by db.secrets, never in the data file


def get_setting(key: str) -> str:
    """The stored value of a setting, or its default."""
    if key not in DEFAULTS:
        raise UnknownSetting(key)
    if key == SECRET:
        from db.secrets import load_password

        return load_password()
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else DEFAULTS[key][0]


def all_settings() -> dict[str, str]:
    """Every setting as stored in the file (the mail password is not: it reads as "")."""
    stored = {s.key: s.value for s in Setting.select()}
    return {key: stored.get(key, default) for key, (default, _label) in DEFAULTS.items()}


def check_setting(key: str, value: str) -> str:
    """``value`` as it will be stored for ``key``, or :class:`~db.validate.Invalid` saying why not."""
    from db.validate import Invalid

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
        from db.pushed import parse_results

        parse_results(value)  # each word names its daily-report column
    if key == "time_zone":
        from db.clock import check_zone

        try:
            value = check_zone(value).key
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


def _check_template(label: str, value: str) -> None:
    from db.validate import Invalid

    try:
        value.format(township="", month=1, day=1, preparer="", phone="")
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise Invalid(f"{label}有误（{exc}），可用：{{township}} {{month}} {{day}} "
                      "{preparer} {phone}") from None


def set_setting(key: str, value: str) -> None:
    """Store a setting after checking it; the change is written to the audit log."""
    from db.audit import log_change

    if key not in DEFAULTS:
        raise UnknownSetting(key)
    value = check_setting(key, value)
    slots = None
    if key == "shift_slots":
        from db.roster import parse_slots

        slots = parse_slots(value)
        value = ",".join(f"{start}-{end}" for start, end in slots)
    if key == SECRET:
        from db.secrets import load_password, store_password

        if value != load_password():
            store_password(value)
            log_change("修改", "setting", None, {key: "******"}, {key: "******" if value else ""})
        return
    with database.atomic():
        before = get_setting(key)
        Setting.insert(key=key, value=value).on_conflict_replace().execute()
        if before != value:
            if slots is not None:
                from db.roster import apply_slots

                apply_slots(slots)
            log_change("修改", "setting", None, {key: before}, {key: value})


def get_state(key: str) -> str:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else ""


def set_state(key: str, value: str) -> None:
    """Remember one of eprc's own facts (STATE_KEYS), such as when a backup last left the disk."""
    assert key in STATE_KEYS, key
    Setting.insert(key=key, value=value).on_conflict_replace().execute()


DEFAULT_TOWNSHIP = "本镇"


def township() -> str:
    return get_setting("township") or DEFAULT_TOWNSHIP


def fever_threshold() -> float:
    return float(get_setting("fever_threshold"))
