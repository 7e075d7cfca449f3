"""Candidate targets read from Chinese plan text: a quantity, its label, comparator, year and basis.

The text is normalised character by character (NFKC, so full-width digits and punctuation become
ASCII; a few traditional characters become simplified ones; pinyin glosses such as ``達(dá)到``
are dropped) while every character keeps its offset in the original text. Sentences end at
。;!? and at headings; line breaks and spaces inside a sentence are ignored, so ``0.76 件`` and a
label broken over two lines are read whole.

A quantity is a number (Arabic, or a small Chinese numeral after a comparator or a verb such as
建设) followed by a unit. It is a candidate unless its clause is a funding rule (补助, 资助, 给予 …
with an amount or a rate) or a statistic of the past (截至, 目前, 同比 …), it is an ordinal (第)
or inside a title (《》), or it sits in an application-rules section (申报条件 …). Dates,
document numbers, phone numbers and durations carry no unit of the list and are never read.

The year comes from the clause or sentence (``到2020年``, ``2025年,``), else from an enclosing
heading, else from the plan horizon (the first such year in the goals section). ``20XX`` gives
an unknown year (None).
"""

from __future__ import annotations

import html
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from ..catalog.documents import Document, document, documents
from ..catalog.indicators import indicator_records
from ..catalog.regions import is_region
from ..catalog.units import conversion_factor
from ..chinese import PINYIN_GLOSS, simplified
from ..errors import InputError, UsageError

_CN_NUMERAL = "[零〇一二两三四五六七八九十百千]+"
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_UNIT_FORMS = (
    "件/百万人",
    "件/万人",
    "件/亿元",
    "万亿元",
    "亿美元",
    "万美元",
    "美元",
    "亿元",
    "万元",
    "元",
    "亿件",
    "万件",
    "件",
    "万人次",
    "人次",
    "万家",
    "万人(?!口)",
    "人(?![民才员口])",
    "%",
    "个(?!年|月|工作日|小时|百分点|季度|星期|周|半月)",
    "家(?![庭乡属长])",
    "期(?![间限末满内刊])",
    "户(?![口籍外])",
    "项(?![目])",
    "分(?![钟之])",
)
_COUNT_UNIT_FORMS = tuple(
    u for u in _UNIT_FORMS if u[0] in "个家人件户项" and not u.startswith("件/")
)
_SESSION_UNIT_FORM = next(u for u in _UNIT_FORMS if u.startswith("期"))
_SCALED_UNITS = {"万人次": ("人次", 1e4), "万美元": ("美元", 1e4)}
_MONEY_UNITS = ("万亿元", "亿美元", "万美元", "美元", "亿元", "万元", "元", "%")

_GE_BEFORE = (
    "不少于",
    "不低于",
    "不小于",
    "不下于",
    "至少",
    "多于",
    "高于",
    "超过",
    "突破",
    "达到",
    "达",
    "提高到",
    "提高至",
    "提升到",
    "提升至",
    "增加到",
    "增加至",
    "增长到",
    "增长至",
    "扩大到",
    "扩大至",
    "力争",
    "≥",
    ">=",
    ">",
)
_LE_BEFORE = (
    "不超过",
    "不高于",
    "不多于",
    "不大于",
    "低于",
    "少于",
    "控制在",
    "降低到",
    "降低至",
    "下降到",
    "下降至",
    "减少到",
    "减少至",
    "压缩到",
    "压缩至",
    "≤",
    "<=",
    "<",
)
_EQ_BEFORE = ("为", "是", "=")
_GE_AFTER = ("及以上", "以上", "之上")
_LE_AFTER = ("及以下", "以下", "以内", "之内")
_EQ_AFTER = ("左右",)
_QUOTA_VERBS = (
    "建设",
    "建成",
    "新建",
    "培育",
    "新增",
    "扶持",
    "支持",
    "设立",
    "打造",
    "组建",
    "创建",
    "认定",
    "引进",
    "培养",
    "组织",
    "举办",
    "开展",
    "形成",
    "争创",
)


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _comparator_table() -> dict[str, str]:
    table = {w: ">=" for w in _GE_BEFORE + _GE_AFTER}
    table.update({w: "<=" for w in _LE_BEFORE + _LE_AFTER})
    table.update({w: "==" for w in _EQ_BEFORE + _EQ_AFTER})
    return table


