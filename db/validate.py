"""Validation and normalisation of what the clerk types or imports.

One module for forms, imports and the CLI: ID numbers (居民身份证号码), phones, vehicle plates and
temperatures. Every check raises :class:`Invalid` with a message in Chinese that says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from stdnum.cn.ric import calc_check_digit

from db import clock
from db.errors import ClerkError
from db.text import plain_text

__all__ = [
    "IdInfo",
    "Invalid",
    "check_id",
    "check_phone",
    "check_plate",
    "check_temperature",
    "normalize_text",
    "age_on",
]


class Invalid(ClerkError, ValueError):
    """A value the clerk entered cannot be accepted; ``str(exc)`` is the Chinese reason."""


# Province-level codes (first two digits of an ID number, GB/T 2260).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 "
    "65 71 81 82".split()
)

_SPACES = re.compile(r"\s+")
_SCI = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


def normalize_text(value: object) -> str:
    """Plain text (:func:`db.text.plain_text`), full-width letters/digits/punctuation to
    half-width, trimmed, inner runs of space collapsed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", plain_text(value))
    return _SPACES.sub(" ", text).strip()


@dataclass(frozen=True)
class IdInfo:
    """A valid 18-digit ID number and what it tells."""

    number: str
    birth_date: dt.date
    sex: str  # "男" or "女"
    warnings: tuple[str, ...] = field(default=())


def _id_text(value: object) -> str:
    """An ID cell as text: numbers Excel made of it refused, invisible characters and spaces
    removed, full-width digits made half-width, upper case."""
    if isinstance(value, bool) or value is None:
        raise Invalid("身份证号码为空")
    if isinstance(value, float) and value.is_integer() and abs(value) < 10**15:
        value = int(value)
    if isinstance(value, int) and len(str(value)) == 15:
        value = str(value)
    if isinstance(value, (int, float)):
        raise Invalid("身份证号码被 Excel 存成了数字，后几位已丢失，请将该列设为文本后重新录入")
    return "".join(unicodedata.normalize("NFKC", plain_text(value)).split()).upper()


def check_id(value: object, today: dt.date | None = None) -> IdInfo:
    """Normalise and validate a resident ID number; return its facts or raise :class:`Invalid`.

    Accepts spaces, full-width digits, a lower-case x and invisible format characters (a
    zero-width space pasted from a chat is removed first, so lengths count what the clerk sees).
    A 15-digit number (issued before 1999, also from a numeric cell: 15 digits survive Excel) is
    upgraded to 18 digits with a warning. Rejects an 18-digit number Excel stored as a number
    (its last digits are lost), a wrong length, an impossible birth date and a bad check digit.
    An unknown province code is only a warning: real IDs carry codes that changed later.
    ``today`` (default: the township's clock) bounds the birth date; an import reads it once.
    """
    if type(value) is str and value.isascii() and value.isalnum():
        text = value.upper()  # as nearly every sheet has it: nothing to clean
    else:
        text = _id_text(value)
    if not text:
        raise Invalid("身份证号码为空")
    if _SCI.match(text) or (text.endswith(".0") and text[:-2].isdigit()):
        raise Invalid("身份证号码被 Excel 存成了数字，后几位已丢失，请将该列设为文本后重新录入")
    warnings: tuple[str, ...] = ()
    if len(text) == 15 and text.isdigit():
        body = f"{text[:6]}19{text[6:]}"
        text = body + calc_check_digit(body + "0")
        warnings += (f"15位身份证号码已升级为18位：{text}，请核对",)
    if len(text) != 18:
        raise Invalid(f"身份证号码应为18位，实际为{len(text)}位")
    if not (text[:17].isdigit() and (text[17].isdigit() or text[17] == "X")):
        raise Invalid("身份证号码只能由数字和末位X组成")
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise Invalid(f"身份证号码中的出生日期{text[6:14]}不存在") from None
    if birth.year < 1890 or birth > (today or clock.today()):
        raise Invalid(f"身份证号码中的出生日期{text[6:14]}不合理")
    if calc_check_digit(text) != text[17]:
        raise Invalid("身份证号码校验位错误，请核对")
    if text[:2] not in PROVINCE_CODES:
        warnings += (f"身份证号码的地区码{text[:6]}不常见，请核对",)
    sex = "男" if int(text[16]) % 2 else "女"
    return IdInfo(text, birth, sex, warnings)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day``."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?[1-9]\d{6,7}(-\d{1,6})?$")
_CLEAN_MOBILE = re.compile(r"1[3-9][0-9]{9}").fullmatch  # as typed, with nothing to clean


