"""Dates printed on a page: every form Chinese documents use, with the role each one plays.

Why not dateparser: on this machine (measured-facts.md) it returns None for Chinese and
financial numerals, turns OCR-spaced ``2013 年 6 月`` into year 0010 and finds only the first of
two dates in a sentence. cn2an converts every numeral in a text (第三届 → 第3届). So dates are
matched here with explicit patterns whose character classes already admit the usual OCR
confusions (O/o/〇/○/。 for zero, l/I/| for one, + for 十, 曰/H/口 for 日), and only the
matched span is converted to numbers with a small digit map. Every value is validated (year
1950–2100, real month and day) before it becomes a mention.

Roles come from the words around a date (编制日期, 录用, 出版日期, 聘期自…起, a date standing
alone on its line = 落款). Look-alikes that are not dates (GB 3838-2002, ISSN 1234-5678, phone
numbers, 〔2021〕12号, amounts such as 2021.5万元) are dropped. Real dates that are never an
achievement date (收稿日期, the end of a 聘期, a standard's 实施 date, 有效期至, 出生) are kept with
role ``unknown`` and a ``decoy`` reason so that the achievement logic can skip them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import BBox, DateMention, DateRole, PageText, PartialDate
from ..text.normalize import normalize_text

YEAR_MIN, YEAR_MAX = 1950, 2100  # the span a professional-title document can plausibly carry

# --------------------------------------------------------------------------- digit maps

# Characters that stand for a digit inside a date span. Arabic look-alikes are what Tesseract
# chi_sim+eng produces for 0 and 1; Chinese zero look-alikes include 。 (二。二一) and ○/◯.
_ARABIC_LIKE = {"O": 0, "o": 0, "l": 1, "I": 1, "|": 1}
_CN_DIGIT = {
    "〇": 0, "零": 0, "○": 0, "◯": 0, "。": 0, "O": 0, "o": 0, "0": 0, "О": 0, "@": 0,
    "”": 0, "“": 0, "\"": 0, "°": 0, "Q": 0,
    # 零 misread as another character under its 雨 (Tesseract: 需/雾/云, RapidOCR: 雾/雪),
    # 〇 as D, 八 as 人 (RapidOCR under a seal: 二〇一人年)
    "需": 0, "雾": 0, "云": 0, "雪": 0, "霁": 0, "雫": 0, "D": 0, "人": 8,
    "一": 1, "壹": 1, "二": 2, "贰": 2, "貳": 2, "两": 2, "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "陸": 6, "七": 7, "柒": 7,
    "八": 8, "捌": 8, "九": 9, "玖": 9,
}
_CN_TEN = {"十": 10, "拾": 10, "+": 10, "廿": 20, "卅": 30}

_A = r"[0-9OolI|]"  # an Arabic digit or its OCR look-alike
_C = "[〇零○◯。OoО0@”“\"°Q需雾云雪霁雫D一壹二贰貳三叁參四肆五伍六陆陸七柒八人捌九玖]"  # year digit
# Zero look-alikes: Tesseract reads the large circle 〇 as "O", "@", "。", a quote, and often as
# two symbols ("O 〇", "@ 〇"), so a Chinese year may arrive with 5–6 characters.
_ZERO_LIKE = frozenset("〇零○◯。OoО0@”“\"°Q需雾云雪霁雫D")
_CN_SMALL = "[〇零一壹二贰貳两三叁參四肆五伍六陆陸七柒八捌九玖十拾+廿卅]"  # month/day numerals
_SP = r"[ \t]*"

# Tesseract leaves spaces around a Latin O read inside a Chinese year (二 O 一九年).
_YEAR = rf"(?P<y>(?<![0-9A-Za-z]){_A}{{4}}|{_C}(?:{_SP}{_C}){{3,5}})"
_MONTH = rf"(?P<m>{_A}{{1,2}}|{_CN_SMALL}{{1,3}}|元|正)"
_DAY = rf"(?P<d>{_A}{{1,2}}|{_CN_SMALL}{{1,4}})"

# 2021年3月5日 / 2021年03月 / 二〇二一年三月五日 / 贰零贰壹年叁月 (年 is sometimes read 午).
_CJK_DATE = re.compile(
    rf"{_YEAR}{_SP}[年午]{_SP}{_MONTH}{_SP}月"
    # the day's 日 is sometimes read as 曰/H/口/B, or lost at the end of a line — but a day
    # without its 日 must be real digits: a frame line or seal edge after 月 reads as | or l
    rf"(?:{_SP}{_DAY}{_SP}(?P<dsuf>[日曰号H口B])"
    # (Arabic, or a Chinese day of the tens, 十 … 三十一: a rule line under a running header
    # reads as 一一, which is no Chinese numeral)
    rf"|{_SP}(?P<dbare>[0-9]{{1,2}}|[一二三]?[十拾][一二三四五六七八九]?|[廿卅][一二三四五六七八九]?)"
    rf"(?=[ \t]*$))?"
)
# 一九年三月 / 〇二一年九月: a Chinese year whose first characters are lost. Under a seal in a
# grey scan the ring crosses the start of the date line, and OCR drops 二〇 (measured on the
# fixture holdout: RapidOCR read 一九年三月, 0二一年九月, 二三年八月十 for dates of 20xx). The
# last two digits that remain are the year in this century; only at the start of a line (a
# signature or cover date line) and only when no full date was read there.
_SHORT_YEAR_DATE = re.compile(
    rf"^[^\u4e00-\u9fff\n]{{0,3}}?(?P<y>{_C}{{2,3}}){_SP}年{_SP}{_MONTH}{_SP}月"
    rf"(?:{_SP}{_DAY}{_SP}(?P<dsuf>[日曰号H口B]))?")
SHORT_YEAR_CENTURY = 2000  # two-digit years of achievements are this century's…
SHORT_YEAR_MAX = 39  # …up to 2039; a larger two-digit year is not taken for this century
# 2021.3.5 / 2021-03-05 / 2021/3/5 / 2021.03 — one separator used throughout.
_SEP_DATE = re.compile(
    rf"(?P<y>(?<![0-9A-Za-z.]){_A}{{4}}){_SP}(?P<sep>[.\-/]){_SP}(?P<m>{_A}{{1,2}})"
    rf"(?:{_SP}(?P=sep){_SP}(?P<d>{_A}{{1,2}}))?(?![0-9A-Za-z]|\.[0-9]|(?P=sep)[0-9])"
)
# 2021年第6期 — an issue number, turned into a month only for a monthly journal (see
# ``issue_date``); found separately so that it never becomes a date on its own.
ISSUE = re.compile(
    rf"(?P<y>(?<![0-9A-Za-z]){_A}{{4}}){_SP}年{_SP}第?{_SP}(?P<n>{_A}{{1,2}}){_SP}期"
)

# What may not follow a separator-form date: an amount or a measure (2021.5万元, 1998.5平方米).
_UNIT_AFTER = re.compile(r"^[ \t]*(?:[万亿元%‰吨米平方立公亩顷kmgtLl]|个|项|人|次|页|号)")
# Standard and document numbers: GB 3838-2002, GB/T 2021.3-2018, HJ 91.1-2019, DB33/T 2021-05.
_STANDARD_BEFORE = re.compile(
    r"(?:GB|HJ|DB\d*|JGJ|CJJ|CJ|SL|HG|NY|SH|JB|YY|QB|T/[A-Z]+)(?:/[TZ])?[ \t]*$"
)
_DOC_NUMBER_AROUND = re.compile(r"[\[(（]$")
_ISSN_CN_BEFORE = re.compile(r"(?:ISSN|CN|刊号|电话|传真|手机|Tel|TEL|邮编|编号|账号)[:：]?[ \t]*$")

# --------------------------------------------------------------------------- role words

# Checked in this order; the first that matches decides. Context is the text just before the
# date (cut at the previous date on the line, so one date's label never leaks to the next) and
# the few characters just after it.
_DECOY_BEFORE = (
    ("received", re.compile(
        # the label word is enough: OCR damages 日期 (收稿月期) more often than 收稿
        r"(?:收稿|来稿|投稿|修回|修改稿|收到)[^\n\d]{0,4}$")),
    ("expiry", re.compile(
        r"(?:有效期|有效期至|有效期限|截止|截至|到期)(?:日期|时间)?[:：至]?[ \t]*$")),
    # the start of a project's period (起止时间：2021年3月至2022年12月): a cover's 编制 date is
    # printed below it, and the generic ``时间：`` label would make the period's start "issued"
    # (the bench's cover took 2021年3月 for its date and was read a second time for the day)
    ("period_start", re.compile(
        # …but a term of office (聘期起止时间) starts the appointment
        r"(?<!聘期)(?<!聘任)(?<!聘用)(?<!任职)(?<!任期)"
        r"(?:起止|起讫|起迄)(?:时间|日期|年限|年月)?[ \t]*[:：]?[ \t]*$"
        r"|(?:执行|实施|研究|项目|建设)(?:期限|周期|年限)[ \t]*[:：]?[ \t]*$")),
    # …起至 / …到 before the end of a term; a dash or tilde only right after the term's start
    # (2021.01-2023.12): a stray 止 or - left by a seal edge or a signature on the line above a
    # letter's date (编辑部-\n2018.5.15) is no term
    ("period_end", re.compile(r"(?:至|到|[0-9年月日号][ \t]*[~～\-—–―])[ \t]*$")),
    ("effective", re.compile(r"(?:实施|施行|生效)(?:日期|时间)[ \t]*[:：]?[ \t]*$")),
    ("birth", re.compile(r"(?:出生|生日|出生年月|出生日期)[:：]?[ \t]*$")),
)
_DECOY_AFTER = (
    ("effective", re.compile(r"^[ \t]*(?:起)?(?:实施|施行|生效)")),
    ("period_end", re.compile(r"^[ \t]*(?:止|截止|到期)")),
    ("birth", re.compile(r"^[ \t]*(?:出生|生)")),
)
_ROLE_BEFORE = (
    (DateRole.appointed, re.compile(
        r"(?:聘期|聘任|聘用|受聘|起聘|聘为|任职|聘请|取得(?:资格)?|资格取得|评审通过|批准|任期)"
        r"(?:[^\n]{0,8})$"
        # …期自<date>起: a term's start whose 聘 OCR misread (精期自, 聊期自)
        r"|(?<!有效)期自[ \t]*$")),
    (DateRole.accepted, re.compile(r"录用[^\n]{0,8}$")),
    (DateRole.published, re.compile(
        r"(?:出版|出刊|刊出|刊发|发表|见刊)[^\n]{0,6}$"
        # a journal's running header: 第23卷第6期 环境与发展 2021年6月
        r"|第[0-9OolI]{1,3}期[^\n\d]{0,14}$")),
    (DateRole.issued, re.compile(
        r"(?:编制|填报|发布|印发|颁发|发证|签发|落款|完成|报告|成文|发文|制表|签订|批准)"
        r"(?:日期|时间)[ \t]*[:：]?[ \t]*$|(?:日期|时间)[ \t]*[:：][ \t]*$")),
)
_ROLE_AFTER = (
    (DateRole.appointed, re.compile(r"^[ \t]*(?:起)?[^\n]{0,4}(?:聘|任职)")),
    (DateRole.accepted, re.compile(r"^[^\n]{0,4}录用")),
    (DateRole.published, re.compile(r"^[^\n]{0,3}(?:出版|刊出|出刊|发表)")),
    (DateRole.issued, re.compile(r"^[^\n]{0,3}(?:印发|发布|颁发|编制|签发)")),
)
_CONTEXT_BEFORE = 14  # characters of context kept before a date (a label and its colon)
_CONTEXT_AFTER = 8
_STANDALONE_JUNK = 3  # OCR reads seal edges and frame lines as stray marks (人, |, /) on a line
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]{2}")  # …but two Han characters in a row are words
_CONTEXT_JUNK = re.compile(r"[\s|‖¦]+")  # OCR's column rules and stray bars inside a label
_LINE_FILLER = re.compile(r"[\s:：,，。.、()（）\[\]]*")


@dataclass(frozen=True)
class FoundDate:
    """A date with the reason it is not an achievement date, if it is a decoy."""

    mention: DateMention
    decoy: str | None = None  # received | period_start | period_end | effective | expiry | birth
    standalone: bool = False  # alone on its line (落款 or a cover's date line)
    labelled: bool = False  # the role came from a label word, not from position


# --------------------------------------------------------------------------- conversion


def _arabic(s: str) -> int | None:
    digits = []
    for ch in s:
        if ch.isdigit():
            digits.append(int(ch))
        elif ch in _ARABIC_LIKE:
            digits.append(_ARABIC_LIKE[ch])
        else:
            return None
    return int("".join(map(str, digits))) if digits else None


def _cn_year(s: str) -> int | None:
    """A year in Chinese digits; an over-long OCR reading has its doubled zeros collapsed."""
    if len(s) < 4 or any(ch not in _CN_DIGIT for ch in s):
        return None
    chars = list(s)
    while len(chars) > 4:  # "二O〇一七" → "二O一七": merge the first pair of adjacent zeros
        pair = next((i for i in range(len(chars) - 1)
                     if chars[i] in _ZERO_LIKE and chars[i + 1] in _ZERO_LIKE), None)
        if pair is None:
            chars = chars[-4:]  # "一二〇二一": a stray numeral before the year
            break
        del chars[pair + 1]
    year = int("".join(str(_CN_DIGIT[ch]) for ch in chars))
    return year if YEAR_MIN <= year <= YEAR_MAX else None


def _cn_small(s: str) -> int | None:
    """一..三十一 in Chinese numerals (十二, 二十一, 廿一, 拾贰, 〇三)."""
    if s in ("元", "正"):
        return 1
    if s.startswith("一十"):
        # Dates write 十六, never 一十六: a 二十六 whose upper stroke was lost (whitened with
        # the red seal over it, or crossed by its ring). Not a date, rather than a wrong one.
        return None
    total = 0
    pending: int | None = None
    for ch in s:
        if ch in _CN_TEN:
            base = _CN_TEN[ch]
            if base == 10:
                total += (pending if pending is not None else 1) * 10
            else:
                if pending is not None:
                    return None
                total += base
            pending = None
        elif ch in _CN_DIGIT:
            d = _CN_DIGIT[ch]
            pending = d if pending is None else pending * 10 + d
        else:
            return None
    if pending is not None:
        total += pending
    return total


def _number(s: str) -> int | None:
    if not s:
        return None
    n = _arabic(s)
    return n if n is not None else _cn_small(s)


_REAL_CN_DIGITS = frozenset("〇零一二三四五六七八九壹贰叁肆伍陆柒捌玖")


def _real_digit_count(s: str) -> int:
    return sum(ch.isdigit() or ch in _REAL_CN_DIGITS for ch in s)


def to_partial_date(year: int | None, month: int | None, day: int | None) -> PartialDate | None:
    """A validated date, or None when a part is missing or out of range."""
    if year is None or month is None or not YEAR_MIN <= year <= YEAR_MAX:
        return None
    try:
        return PartialDate(year, month, day)
    except ValueError:
        return None


def parse_date_text(text: str) -> PartialDate | None:
    """The date in ``text`` when the whole string is one date (used by tests and the bench)."""
    s = normalize_text(text).strip()
    for pattern in (_CJK_DATE, _SEP_DATE):
        m = pattern.fullmatch(s)
        if m:
            return _value(m)
    return None


def _short_year_value(m: re.Match[str]) -> PartialDate | None:
    y = m.group("y")
    if not any(ch in _REAL_CN_DIGITS for ch in y):
        return None  # 0人年 (a smudge and a seal stroke): only look-alikes, nothing to guess from
    # What survives of 二〇二一 is its end (〇二一, 二一), never its start (二〇, 二〇三 where
    # 二一 ran together into 三): three characters start with the zero, two do not end in one…
    # …or its 〇 alone was lost: 二一九 (RapidOCR on a phone photo of a degree certificate, seed
    # 7901, twice alike), whose first 二 and non-zero second character fit no other year.
    lost_zero = len(y) == 3 and y[0] == "二" and y[1] not in _ZERO_LIKE
    if (len(y) == 3 and y[0] not in _ZERO_LIKE and not lost_zero) or (
            len(y) == 2 and y[1] in _ZERO_LIKE and y[0] not in _ZERO_LIKE):
        return None
    digits = [_CN_DIGIT[ch] for ch in y[-2:]]
    if digits[0] * 10 + digits[1] > SHORT_YEAR_MAX:
        return None  # 九五年: last century's, or a misreading; not guessed
    month = _number(m.group("m"))
    d = m.group("d")
    day = _number(d) if d else None
    if d and day is None:
        return None
    return to_partial_date(SHORT_YEAR_CENTURY + digits[0] * 10 + digits[1], month, day)


def _value(m: re.Match[str]) -> PartialDate | None:
    if m.re is _SHORT_YEAR_DATE:
        return _short_year_value(m)
    ys = re.sub(r"[ \t]+", "", m.group("y"))
    # A year must carry at least two real digits: "lOOl" is not a year, "2O2l" is.
    if _real_digit_count(ys) < 2:
        return None
    year = _arabic(ys)
    if year is None:
        year = _cn_year(ys)
    month = _number(m.group("m"))
    groups = m.groupdict()
    d = groups.get("d") or groups.get("dbare")
    day = _number(d) if d else None
    if d and day is None:
        return None
    return to_partial_date(year, month, day)


# --------------------------------------------------------------------------- context


# A line that ends inside a date (…聘期自2021年) and a next line that continues it (3月1日起…):
# wrapped body text splits dates; such lines are matched as one.
_DATE_HEAD_AT_END = re.compile(
    rf"(?:{_A}{{1,4}}|{_C}(?:{_SP}{_C}){{0,3}}){_SP}"
    rf"(?:[年午]{_SP}(?:{_MONTH}{_SP}(?:月{_SP}{_DAY}?)?)?)?$"
    .replace("(?P<m>", "(?:").replace("(?P<d>", "(?:"))
_DATE_TAIL_AT_START = re.compile(rf"^{_SP}(?:[年午月日曰号]|{_A}|{_CN_SMALL})")


def _union(a: BBox | None, b: BBox | None) -> BBox | None:
    if a is None or b is None:
        return a or b
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _lines_with_boxes(page_text: PageText) -> list[tuple[str, BBox | None]]:
    """Lines of the page with their bbox; a date wrapped over two lines is joined back."""
    raw: list[tuple[str, BBox | None]]
    if page_text.spans:
        raw = [(normalize_text(s.text), s.bbox) for s in page_text.spans]
    else:
        raw = [(normalize_text(line), None) for line in page_text.text.split("\n")]
    out: list[tuple[str, BBox | None]] = []
    for line, bbox in raw:
        if out and _DATE_HEAD_AT_END.search(out[-1][0]) and _DATE_TAIL_AT_START.match(line):
            prev, prev_box = out.pop()
            joined = prev + line
            # Join only when it completes a valid date across the break (聘期自二\n〇一六年…);
            # else keep the lines apart.
            if any(m.start() < len(prev) < m.end() and _value(m) is not None
                   for p in (_CJK_DATE, _SEP_DATE) for m in p.finditer(joined)):
                out.append((joined, _union(prev_box, bbox)))
                continue
            out.append((prev, prev_box))
        out.append((line, bbox))
    return out


def _decoy_lookalike(line: str, start: int) -> bool:
    """A standard, ISSN/CN, phone or document number, or an amount: not a date at all."""
    before = line[max(0, start - 12) : start]
    if _STANDARD_BEFORE.search(before) or _ISSN_CN_BEFORE.search(before):
        return True
    # 〔2021〕12号 reads as [2021]12号 after normalisation; (2021)12号 after OCR.
    return bool(_DOC_NUMBER_AROUND.search(before) and re.match(r"^[\])）]", line[start + 4:]))


def _role(before: str, after: str) -> tuple[DateRole, str | None, bool]:
    """(role, decoy reason, whether a label word decided it)."""
    for reason, pattern in _DECOY_BEFORE:
        if pattern.search(before):
            return DateRole.unknown, reason, True
    for reason, pattern in _DECOY_AFTER:
        if pattern.search(after):
            return DateRole.unknown, reason, True
    for role, pattern in _ROLE_BEFORE:
        if pattern.search(before):
            return role, None, True
    for role, pattern in _ROLE_AFTER:
        if pattern.search(after):
            return role, None, True
    return DateRole.unknown, None, False


# 二〇二二年 read as 二楼二二年 (RapidOCR, a phone photo of an acceptance letter, seed 7902): the
# second character of a Chinese year of this century is always 〇, so one Han character there
# that is no numeral, between 二 and two Chinese digits and followed by a whole month and day,
# is that 〇 misread. Only with the day: a bare 年…月 is too little to vouch for the guess.
_CENTURY_ZERO = re.compile(
    r"(?<=二)(?P<z>[\u4e00-\u9fff])(?=[〇零一二三四五六七八九]{2}[ \t]*年[ \t]*[一二三四五六七八九十]{1,3}"
    r"[ \t]*月[ \t]*[一二三四五六七八九十廿卅]{1,4}[ \t]*日)")


def _restore_century_zero(line: str) -> str:
    """The line with a misread 〇 of a 20xx Chinese year put back (same length)."""
    return _CENTURY_ZERO.sub(
        lambda m: m.group("z") if m.group("z") in _REAL_CN_DIGITS or m.group("z") in _CN_TEN
        else "〇", line)


def find_dates_detailed(page_text: PageText, page: int) -> list[FoundDate]:
    """Every date on the page, with role, decoy reason and position (reading order)."""
    found: list[FoundDate] = []
    lines = _lines_with_boxes(page_text)
    previous_tail = ""
    for raw_line, bbox in lines:
        line = _restore_century_zero(raw_line)
        matches: list[re.Match[str]] = []
        for pattern in (_CJK_DATE, _SEP_DATE):
            for m in pattern.finditer(line):
                if any(m.start() < o.end() and o.start() < m.end() for o in matches):
                    continue
                matches.append(m)
        if not matches:
            short = _SHORT_YEAR_DATE.match(line)
            if short is not None:
                matches.append(short)
        matches.sort(key=lambda m: m.start())
        cut = 0
        for m in matches:
            # a short year's match may begin with the junk before it (seal-edge marks)
            start = m.start("y") if m.re is _SHORT_YEAR_DATE else m.start()
            end = m.end()
            if m.re is _SEP_DATE:
                if _UNIT_AFTER.match(line[end:]) or _decoy_lookalike(line, start):
                    continue
            elif _decoy_lookalike(line, start):
                continue
            value = _value(m)
            if value is None:
                continue
            # (after an earlier date on the line, its last character: a dash after it is a term)
            before = line[max(cut - 1 if cut else 0, start - _CONTEXT_BEFORE) : start]
            if cut == 0 and start < _CONTEXT_BEFORE:
                # Near the start of its line the label may begin on the previous line
                # (编制日期：\n2021年6月; 聘\n期自2020年7月1日起).
                before = (previous_tail + before)[-_CONTEXT_BEFORE:]
            after = line[end : end + _CONTEXT_AFTER]
            role, decoy, labelled = _role(_CONTEXT_JUNK.sub("", before), after)
            rest = _LINE_FILLER.sub("", line[:start] + line[end:])
            standalone = len(rest) <= _STANDALONE_JUNK and not _CJK_WORD.search(rest)
            if role is DateRole.unknown and decoy is None and standalone:
                role = DateRole.issued  # a date alone on its line: 落款, or a cover's date
            found.append(FoundDate(
                DateMention(page=page, text=line[start:end], value=value, role=role, bbox=bbox),
                decoy=decoy, standalone=standalone, labelled=labelled,
            ))
            cut = end
        previous_tail = line[-_CONTEXT_BEFORE:] if line.strip() else previous_tail
    return found


def find_dates(page_text: PageText, page: int) -> list[DateMention]:
    """Every date printed on the page, in reading order, each with its role."""
    return [f.mention for f in find_dates_detailed(page_text, page)]


# A date whose day was lost or garbled: a labelled date line that yields no exact date
# (出版日期：202142064 30H, 编制日期：2015年7月 :日), or a month followed by a digit and junk
# where 日 should be (2015年3月1 is]). Such a page deserves a second reading.
_DATE_LABEL = re.compile(
    r"(?:出版|编制|发证|颁发|签发|填报|发布|录用|落款)(?:日期|时间)[ \t]*[:：;；]?(?P<rest>[^\n]*)")
_LOST_DAY = re.compile(
    rf"{_SP}(?:[0-9]{{1,2}}{_SP}[^\s\d日曰号H口B\u4e00-\u9fff]|[^\s\d\u4e00-\u9fff]{{1,3}}{_SP}[日曰])")


def has_damaged_date(page_text: PageText) -> bool:
    """Whether a printed date on the page was read without its day or not at all."""
    for line, _ in _lines_with_boxes(page_text):
        m = _DATE_LABEL.search(line)
        if (m and sum(ch.isdigit() for ch in m.group("rest")) >= 4
                and not find_dates_detailed(PageText(m.group("rest")), 0)):
            return True
        for date in _CJK_DATE.finditer(line):
            if (date.group("d") is None and date.group("dbare") is None
                    and _LOST_DAY.match(line, date.end())):
                return True
    return False


@dataclass(frozen=True)
class IssueMention:
    """``2021年第6期``: a journal issue (not a date by itself)."""

    page: int
    text: str
    year: int
    number: int


def find_issues(page_text: PageText, page: int) -> list[IssueMention]:
    out: list[IssueMention] = []
    for line, _ in _lines_with_boxes(page_text):
        for m in ISSUE.finditer(line):
            year, number = _arabic(m.group("y")), _arabic(m.group("n"))
            if year is None or number is None or not YEAR_MIN <= year <= YEAR_MAX:
                continue
            if 1 <= number <= 53:
                out.append(IssueMention(page, m.group(0), year, number))
    return out


# --------------------------------------------------------------------------- half dates

# A line that shapes a date (a year of 2–6 characters before 年, a 月 after it) but yields
# none: 二9二二年→月三十日 (RapidOCR on the red channel of set H doc_021: the seal's remaining
# pink read as 9 for 〇 and → for 一). Such a line is worth reading again on its own
# (``verify.text.read``), and what it still shows checks what the new reading says.
# (nothing may be left of the year: 1年六月, 年二月十八日 when the ring took 二〇二 or 二零一三)
_HALF_DATE = re.compile(r"[年午][ \t]*[^\n]{0,4}?月")
HALF_DATE_MAX_CHARS = 24  # a 落款 or cover date line; a longer line is body text

_ZERO_LOOKALIKE_VALUE = frozenset("〇零○◯。OoО0@”“\"°Q")


# After a month-only date, what is left of a lost day: a 日 within a few characters, or a few
# marks that are no word (2015年7月 :日, 二〇二一年十二月 |l); 十二月生 is a birth month.
# A day whose 日 was misread is a day's numerals and one more character (二十四扫).
_LOST_DAY_AFTER = re.compile(
    r"^(?:[^\n]{0,4}[日曰]|[^\u4e00-\u9fff]{1,4}$|(?:[0-9]{1,2}|[一二三]?十[一二三四五六七八九]?"
    r"|[一二三四五六七八九])[^\s]?$)")


# A date line whose separators were lost: 2021521 for 2021.5.21 (RapidOCR on a blurred scan's
# red channel, set H doc_089), alone on its line.
_BARE_DIGIT_DATE = re.compile(r"^[^0-9]{0,3}(?:19|20)[0-9]{4,6}[^0-9]{0,3}$")


def is_half_date(line: str) -> bool:
    """Whether ``line`` has a date's shape (…年…月, or a bare run of a date's digits alone on
    its line) but no readable date, or a month-only date followed by what is left of its
    day."""
    flat = re.sub(r"\s+", "", normalize_text(line))
    if not flat or len(flat) > HALF_DATE_MAX_CHARS:
        return False
    if _BARE_DIGIT_DATE.match(flat):
        return not find_dates_detailed(PageText(flat), 1)
    if not _HALF_DATE.search(flat):
        return False
    found = [m for m in _CJK_DATE.finditer(flat) if _value(m) is not None]
    if not found:
        return True
    return all(m.group("d") is None and m.group("dbare") is None
               and _LOST_DAY_AFTER.match(flat[m.end():]) is not None for m in found)


def _chinese_script(text: str) -> bool:
    return any(ch in _REAL_CN_DIGITS or ch in _CN_TEN for ch in text)


def _char_value(ch: str, chinese: bool) -> int | None:
    """A digit character's value within a date written in one script, or None (unknown): an
    Arabic digit inside a Chinese date is a misread character (二9二二 for 二〇二二), as is a
    Han character inside an Arabic date; zero look-alikes are zero in both."""
    if ch in _ZERO_LOOKALIKE_VALUE:
        return 0
    if chinese:
        if ch in _CN_TEN:
            return _CN_TEN[ch]
        return _CN_DIGIT.get(ch) if ch not in _ARABIC_LIKE and not ch.isdigit() else None
    if ch.isdigit():
        return int(ch)
    return _ARABIC_LIKE.get(ch)


@dataclass(frozen=True)
class Agreement:
    """How a damaged reading of a date line sides with a new reading of it."""

    matched: int  # digit characters both readings give alike
    unknown: int  # characters of the damaged reading that tell nothing (misread, lost)
    conflicts: int  # digit characters that differ: the readings disagree
    year_matched: int = 0  # of ``matched``, the year's
    day_vouched: bool = True  # the new reading has no day, or one digit of it was read alike


def _compare_part(seen: str, wanted: str, chinese: bool, *, right_aligned: bool) -> Agreement:
    """Position by position; ``seen`` may miss characters at the line's start (a year)."""
    if not seen:
        return Agreement(0, len(wanted), 0)
    if len(seen) != len(wanted) and not (right_aligned and len(seen) < len(wanted)):
        # 十 against 十一: one of the two readings lost or invented a numeral
        return Agreement(0, 0, 1)
    pairs = zip(seen[::-1], wanted[::-1], strict=False) if right_aligned else zip(
        seen, wanted, strict=True)
    matched = unknown = conflicts = 0
    for s, w in pairs:
        sv, wv = _char_value(s, chinese), _char_value(w, chinese)
        if sv is None:
            unknown += 1
        elif sv == wv:
            matched += 1
        else:
            conflicts += 1
    unknown += max(0, len(wanted) - len(seen))
    return Agreement(matched, unknown, conflicts)