_COMPARATOR_OF = _comparator_table()
_UNIT = "(?P<unit>" + "|".join(_UNIT_FORMS) + ")"
_QUANTITY = re.compile(
    rf"(?<![\d.,A-Za-z/])(?P<low>{_NUMBER})(?:(?:-|~|—|–|至|到)(?P<high>{_NUMBER}))?{_UNIT}"
)
_CN_UNIT = "(?P<unit>" + "|".join(_COUNT_UNIT_FORMS) + ")"
_CN_AFTER_COMPARATOR = re.compile(
    rf"(?:{_alternation(_GE_BEFORE + _LE_BEFORE)})(?P<low>{_CN_NUMERAL})"
    rf"(?P<unit>{'|'.join((*_COUNT_UNIT_FORMS, _SESSION_UNIT_FORM))})"
)
_CN_AFTER_VERB = re.compile(rf"(?:{_alternation(_QUOTA_VERBS)})(?P<low>{_CN_NUMERAL}){_CN_UNIT}")
_CN_AT_CLAUSE_END = re.compile(
    rf"(?<![零〇一二两三四五六七八九十百千每第各这那其某逐])(?!一[个家人件])(?P<low>{_CN_NUMERAL})"
    rf"{_CN_UNIT}(?:{_alternation(_GE_AFTER + _LE_AFTER + _EQ_AFTER)})?(?=[,;:。!?]|$)"
)
_INFIX_YEAR = r"(?:(?:\d{4}|20[Xx×]{2})年(?:底|末)?的?)?"
_BEFORE = re.compile(
    rf"(?P<cmp>{_alternation(_GE_BEFORE + _LE_BEFORE + _EQ_BEFORE)}){_INFIX_YEAR}(?P<approx>约)?$"
)
_AFTER = re.compile(rf"^(?P<cmp>{_alternation(_GE_AFTER + _LE_AFTER + _EQ_AFTER)})")
_RELATIVE = re.compile(
    r"(?P<label>[^,;:]*?(?:增长幅度|增幅|增速|增长率|增长))"
    r"(?P<cmp>不低于|不少于|不慢于|高于|快于|超过|不高于|低于|慢于)"
    r"(?P<ref>[^,;:。!?]*?(?:增长幅度|增幅|增速|增长率|增长))"
)
_RELATIVE_COMPARATOR = {"不高于": "<=", "低于": "<=", "慢于": "<="}

_CLAUSE_END = re.compile(r"[;:。!?]|(?<!\d),|,(?!\d{3}(?!\d))")
_FUNDING = re.compile(r"补助|资助|奖励|奖补|补贴|贴息|给予|资金支持|专项资金|扶持资金|一次性|最高")
_PAST_CLAUSE = re.compile(r"截至|截止|目前|现有|已达|已有|已经|已建|已累计")
_PAST_SENTENCE = re.compile(r"同比|去年|上年同期")
_BASELINE = re.compile(r"(?:由|从)(?:\d{4}年(?:底|末)?)?的?$")
_RULE_SECTION = re.compile(
    r"申报条件|申请条件|申报要求|申报主体|支持对象|支持方式|资助方式|资助标准|支持标准|补助标准|奖励标准"
)

