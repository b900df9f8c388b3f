"""Reading the settings kept in the data file: every key's default and label, the stored value,
and eprc's own remembered facts. Below the operation modules (roster, pushed, key persons read
their settings here); db/settings.py checks and writes them, above those modules."""

from __future__ import annotations

from db.errors import ClerkError
from db.models import Setting
from db.secrets import load_password

# key -> (default, Chinese label)
DEFAULTS: dict[str, tuple[str, str]] = {
    "township": ("", "乡镇（街道）名称"),
    "preparer": ("", "填报人"),
    "checker": ("", "审核人"),
    "phone": ("", "联系电话"),
    "operator": ("", "操作人（记入操作记录；空则用填报人）"),
    "fever_threshold": ("37.3", "发热阈值（℃）"),
    "shift_slots": ("00:00-08:00,08:00-16:00,16:00-24:00", "卡口班次"),
    "sampling_slots": ("06:00-12:00,12:00-18:00", "采样点班次（不必覆盖全天）"),
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
    "testing_infant_age": ("3", "全员核酸：未满几周岁的婴幼儿免检（0 为不免检）"),
}

# what eprc remembers for itself (not set by the clerk): kept beside the settings, not audited
STATE_KEYS = ("backup.copied_at", "backup.failed")


class UnknownSetting(ClerkError, KeyError):
    def __str__(self) -> str:
        return f"没有名为“{self.args[0]}”的设置项；可用：{', '.join(DEFAULTS)}"


SECRET = "smtp.password"  # kept by db.secrets, never in the data file


def get_setting(key: str) -> str:
    """The stored value of a setting, or its default."""
    if key not in DEFAULTS:
        raise UnknownSetting(key)
    if key == SECRET:
        return load_password()
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else DEFAULTS[key][0]


def all_settings() -> dict[str, str]:
    """Every setting as stored in the file (the mail password is not: it reads as "")."""
    stored = {s.key: s.value for s in Setting.select()}
    return {key: stored.get(key, default) for key, (default, _label) in DEFAULTS.items()}


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
