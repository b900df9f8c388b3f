"""ID numbers, phones, plates and temperatures, as forms, imports and the CLI check them."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn.ric import calc_check_digit

from db.validate import (
    Invalid,
    check_id,
    check_phone,
    check_plate,
    check_temperature,
    normalize_text,
    parse_date,
)

# python-stdnum's own examples (tests/test_cn_ric.doctest)
STDNUM_VALID = ["360426199101010071", "44011320141005001x", "412723199010050012",
                "110102199101010078", "120110198012010073", "120110199212010072"]


@pytest.mark.parametrize("number", STDNUM_VALID)
def test_stdnum_examples_are_valid(number: str) -> None:
    info = check_id(number)
    assert info.number == number.upper()
    assert info.birth_date == dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def test_birth_date_and_sex_come_from_the_id() -> None:
    male = check_id("360426199101010071")
    assert (male.birth_date, male.sex) == (dt.date(1991, 1, 1), "男")
    female = check_id("44011320141005001X")
    assert female.sex == "男"  # 17th digit 1 is odd
    assert check_id("412723199010050020").sex == "女"


def test_area_code_newer_than_birth_date_is_accepted() -> None:
    # python-stdnum's full validator refuses these; they are real people.
    assert check_id("330102197001010013").number == "330102197001010013"
    assert check_id("110111198012010078").birth_date == dt.date(1980, 12, 1)


def test_unknown_province_is_only_a_warning() -> None:
    info = check_id("990426199112010074")
    assert info.warnings and "地区码" in info.warnings[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("360426 1991 0101 0071", "360426199101010071"),
        ("３６０４２６１９９１０１０１００７１", "360426199101010071"),
        (" 44011320141005001x ", "44011320141005001X"),
        ("44011320141005001ｘ", "44011320141005001X"),
        ("360426\u30001991010100 71", "360426199101010071"),
    ],
)
def test_normalisations(raw: str, expected: str) -> None:
    assert check_id(raw).number == expected


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("36042619910102009X", "校验位"),
        ("T60426199101010078", "数字"),
        ("360426199113010079", "出生日期"),
        ("36042619910101007", "18位"),
        ("3604261991010100711", "18位"),
        (3.60426199101010e17, "Excel"),
        (360426199101010071, "Excel"),
        ("3.60426199101010E+17", "Excel"),
        ("360426199101010071.0", "Excel"),
        ("", "为空"),
        (None, "为空"),
    ],
)
def test_rejections_say_why(raw: object, fragment: str) -> None:
    with pytest.raises(Invalid) as exc:
        check_id(raw)
    assert fragment in str(exc.value)


def _valid_ids() -> st.SearchStrategy[str]:
    def build(area: int, birth: dt.date, seq: int) -> str:
        body = f"{area:06d}{birth:%Y%m%d}{seq:03d}"
        return body + calc_check_digit(body + "0")

    return st.builds(
        build,
        st.integers(110000, 659999),
        st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
        st.integers(0, 999),
    )


@given(_valid_ids(), st.lists(st.integers(0, 17), max_size=4), st.booleans())
def test_any_valid_id_survives_spacing_and_full_width(
    number: str, spaces: list[int], full_width: bool
) -> None:
    text = number.lower()
    for position in sorted(spaces, reverse=True):
        text = text[:position] + " " + text[position:]
    if full_width:
        text = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in text)
    assert check_id(text).number == number


@given(_valid_ids(), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(number: str, position: int, delta: int) -> None:
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1:]
    with pytest.raises(Invalid):
        check_id(changed)


@given(st.text(max_size=40))
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip()


@given(st.text(max_size=30))
def test_check_id_never_crashes_on_text(text: str) -> None:
    try:
        assert len(check_id(text).number) == 18
    except Invalid as exc:
        assert str(exc)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138 1234 5678", "13812345678"),
        (13812345678, "13812345678"),
        (13812345678.0, "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("０５５１－６２３４５６７８", "0551-62345678"),
        ("0631-5213515", "0631-5213515"),
        ("055162345678", "055162345678"),
    ],
)
def test_phones(raw: object, expected: str) -> None:
    assert check_phone(raw) == expected


@pytest.mark.parametrize("raw", ["1234", "12812345678", "138123456789", "abc", ""])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(Invalid):
        check_phone(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("皖A12345", "皖A12345"), ("皖a 12345", "皖A12345"), ("皖AD12345", "皖AD12345"),
     ("粤B12345F", "粤B12345F"), ("苏A1234学", "苏A1234学"), ("京A·B1234", "京AB1234")],
)
def test_plates(raw: str, expected: str) -> None:
    assert check_plate(raw) == expected


@pytest.mark.parametrize("raw", ["A12345", "皖I12345", "皖A1234", "皖AD1234567", ""])
def test_bad_plates(raw: str) -> None:
    with pytest.raises(Invalid):
        check_plate(raw)


@pytest.mark.parametrize(("raw", "expected"),
                         [("36.5", 36.5), ("37.3℃", 37.3), ("３８．２", 38.2), (36, 36.0)])
def test_temperatures(raw: object, expected: float) -> None:
    assert check_temperature(raw) == expected


@pytest.mark.parametrize("raw", ["33.9", "43.1", "abc", ""])
def test_bad_temperatures(raw: str) -> None:
    with pytest.raises(Invalid):
        check_temperature(raw)


# ---- values as people write them ---------------------------------------------------------------

FORMAT_CHARACTERS = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u00ad"]


def _fifteen(number: str) -> str:
    """The 15-digit form of an ID number born in the 1900s (no century, no check digit)."""
    return number[:6] + number[8:17]


@given(st.builds(
    lambda area, born, seq: f"{area}{born:%Y%m%d}{seq:03d}" + calc_check_digit(
        f"{area}{born:%Y%m%d}{seq:03d}0"),
    st.sampled_from(["110102", "340122", "440113", "360426"]),
    st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31)), st.integers(0, 999)),
    st.booleans())
def test_a_fifteen_digit_id_is_upgraded_with_a_warning(number: str, as_number: bool) -> None:
    old = _fifteen(number)
    raw: object = int(old) if as_number and old[0] != "0" else old
    info = check_id(raw)
    assert info.number == number
    assert any("15位身份证号码已升级为18位" in w and number in w for w in info.warnings)


@given(_valid_ids())
def test_an_eighteen_digit_number_stays_refused(number: str) -> None:
    if number[-1] == "X":
        return
    for raw in (int(number), float(number)):
        with pytest.raises(Invalid, match="存成了数字"):
            check_id(raw)


@given(_valid_ids(), st.lists(st.tuples(st.integers(0, 18), st.sampled_from(FORMAT_CHARACTERS)),
                              max_size=5))
def test_invisible_characters_are_removed_before_any_check(
        number: str, inserts: list[tuple[int, str]]) -> None:
    text = number
    for position, char in sorted(inserts, reverse=True):
        text = text[:position] + char + text[position:]
    assert check_id(text).number == number


def test_lengths_count_what_the_clerk_sees() -> None:
    with pytest.raises(Invalid, match="实际为17位"):
        check_id("11010219910101007\u200b\u200b")


def test_control_characters_never_survive_normalize_text() -> None:
    text = normalize_text("张\x1b]0;PWNED\x07三\u202e\x9b31m红\t 备注")
    assert text == "张三红 备注"


@given(st.text(max_size=40))
def test_normalize_text_leaves_no_control_or_format_character(text: str) -> None:
    import unicodedata

    assert all(unicodedata.category(c) not in ("Cc", "Cf") for c in normalize_text(text))


@given(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
       st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
       st.sampled_from(["{m}月{d}日", "{m}.{d}", "{m}-{d}", "{m}/{d}", "{m:02d}月{d:02d}日"]))
def test_a_date_without_a_year_is_the_latest_not_after_the_import(day: dt.date, today: dt.date,
                                                                    shape: str) -> None:
    found = parse_date(shape.format(m=day.month, d=day.day), today)
    assert (found.month, found.day) == (day.month, day.day)
    assert found <= today
    try:
        later = found.replace(year=found.year + 1)
    except ValueError:  # 2月29日: the next one is four years on
        later = found.replace(year=found.year + 4)
    assert later > today


@given(st.dates(dt.date(1950, 1, 1), dt.date(2040, 12, 31)),
       st.sampled_from(["%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日"]))
def test_a_full_date_is_read_in_every_shape(day: dt.date, shape: str) -> None:
    assert parse_date(day.strftime(shape), dt.date(2000, 1, 1)) == day


@given(st.integers(1, 12), st.integers(1, 31))
def test_a_month_and_day_as_a_number_are_refused(month: int, day: int) -> None:
    with pytest.raises(Invalid, match="请把日期列设为文本或日期格式"):
        parse_date(float(f"{month}.{day}"), dt.date(2022, 5, 1))  # 4.1 is April 1st or 10th


@pytest.mark.parametrize("raw", ["2022/13/45", "2022-02-30", "13月5日", "2月30日", "4.31"])
def test_impossible_dates_say_so(raw: str) -> None:
    with pytest.raises(Invalid, match="不存在"):
        parse_date(raw, dt.date(2022, 5, 1))


def test_december_31st_in_january_is_last_year() -> None:
    assert parse_date("12月31日", dt.date(2023, 1, 2)) == dt.date(2022, 12, 31)
    assert parse_date("3.5", dt.date(2023, 1, 2)) == dt.date(2022, 3, 5)
    assert parse_date("1.2", dt.date(2023, 1, 2)) == dt.date(2023, 1, 2)