_YEAR_TOKEN = re.compile(
    r"(?<![\d\-~—–])(?P<year>(?:19|20)\d{2}|20[Xx×]{2})年(?!度|以来|\d{1,2}月)"
)
_NOT_TARGET_YEAR = re.compile(r"(?:比|较|截至|截止|自|从|由)$")
_HORIZON_PREFIX = re.compile(r"(?:到|至|在|于)$")
_WINDOW = re.compile(rf"(?<!\d)(?P<n>\d{{1,2}}|{_CN_NUMERAL})年(?:之内|内|间|累计)")
_CUMULATIVE = re.compile(r"累计|总计|合计")
_EVERY_YEAR = re.compile(r"每年|年均|年平均")
_MARKER = (
    r"第[一二三四五六七八九十百\d]+[章节]|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)"
    r"|\d{1,2}[.、](?!\d)|\(\d{1,2}\)|\d{1,2}\)|[\u2460-\u2473]"
)
_HEADING_LEVELS = (
    re.compile(r"^第[一二三四五六七八九十百\d]+章"),
    re.compile(r"^第[一二三四五六七八九十百\d]+节"),
    re.compile(r"^[一二三四五六七八九十]+、"),
    re.compile(r"^\([一二三四五六七八九十]+\)"),
    re.compile(r"^\d{1,2}[.、](?!\d)"),
    re.compile(r"^(?:\(\d{1,2}\)|\d{1,2}\))"),
    re.compile(r"^[\u2460-\u2473]"),
)
_HEADING_MAX_CHARS = 40
_LABEL_LEAD = re.compile(
    rf"^(?:{_MARKER}|(?:到|至|在|于)?(?:\d{{4}}|20[Xx×]{{2}})年(?:底|末|前)?|每年|年均|年平均|累计"
    rf"|{_WINDOW.pattern}|力争|其中|并且|并|且)+"
)
_LABEL_TRAIL = re.compile(
    r"(?:累计|每年|年均|年平均|总计|(?:到|至|在|于)?(?:\d{4}|20[Xx×]{2})年(?:底|末|前)?)+$"
)
_LABEL_BASELINE = re.compile(r"(?:由|从)[^,;:]*$")
_BARE_PREDICATE = re.compile(r"(?:增长|提高|增加|提升|增幅|增速|下降|降低|减少)")
_SENTENCE_END = "。;!?"


@dataclass(frozen=True)
class Candidate:
    """A quantity in plan text that may be a target, with what the text says about it.

    Attributes
    ----------
    indicator : str or None
        Catalog indicator whose Chinese name or alias the label contains, or None.
    label : str
        The label of the quantity as printed (normalised, without spaces).
    value : float or None
        The number in ``unit``; the lower bound of a printed range; None for relative targets.
    unit : str
        A unit of :data:`ipindicators.catalog.units.UNITS` (``件`` becomes ``件/万人`` for per-capita
        indicators).
    comparator : {">=", "<=", "=="}
        As in the target catalog.
    year : int or None
        Target year, from the sentence, the section heading or the plan horizon.
    basis : {"level", "cumulative", "every_year"}
        As in the target catalog (累计 and N年内 are cumulative, 每年 and 年均 every year).
    window_years : int or None
        Length of a cumulative window given as N年内.
    relative_to : str or None
        For relative targets: the catalog indicator compared with (or the printed phrase).
    span : tuple of int
        Start and end of the quantity (or the relative phrase) in the original text.
    text : str
        The sentence, as in the original text.
    sentence_span : tuple of int
        Start and end of the sentence in the original text.
    note : str or None
        How the text was read where it was ambiguous.
    region, document : str or None
        As passed to :func:`extract_targets`.
    """

    indicator: str | None
    label: str
    value: float | None
    unit: str
    comparator: str
    year: int | None
    basis: str
    window_years: int | None
    relative_to: str | None
    span: tuple[int, int]
    text: str
    sentence_span: tuple[int, int]
    note: str | None = None
    region: str | None = None
    document: str | None = None


@dataclass(frozen=True)
class _Sentence:
    compact: str
    origin: tuple[int, ...]
    span: tuple[int, int]
    headings: tuple[str, ...]


@dataclass(frozen=True)
class _Year:
    value: int | None
    source: str


def _is_enclosed_number(ch: str) -> bool:
    return "\u2460" <= ch <= "\u2473"


def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC and simplified characters, without pinyin glosses; with each character's origin."""
    chars: list[str] = []
    origin: list[int] = []
    for position, ch in enumerate(text):
        out = ch if _is_enclosed_number(ch) else unicodedata.normalize("NFKC", ch)
        chars.extend(out)
        origin.extend([position] * len(out))
    joined = simplified("".join(chars))
    dropped = {i for m in PINYIN_GLOSS.finditer(joined) for i in range(m.start(), m.end())}
    kept = [i for i in range(len(joined)) if i not in dropped]
    return "".join(joined[i] for i in kept), [origin[i] for i in kept]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _heading_level(compact: str) -> int | None:
    if len(compact) > _HEADING_MAX_CHARS or any(c in compact[:-1] for c in _SENTENCE_END):
        return None
    for level, pattern in enumerate(_HEADING_LEVELS):
        if pattern.match(compact):
            return level
    return None


