"""Name initials come from the single-character table: the same letters pypinyin gives, without
loading its phrase dictionaries (about 67 MB an import never needs)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from db.pinyin import char_initial, name_keys


def test_initials_match_pypinyin_for_common_name_characters() -> None:
    from pypinyin import Style, lazy_pinyin

    text = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程" \
           "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝" \
           "龚邵万钱严覃武戴莫孔向汤明伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛超霞平刚桂兰建国新玲嗯呣"
    for char in text:
        expected = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
        assert char_initial(char) == (expected[0][:1].lower() if expected else ""), char
    assert name_keys("曾小明") == ("zxm", "cxm")
    assert name_keys("Anna李") == ("annal", None)


def test_initials_do_not_load_the_phrase_dictionaries() -> None:
    code = ("import sys; from db.pinyin import name_keys; assert name_keys('张建国')[0] == 'zjg'; "
            "print(sorted(m for m in sys.modules if m.startswith('pypinyin')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).parents[2], check=True)
    assert done.stdout.strip() == "[]"
