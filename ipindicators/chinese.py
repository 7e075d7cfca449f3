"""Chinese text as plans print it: simplified characters, and reposts that garbled it.

Reposts of Chinese government documents often convert them to traditional characters and add
pinyin glosses after characters with several readings (``發(fā)明``, ``達(dá)到``). Restoring
the simplified text removes the glosses and converts the characters back one for one.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

PINYIN_GLOSS = re.compile(
    r"(?<=[\u4e00-\u9fff])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])"
    r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,6}\)"
)
"""A pinyin gloss in parentheses right after a Chinese character."""
CJK = re.compile(r"[\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")


@cache
def _to_simplified() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters as simplified ones (OpenCC), one character for one."""
    converter = _to_simplified()
    whole = converter.convert(text)
    if len(whole) == len(text):
        return whole
    return "".join(c if len(c := converter.convert(ch)) == 1 else ch for ch in text)


def restored(text: str) -> str:
    """``text`` without pinyin glosses, in simplified characters."""
    return simplified(PINYIN_GLOSS.sub("", text))


def is_chinese(text: str) -> bool:
    """Whether ``text`` is Chinese: it has Chinese characters and no Japanese kana."""
    return bool(CJK.search(text)) and not KANA.search(text)