def _line_breaks(norm: str) -> list[int]:
    """Positions of the line breaks that end a sentence (around headings and blank lines)."""
    lines = norm.split("\n")
    breaks = []
    position = 0
    for before, after in itertools.pairwise(lines):
        position += len(before)
        prev, nxt = _squash(before), _squash(after)
        if (
            not prev
            or not nxt
            or prev.endswith(":")
            or _heading_level(prev) is not None
            or _heading_level(nxt) is not None
        ):
            breaks.append(position)
        position += 1
    return breaks


def _sentence_ranges(norm: str) -> list[tuple[int, int]]:
    cuts = sorted(
        {*_line_breaks(norm), *(i + 1 for i, c in enumerate(norm) if c in _SENTENCE_END)}
    )
    ranges = []
    start = 0
    for cut in [*cuts, len(norm)]:
        segment = norm[start:cut]
        if segment.strip():
            lead = len(segment) - len(segment.lstrip())
            ranges.append((start + lead, start + len(segment.rstrip())))
        start = cut
    return ranges


def _sentences(text: str) -> list[_Sentence]:
    norm, origin = _normalise(text)
    stack: list[tuple[int, str]] = []
    found = []
    for start, end in _sentence_ranges(norm):
        positions = [i for i in range(start, end) if not norm[i].isspace()]
        compact = "".join(norm[i] for i in positions)
        level = _heading_level(compact)
        if level is not None:
            stack = [h for h in stack if h[0] < level] + [(level, compact)]
        found.append(
            _Sentence(
                compact,
                tuple(origin[i] for i in positions),
                (origin[start], origin[end - 1] + 1),
                tuple(h for _, h in stack),
            )
        )
    return found


def _clauses(compact: str) -> list[tuple[int, int]]:
    bounds = [0, *(m.end() for m in _CLAUSE_END.finditer(compact)), len(compact)]
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


def _enclosing(compact: str, position: int) -> tuple[int, int]:
    return next((a, b) for a, b in _clauses(compact) if a <= position < b)


def _inside(compact: str, position: int, opening: str, closing: str) -> bool:
    before = compact[:position]
    return sum(before.count(c) for c in opening) > sum(before.count(c) for c in closing)


def _cn_number(numeral: str) -> int:
    digits = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
    scales = {"十": 10, "百": 100, "千": 1000}
    total, current = 0, 0
    for ch in numeral:
        if ch in digits:
            current = digits[ch]
        else:
            total += (current or 1) * scales[ch]
            current = 0
    return total + current


def _number(printed: str) -> float:
    return float(printed.replace(",", "")) if printed[0].isdigit() else float(_cn_number(printed))


def _year_tokens(compact: str) -> list[tuple[int, _Year]]:
    tokens = []
    for m in _YEAR_TOKEN.finditer(compact):
        if _inside(compact, m.start(), "《〈", "》〉") or _NOT_TARGET_YEAR.search(
            compact[: m.start()]
        ):
            continue
        printed = m.group("year")
        value = int(printed) if printed.isdigit() else None
        tokens.append((m.start(), _Year(value, m.group())))
    return tokens


def _sentence_year(sentence: _Sentence, position: int) -> _Year | None:
    before = [year for start, year in _year_tokens(sentence.compact) if start < position]
    return before[-1] if before else None


def _heading_year(sentence: _Sentence) -> _Year | None:
    for heading in reversed(sentence.headings):
        tokens = _year_tokens(heading)
        if tokens:
            return _Year(tokens[0][1].value, f"the heading {heading!r}")
    return None


def _horizon_in(sentence: _Sentence) -> _Year | None:
    starts = {0, *(b for _, b in _clauses(sentence.compact))}
    for start, year in _year_tokens(sentence.compact):
        prefix = _HORIZON_PREFIX.search(sentence.compact[:start])
        if start in starts or prefix:
            printed = (prefix.group() if prefix else "") + year.source
            return _Year(year.value, f"the plan horizon {printed!r}")
    return None


def _horizon(sentences: Sequence[_Sentence]) -> _Year | None:
    """The plan's target year: the first horizon year of the goals section, else of the text."""
    goals = [s for s in sentences if any("目标" in h for h in (*s.headings, s.compact))]
    for group in (goals, sentences):
        for sentence in group:
            found = _horizon_in(sentence)
            if found:
                return found
    return None