def agreement(damaged: str, date_text: str) -> Agreement | None:
    """How the damaged reading ``damaged`` of a line (二9二二年→月三十日) sides with a date read
    again from the same line (``date_text``: 二OO二二年一月三十日), part by part (year right-
    aligned before 年, month between 年 and 月, day between 月 and 日); None when either has no
    年…月 to align on."""
    s = re.sub(r"\s+", "", normalize_text(damaged))
    bare = _BARE_DIGIT_DATE.match(s)
    sep = _SEP_DATE.fullmatch(re.sub(r"\s+", "", normalize_text(date_text)))
    if bare and sep:
        # the digits of 2021.5.21 as printed, against a reading that lost the dots
        seen, again = re.sub(r"[^0-9]", "", s), re.sub(r"[^0-9]", "", sep.group(0))
        if seen == again:
            return Agreement(len(seen), 0, 0, 4)
        return Agreement(0, 0, 1)
    m = _CJK_DATE.fullmatch(re.sub(r"\s+", "", normalize_text(date_text)))
    cut = re.search(r"[年午]", s)
    if m is None or cut is None or "月" not in s[cut.end():]:
        return None
    value = _value(m)
    if value is None or m.group("dbare"):
        # a day without its 日 at the end of a line read again is as likely the seal's text
        # or a speck (二0二二年五月20 for 二〇二二年五月, seed 9308 IMG_2012)
        return None
    chinese = _chinese_script(m.group("y")) or _chinese_script(m.group("m"))
    wanted_year = str(value.year)
    if chinese:
        wanted_year = "".join("〇一二三四五六七八九"[int(c)] for c in wanted_year)
    month_end = s.index("月", cut.end())
    parts = [
        _compare_part(s[max(0, cut.start() - 4):cut.start()], wanted_year, chinese,
                      right_aligned=True),
        _compare_part(s[cut.end():month_end], m.group("m"), chinese, right_aligned=False),
    ]
    day = m.group("d")
    if day:
        rest = s[month_end + 1:]
        end = re.search(r"[日曰号H口B]", rest)
        # without its 日 (二十四扫) the day is the numerals after 月 (二十扫 is no 二十四)
        seen_day = rest[:end.start()] if end else re.match(
            r"[0-9〇零一二三四五六七八九十廿卅]*", rest).group(0)  # type: ignore[union-attr]
        parts.append(_compare_part(seen_day, day, chinese, right_aligned=False))
    return Agreement(sum(p.matched for p in parts), sum(p.unknown for p in parts),
                     sum(p.conflicts for p in parts), parts[0].matched,
                     day_vouched=not day or parts[2].matched > 0)