def check_phone(value: object) -> str:
    """Normalise a mobile (13812345678) or landline (0551-62345678) number or raise Invalid."""
    if type(value) is str and _CLEAN_MOBILE(value):  # most numbers: a sheet's 100,000 rows
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", plain_text(value))
    text = "".join(text.split()).replace("—", "-").replace("－", "-")
    if not text:
        raise Invalid("电话号码为空")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    digits = text.replace("-", "")
    if digits.startswith("1") and _MOBILE.match(digits):
        return digits
    if _LANDLINE.match(text) or (digits.startswith("0") and _LANDLINE.match(digits)):
        return text
    raise Invalid(f"电话号码“{text}”不是有效的手机号或固定电话")


_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"
_PLATE = re.compile(rf"^[{_PROVINCES}][{_L}][{_L}0-9]{{4}}[{_L}0-9挂学警港澳]$")
_PLATE_NEW_ENERGY = re.compile(
    rf"^[{_PROVINCES}][{_L}](?:[DABCEFGHJK][{_L}0-9]\d{{4}}|\d{{5}}[DABCEFGHJK])$"
)


def check_plate(value: object) -> str:
    """Normalise a vehicle plate (皖A12345, new-energy 皖AD12345) or raise Invalid."""
    text = unicodedata.normalize("NFKC", plain_text(value))
    text = "".join(ch for ch in text if ch not in " ·.-").upper()
    if not text:
        raise Invalid("车牌号为空")
    if _PLATE.match(text) or _PLATE_NEW_ENERGY.match(text):
        return text
    raise Invalid(f"车牌号“{text}”格式不正确（例：皖A12345，新能源：皖AD12345）")


TEMPERATURE_RANGE = (34.0, 43.0)


def check_temperature(value: object) -> float:
    """Parse a body temperature in °C (34–43), accepting '36.5', '36.5℃' and full-width digits."""
    text = normalize_text(value).replace("℃", "").replace("°C", "").replace("°", "").strip()
    try:
        number = round(float(text), 1)
    except ValueError:
        raise Invalid(f"体温“{text}”不是数字") from None
    low, high = TEMPERATURE_RANGE
    if not low <= number <= high:
        raise Invalid(f"体温{number}℃超出{low:g}—{high:g}℃，请核对")
    return number


_FULL_DATE = (
    re.compile(r"^(?P<y>\d{4})[-./年](?P<m>\d{1,2})[-./月](?P<d>\d{1,2})日?"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)
_YEARLESS = re.compile(r"^(?P<m>\d{1,2})[-./月](?P<d>\d{1,2})日?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)
_AS_TEXT = "请把日期列设为文本或日期格式"


def parse_date(value: object, today: dt.date | None = None) -> dt.date | None:
    """A date from what a sheet or a form holds: a real date, an Excel serial number,
    2022-04-06, 2022.4.7, 2022/4/7, 2022年4月7日, 20220407, or one without a year (4月8日, 4.8
    as text), which takes the latest year that does not put it after ``today`` (the import's
    day; default: today). None when empty; Invalid saying why when it cannot be read: a number
    such as 4.1 (April 1st or 10th?) or a date that does not exist (2022/13/45)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise Invalid(f"无法识别的日期“{value}”")
    if isinstance(value, (int, float)):
        if 20000 <= value <= 80000:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        if isinstance(value, float) and not value.is_integer():
            raise Invalid(f"日期“{value:g}”是数字，分不清月和日，{_AS_TEXT}")
        if not 10**7 <= value < 10**8:  # 20220407 typed as a number is read as text
            raise Invalid(f"无法识别的日期“{value:g}”，{_AS_TEXT}")
        value = str(int(value))
    text = normalize_text(value)
    if not text:
        return None
    for pattern in _FULL_DATE:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise Invalid(f"日期“{text}”不存在") from None
    match = _YEARLESS.match(text)
    if match:
        return _latest(int(match["m"]), int(match["d"]), today or clock.today(), text)
    raise Invalid(f"无法识别的日期“{text}”")


def _latest(month: int, day: int, today: dt.date, text: str) -> dt.date:
    """The latest ``month``/``day`` on or before ``today`` (February 29th: the last leap year)."""
    for year in range(today.year, today.year - 9, -1):
        try:
            date = dt.date(year, month, day)
        except ValueError:
            if not (month == 2 and day == 29):
                break
            continue
        if date <= today:
            return date
    raise Invalid(f"日期“{text}”不存在")