def _resolve_year(
    sentence: _Sentence, position: int, horizon: _Year | None
) -> tuple[int | None, str | None]:
    found = _sentence_year(sentence, position)
    if found:
        note = None if found.value else f"the year is printed as {found.source!r} (unknown)"
        return found.value, note
    for fallback in (_heading_year(sentence), horizon):
        if fallback:
            if fallback.value is None:
                return None, f"the year is unknown ({fallback.source})"
            return fallback.value, f"year from {fallback.source}"
    return None, None


def _basis_in(text: str) -> tuple[str, int | None] | None:
    window = _WINDOW.search(text)
    if window:
        n = window.group("n")
        return "cumulative", int(n) if n.isdigit() else _cn_number(n)
    if _CUMULATIVE.search(text):
        return "cumulative", None
    if _EVERY_YEAR.search(text):
        return "every_year", None
    return None


def _basis(compact: str, clause: tuple[int, int]) -> tuple[str, int | None]:
    """Basis of the clause, else the last one stated earlier in its sentence."""
    own = _basis_in(compact[clause[0] : clause[1]])
    if own:
        return own
    if not _YEAR_TOKEN.search(compact[clause[0] : clause[1]]):
        earlier = [c for c in _clauses(compact) if c[1] <= clause[0]]
        for a, b in reversed(earlier):
            found = _basis_in(compact[a:b])
            if found:
                return found
    return "level", None


@cache
def _aliases() -> tuple[tuple[str, str], ...]:
    pairs = {
        (_squash(_normalise(name)[0]), rec["id"])
        for rec in indicator_records()
        for name in (rec["name_zh"], *rec["aliases_zh"])
    }
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0], p[1])))


@cache
def _indicator_units() -> dict[str, tuple[str, tuple[str, ...]]]:
    return {rec["id"]: (rec["unit"], tuple(rec["derived_from"])) for rec in indicator_records()}


def _unit_fits(printed: str, indicator_unit: str) -> bool:
    if printed == "件" and indicator_unit.startswith("件/"):
        return True
    try:
        conversion_factor(printed, indicator_unit)
    except UsageError:
        return False
    return True


def _match_indicator(labels: Iterable[str], unit: str) -> str | None:
    for label in labels:
        for alias, indicator_id in _aliases():
            if alias in label and _unit_fits(unit, _indicator_units()[indicator_id][0]):
                return indicator_id
    return None


def _per_capita(
    indicator_id: str | None, label: str, value: float, unit: str
) -> tuple[str | None, str, str | None]:
    """Read 件 as 件/万人 where the indicator or label is per capita, or the count is a fraction."""
    if unit != "件":
        return indicator_id, unit, None
    if indicator_id and _indicator_units()[indicator_id][0].startswith("件/"):
        return indicator_id, _indicator_units()[indicator_id][0], None
    if "万人" in label:
        reason = "the label is per 10,000 people"
    elif value != int(value):
        reason = "a fraction of an item cannot be a count"
    else:
        return indicator_id, unit, None
    ratio = next(
        (
            i
            for i, (u, parts) in _indicator_units().items()
            if indicator_id and parts and parts[0] == indicator_id and u == "件/万人"
        ),
        None,
    )
    return ratio, "件/万人", f"{reason}; read as 件/万人"


def _clean_label(text: str) -> str:
    return _LABEL_TRAIL.sub("", _LABEL_LEAD.sub("", _LABEL_BASELINE.sub("", text)))


def _not_a_target(sentence: _Sentence, m: re.Match, clause: str, pre: str) -> bool:
    """Ordinals, titles, funding rules, past statistics and baselines, application rules."""
    compact, start = sentence.compact, m.start("low")
    return (
        (start > 0 and compact[start - 1] == "第")
        or _inside(compact, start, "《〈", "》〉")
        or (m.group("unit") in _MONEY_UNITS and _FUNDING.search(clause) is not None)
        or _PAST_CLAUSE.search(clause) is not None
        or _PAST_SENTENCE.search(compact) is not None
        or _BASELINE.search(pre) is not None
        or any(_RULE_SECTION.search(h) for h in sentence.headings)
    )


def _unit_and_value(m: re.Match) -> tuple[str, float, str | None]:
    unit, value = m.group("unit"), _number(m.group("low"))
    if unit in _SCALED_UNITS:
        unit, factor = _SCALED_UNITS[unit]
        value *= factor
    high = m.groupdict().get("high")
    note = f"printed as a range {m.group('low')}-{high}; the lower bound is kept" if high else None
    return unit, value, note


def _read_comparator(
    pre: str, rest: str, ranged: bool
) -> tuple[str, re.Match | None, str, list[str]]:
    """Comparator from the words after (以上 …) or before (不少于 …) the quantity.

    Returns the comparator, the match of the words before it (None if absent), the rest of the
    clause after the comparator, and notes on how the comparator was read.
    """
    after, before = _AFTER.match(rest), _BEFORE.search(pre)
    notes = []
    if after:
        comparator, rest = _COMPARATOR_OF[after.group("cmp")], rest[after.end() :]
    elif before:
        comparator = _COMPARATOR_OF[before.group("cmp")]
    else:
        comparator = ">="
        if not ranged:
            notes.append("no comparator printed; read as a minimum")
    if (before and before.group("approx")) or (after and after.group("cmp") in _EQ_AFTER):
        notes.append("printed as approximate")
    return comparator, before, rest, notes


def _join_notes(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) or None


def _quantity_candidate(
    sentence: _Sentence, m: re.Match, text: str, horizon: _Year | None, previous_label: str
) -> Candidate | None:
    compact, start = sentence.compact, m.start("low")
    a, b = _enclosing(compact, start)
    clause, pre = compact[a:b], compact[a:start]
    if _not_a_target(sentence, m, clause, pre):
        return None
    rest = re.sub(r"[,;:。!?]$", "", compact[m.end() : b])
    ranged = bool(m.groupdict().get("high"))
    comparator, before, rest, notes = _read_comparator(pre, rest, ranged)
    label_before = _clean_label(pre[: before.start()] if before else pre)
    label_after = _clean_label(rest)
    label = label_after or label_before
    if previous_label and (not label or _BARE_PREDICATE.fullmatch(label)):
        label = previous_label + label
        notes.append("the subject is that of the previous quantity in the sentence")
    unit, value, range_note = _unit_and_value(m)
    indicator_id = _match_indicator([label_after, label_before, label], unit)
    indicator_id, unit, per_capita_note = _per_capita(indicator_id, label, value, unit)
    year, year_note = _resolve_year(sentence, start, horizon)
    basis, window = _basis(compact, (a, b))
    return Candidate(
        indicator=indicator_id,
        label=label,
        value=value,
        unit=unit,
        comparator=comparator,
        year=year,
        basis=basis,
        window_years=window,
        relative_to=None,
        span=(sentence.origin[m.start("low")], sentence.origin[m.end("unit") - 1] + 1),
        text=text,
        sentence_span=sentence.span,
        note=_join_notes(range_note, *notes, per_capita_note, year_note),
    )


def _relative_candidate(
    sentence: _Sentence, m: re.Match, text: str, horizon: _Year | None
) -> Candidate:
    label = _clean_label(m.group("label"))
    reference = m.group("ref")
    indicator_id = _match_indicator([label], "%")
    relative_to = _match_indicator([reference], "%")
    year, year_note = _resolve_year(sentence, m.start("cmp"), horizon)
    return Candidate(
        indicator=indicator_id,
        label=label,
        value=None,
        unit="%",
        comparator=_RELATIVE_COMPARATOR.get(m.group("cmp"), ">="),
        year=year,
        basis="every_year",
        window_years=None,
        relative_to=relative_to or reference,
        span=(sentence.origin[m.start("cmp")], sentence.origin[m.end("ref") - 1] + 1),
        text=text,
        sentence_span=sentence.span,
        note=_join_notes(
            "a relative target: growth compared year by year with another growth rate",
            None
            if relative_to
            else f"the benchmark {reference!r} is not in the indicator catalog",
            year_note,
        ),
    )


def _quantities(compact: str) -> list[re.Match]:
    """Arabic quantities, and Chinese-numeral counts after a comparator or verb or ending a clause.

    Sessions (期) in Chinese numerals count only after a comparator (一期 is often a phase), and
    a lone 一 ending a clause is an article ("a", "each"), not a count.
    """
    found = {m.start("low"): m for m in _QUANTITY.finditer(compact)}
    for pattern in (_CN_AFTER_COMPARATOR, _CN_AFTER_VERB, _CN_AT_CLAUSE_END):
        for m in pattern.finditer(compact):
            found.setdefault(m.start("low"), m)
    return [found[k] for k in sorted(found)]


def _sentence_candidates(
    sentence: _Sentence, original: str, horizon: _Year | None
) -> list[Candidate]:
    text = original[sentence.span[0] : sentence.span[1]]
    found: list[Candidate] = []
    numbered = set()
    for m in _quantities(sentence.compact):
        numbered.add(_enclosing(sentence.compact, m.start("low"))[0])
        previous = found[-1].label if found else ""
        candidate = _quantity_candidate(sentence, m, text, horizon, previous)
        if candidate:
            found.append(candidate)
    for a, b in _clauses(sentence.compact):
        relative = _RELATIVE.search(sentence.compact, a, b)
        if relative and a not in numbered:
            found.append(_relative_candidate(sentence, relative, text, horizon))
    return found


def extract_targets(
    text: str, region: str | None = None, document: str | None = None
) -> list[Candidate]:
    """Find the quantified targets a plan text states.

    Parameters
    ----------
    text : str
        The plan's text (see :func:`read_policy_text`); full-width characters, traditional
        characters, spaces and line breaks inside sentences are allowed.
    region, document : str, optional
        Stored on each candidate (used by :func:`candidates_to_yaml`).

    Returns
    -------
    list of Candidate
        In text order. Funding rules, past statistics, ordinals, titles and application rules
        are left out; dates, document numbers, phone numbers and durations are never read.
    """
    sentences = _sentences(text)
    horizon = _horizon(sentences)
    found = [c for s in sentences for c in _sentence_candidates(s, text, horizon)]
    return [
        replace(c, region=region, document=document) for c in sorted(found, key=lambda c: c.span)
    ]


_BINARY_SHARE = 0.05
_TEXT_CONTROLS = "\n\r\t\f"


def _binary_problem(raw: bytes) -> str | None:
    if b"\x00" in raw:
        return "the file is binary (it contains NUL bytes)"
    controls = sum(1 for b in raw if (b < 0x20 or b == 0x7F) and chr(b) not in _TEXT_CONTROLS)
    if controls > _BINARY_SHARE * len(raw):
        return "the file is binary (mostly control bytes, not text)"
    return None


def _text_problem(text: str) -> str | None:
    if not text.strip():
        return "the file is empty"
    odd = sum(
        1
        for c in text
        if unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs") and c not in _TEXT_CONTROLS
    )
    if odd > _BINARY_SHARE * len(text):
        return "the file is binary (mostly non-text characters)"
    return None


def read_policy_text(path: str | Path) -> str:
    """Read a policy text file in UTF-8 (with or without BOM) or GB18030/GBK.

    Parameters
    ----------
    path : str or Path
        The text file.

    Returns
    -------
    str
        The decoded text (without a BOM).

    Raises
    ------
    InputError
        Naming the file when it is missing, empty, binary (NUL bytes or mostly non-text) or
        neither UTF-8 nor GB18030.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror or exc}") from None
    problem = _binary_problem(raw)
    if problem:
        raise InputError(str(path), problem)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        problem = _text_problem(text)
        if problem:
            raise InputError(str(path), problem)
        return text
    raise InputError(str(path), "the file is neither UTF-8 nor GB18030/GBK text")


def extract_file(
    path: str | Path, region: str | None = None, document: str | None = None
) -> list[Candidate]:
    """Read a policy text file and extract its candidate targets.

    Parameters
    ----------
    path : str or Path
        UTF-8 or GB18030/GBK text (see :func:`read_policy_text`).
    region, document : str, optional
        Default to the region and id of the catalog document whose file has this name; the
        document defaults to the file name when the catalog does not know the file.

    Returns
    -------
    list of Candidate
        As :func:`extract_targets`.
    """
    known = catalog_document(path)
    region = region or (known.region if known else None)
    document = document or (known.id if known else Path(path).name)
    return extract_targets(read_policy_text(path), region=region, document=document)


def candidate_records(candidates: Iterable[Candidate]) -> list[dict]:
    """Candidates as plain dicts (spans as tuples), e.g. for :func:`ipindicators.output.render`."""
    return [asdict(c) for c in candidates]


def candidates_frame(candidates: Iterable[Candidate]) -> pd.DataFrame:
    """Candidates as a DataFrame, one row each, with the columns of :class:`Candidate`."""
    columns = list(Candidate.__dataclass_fields__)
    return pd.DataFrame(candidate_records(candidates), columns=columns)


def highlight_html(candidate: Candidate) -> str:
    """The candidate's sentence as HTML, with the quantity in ``<mark>``."""
    start = candidate.span[0] - candidate.sentence_span[0]
    end = candidate.span[1] - candidate.sentence_span[0]
    text = candidate.text
    return (
        f"{html.escape(text[:start])}<mark>{html.escape(text[start:end])}</mark>"
        f"{html.escape(text[end:])}"
    )


def candidates_html(candidates: Iterable[Candidate]) -> str:
    """An HTML table of candidates with each sentence and its quantity highlighted."""
    columns = ("indicator", "label", "comparator", "value", "unit", "year", "basis", "note")
    header = "".join(f"<th>{c}</th>" for c in (*columns, "sentence"))
    rows = []
    for c in candidates:
        cells = "".join(
            f"<td>{html.escape('' if getattr(c, k) is None else str(getattr(c, k)))}</td>"
            for k in columns
        )
        rows.append(f"<tr>{cells}<td>{highlight_html(c)}</td></tr>")
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def catalog_document(path: str | Path) -> Document | None:
    """The catalog document whose policy file has this file name, or None."""
    name = Path(path).name
    frame = documents()
    chosen = frame.index[frame["file"] == name]
    return document(chosen[0]) if len(chosen) else None


_LINE_BREAK = re.compile(r"\s*\n\s*")


class _Quoted(str):
    """A string that YAML prints in double quotes, as the catalog writes comparators and %."""


class _CatalogDumper(yaml.SafeDumper):
    """Safe YAML dumper that double-quotes :class:`_Quoted` strings."""


_CatalogDumper.add_representer(
    _Quoted, lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
)


def _provisional_id(candidate: Candidate, region: str, taken: set[str]) -> str:
    what = (candidate.indicator or "target").replace("_", "-")
    base = "-".join(str(p) for p in (region, candidate.year, what) if p is not None)
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def _yaml_entry(candidate: Candidate, entry_id: str, region: str, document_id: str) -> dict:
    value = candidate.value
    if value is not None and value == int(value):
        value = int(value)
    entry = {
        "id": entry_id,
        "region": region,
        "indicator": candidate.indicator,
        "label_zh": candidate.label or None,
        "comparator": _Quoted(candidate.comparator),
        "value": value,
        "unit": _Quoted(candidate.unit) if candidate.unit == "%" else candidate.unit,
        "year": candidate.year,
        "basis": candidate.basis,
        "window_years": candidate.window_years,
        "relative_to": candidate.relative_to,
        "document": document_id,
        "quote": _LINE_BREAK.sub("", candidate.text),
        "note": candidate.note,
    }
    return {k: v for k, v in entry.items() if v is not None}


def candidates_to_yaml(
    candidates: Iterable[Candidate], region: str | None = None, document: str | None = None
) -> str:
    """Candidates as entries of ``catalog/targets.yaml``, ready to review and append.

    Parameters
    ----------
    candidates : iterable of Candidate
        From :func:`extract_targets`.
    region, document : str, optional
        Region and document ids of the entries; each defaults to the candidate's own.

    Returns
    -------
    str
        One YAML list item per candidate, separated by blank lines, each with a provisional id
        and the sentence as ``quote``.

    Raises
    ------
    UsageError
        If a candidate has no region or document, or the region is not in the catalog.
    """
    taken: set[str] = set()
    blocks = []
    for c in candidates:
        region_id, document_id = region or c.region, document or c.document
        if not region_id or not document_id:
            raise UsageError("candidates need a region and a document to become catalog entries")
        if not is_region(region_id):
            raise UsageError(f"unknown region {region_id!r}")
        entry = _yaml_entry(c, _provisional_id(c, region_id, taken), region_id, document_id)
        blocks.append(
            yaml.dump(
                [entry], Dumper=_CatalogDumper, allow_unicode=True, sort_keys=False, width=1000
            )
        )
    return "\n".join(blocks)
