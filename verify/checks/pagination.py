"""Printed page numbers (``第 3 页 共 5 页``, ``- 3 -``, ``3/5``) for PAGES_MISSING (五(一)3).

``find_page_label`` reads one page's header/footer text; ``pages_gap`` compares the labels
of a document's pages with its page count: a jump in the numbering, a document shorter than
the total its footers declare, or a number printed on two pages.

Footer text often comes from OCR, so the patterns tolerate the usual misreadings (``O``/``o``
for 0, ``l``/``I``/``|`` for 1, 頁/贞 for 页, stray spaces) and a single misread number in a
run of good ones is treated as noise, not as a gap.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..model import PageLabel, PageText, TextSpan
from ..text.normalize import normalize_text

# Header and footer bands (share of the page height) where page numbers are printed.
HEADER_BAND = 0.12
FOOTER_BAND = 0.85
MAX_PAGE_NUMBER = 9999
# Without "共 N 页", numbering that starts this few pages late is still a document numbered
# from 1 with pages lost (dev: a report whose cover and page 2 are gone starts at "- 4 -");
# a later start is an excerpt of a longer work (journal pages 45–52).
MAX_LEAD_GAP_WITHOUT_TOTAL = 2

_D = r"[0-9OoIl|]{1,4}"  # a page number as OCR may read it
_CN = r"[零〇一二两三四五六七八九十百]{1,4}"  # 第三页 共十二页
_NUM = rf"(?:{_D}|{_CN})"
_PAGE = r"[页頁贞]"
_SEP = r"\s*[,，、/／|;；.·]?\s*"

# Most specific first: a pattern with a total beats one without.
# "t" marks a pattern whose wording (第…页) is context enough to read a lone "l" as 1.
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"第\s*({_NUM})\s*{_PAGE}{_SEP}[共总]\s*({_NUM})\s*{_PAGE}"), "ntc"),
    (re.compile(rf"[共总]\s*({_NUM})\s*{_PAGE}{_SEP}第\s*({_NUM})\s*{_PAGE}"), "tnc"),
    (re.compile(rf"\bpage\s*({_D})\s*(?:of|/)\s*({_D})\b", re.IGNORECASE), "nt"),
    (re.compile(rf"第\s*({_NUM})\s*{_PAGE}\s*/\s*({_NUM})"), "ntc"),  # 第3页/5
    (re.compile(rf"^\s*({_D})\s*[/／]\s*({_D})\s*$"), "nt"),  # a line that is only "3/5"
    (re.compile(rf"^\s*[-–—－_~]+\s*({_D})\s*[-–—－_~]+\s*$"), "n"),  # "- 3 -"
    (re.compile(rf"第\s*({_NUM})\s*{_PAGE}"), "nc"),
    (re.compile(rf"\bpage\s*({_D})\b", re.IGNORECASE), "n"),
)

_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
              "七": 7, "八": 8, "九": 9}


def _cn_number(s: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105; None if not a plain numeral."""
    if "百" in s:
        head, _, rest = s.partition("百")
        h = _CN_DIGITS.get(head) if head else 1
        r = _cn_number(rest.lstrip("零〇")) if rest.strip("零〇") else 0
        return None if h is None or r is None else h * 100 + r
    if "十" in s:
        head, _, rest = s.partition("十")
        t = _CN_DIGITS.get(head) if head else 1
        u = _CN_DIGITS.get(rest) if rest else 0
        return None if t is None or u is None else t * 10 + u
    if s and all(ch in _CN_DIGITS for ch in s):
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    return None


def _number(s: str, context: bool = False) -> int | None:
    s = s.strip()
    if not s:
        return None
    if s[0] in _CN_DIGITS or s[0] in "十百":
        return _cn_number(s)
    digits = s.translate(_OCR_DIGITS)
    if not digits.isdigit() or not (context or any(ch.isdigit() for ch in s)):
        return None  # "lo" or "II" alone is a word, not a misread number (except in 第l页)
    return int(digits)


def parse_page_label(line: str) -> PageLabel | None:
    """The page number (and total) printed in one line of text, if it is a page label."""
    text = normalize_text(line).strip()
    for pattern, order in _PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        values = [_number(g, "c" in order) for g in m.groups()]
        if any(v is None for v in values):
            continue
        if order.startswith("tn"):
            values.reverse()
        number = values[0]
        total = values[1] if len(values) > 1 else None
        assert number is not None
        if not 1 <= number <= MAX_PAGE_NUMBER:
            continue
        if total is not None and not number <= total <= MAX_PAGE_NUMBER:
            if pattern.pattern.startswith("^"):
                continue  # "12/3" is not a page label (a date, a ratio)
            total = None  # 第3页 共2页: the total is misread; keep the page number
        return PageLabel(number, total, m.group(0).strip())
    return None


def _margin_lines(text: PageText) -> list[str]:
    """Lines in the header and footer bands, footer first (page numbers live there)."""
    spans: Sequence[TextSpan] = text.spans
    with_box = [s for s in spans if s.bbox != (0.0, 0.0, 0.0, 0.0)]
    if with_box:
        footer = [s for s in with_box if s.bbox[1] >= FOOTER_BAND]
        header = [s for s in with_box if s.bbox[3] <= HEADER_BAND]
        footer.sort(key=lambda s: -s.bbox[1])
        header.sort(key=lambda s: s.bbox[1])
        if not footer:
            return [""] + [s.text for s in header]  # no footer line: no bare-number candidate
        return [s.text for s in footer + header]
    lines = [ln for ln in text.text.splitlines() if ln.strip()]
    return lines[::-1][:3] + lines[:3]


_BARE = re.compile(r"^\s*(\d{1,3})\s*$")


def find_page_label(text: PageText) -> PageLabel | None:
    """The page number printed in the header or footer, if any.

    A bare number (``3``) counts only as the lowest line of the footer band: anywhere else a
    lone number is a table cell or a list item.
    """
    lines = _margin_lines(text)
    for line in lines:
        label = parse_page_label(line)
        if label is not None:
            return label
    if lines:
        m = _BARE.match(normalize_text(lines[0]))
        if m and 1 <= int(m.group(1)) <= MAX_PAGE_NUMBER:
            return PageLabel(int(m.group(1)), None, m.group(0).strip())
    return None


@dataclass(frozen=True)
class PageGap:
    """What a document's printed page numbers say about missing or repeated pages.

    ``missing``: printed numbers that should be in the document and are not (estimated from
    jumps in the numbering and from the declared total); ``duplicated``: numbers printed on
    more than one page; ``declared_total``: the total most footers declare.
    """

    page_count: int
    labelled: int
    declared_total: int | None
    missing: tuple[int, ...]
    duplicated: tuple[int, ...]
    ignored: tuple[int, ...] = ()  # 1-based pages whose label disagreed with both neighbours
    first_missing: bool = False  # numbering starts after 1: the first page (often the cover)
    # is gone; not in ``missing`` (a missing cover is COVER_MISSING, not PAGES_MISSING)

    @property
    def problem(self) -> bool:
        return bool(self.missing or self.duplicated)

    def describe_zh(self) -> str:
        """Reviewer-facing summary, e.g. ``缺第3页（页脚标注共5页，实有4页）``."""
        parts = []
        if self.first_missing:
            parts.append("首页（第1页）缺失")
        if self.missing:
            parts.append("缺第" + "、".join(str(n) for n in self.missing[:10]) + "页")
        if self.duplicated:
            parts.append("第" + "、".join(str(n) for n in self.duplicated[:10]) + "页重复")
        if self.declared_total is not None:
            parts.append(f"页脚标注共{self.declared_total}页，实有{self.page_count}页")
        return "；".join(parts)


def pages_gap(labels: Sequence[PageLabel | None], page_count: int) -> PageGap | None:
    """Compare page labels (one per page, None where none was read) with the page count.

    None when no page carries a label (nothing to say). A gap is a jump in the printed
    numbers larger than the jump in page positions; pages without a readable label never
    make a gap on their own (OCR often misses a footer).
    """
    read = [(i, lab) for i, lab in enumerate(labels) if lab is not None]
    if not read:
        return None
    totals = Counter(lab.total for _, lab in read if lab.total is not None)
    declared = totals.most_common(1)[0][0] if totals else None

    # Offsets (printed number − position) follow the numbering; an isolated label whose
    # offset disagrees with both neighbours that agree with each other is a misreading.
    offsets = [lab.number - i for i, lab in read]
    # A first or last label is a misreading only when it is impossible: beyond the declared
    # total, or out of order with its neighbour (a real gap at either end looks the same as
    # a plausible misreading, and a gap must not be explained away).
    n = len(read)

    def misread(k: int) -> bool:
        number = read[k][1].number
        prev = offsets[k - 1] if k > 0 else None
        nxt = offsets[k + 1] if k + 1 < n else None
        if prev is not None and nxt is not None:
            return prev == nxt and offsets[k] != prev
        if declared is not None and number > declared:
            return True
        if k == 0 and n >= 3:
            return number >= read[1][1].number and offsets[1] == offsets[2]
        if k == n - 1 and n >= 3:
            return number <= read[k - 1][1].number and offsets[k - 1] == offsets[k - 2]
        return False

    ignored = {k for k in range(n) if misread(k)}
    kept = [read[k] for k in range(len(read)) if k not in ignored]
    numbers = Counter(lab.number for _, lab in kept)
    duplicated = tuple(sorted(n for n, c in numbers.items() if c > 1))

    missing: set[int] = set()
    for (i, a), (j, b) in pairwise(kept):
        lost = (b.number - a.number) - (j - i)
        if lost > 0:
            candidates = [n for n in range(a.number + 1, b.number) if n not in numbers]
            missing.update(candidates[:lost] if len(candidates) >= lost else candidates)
    if kept:
        first_i, first = kept[0]
        before = (first.number - 1) - first_i  # numbered pages that should precede
        lead = [n for n in range(1, first.number) if n not in numbers]
        # Without a declared total a document may be an excerpt (a journal article printed
        # "- 45 -"): a leading gap counts only when the numbering plainly starts at 1.
        starts_at_one = declared is not None or before <= MAX_LEAD_GAP_WITHOUT_TOTAL
        if before > 0 and lead and starts_at_one:
            # Unlabelled leading pages (a cover prints no footer) fill the first numbers.
            missing.update(lead[-before:] if len(lead) >= before else lead)
    if declared is not None and kept:
        last_i, last = kept[-1]
        after = (declared - last.number) - (page_count - 1 - last_i)
        if after > 0:
            tail = [n for n in range(last.number + 1, declared + 1) if n not in numbers]
            missing.update(tail[-after:] if len(tail) >= after else tail)
    # Page 1 alone missing is the cover (COVER_MISSING's business), reported apart.
    first_missing = 1 in missing
    missing.discard(1)
    return PageGap(page_count=page_count, labelled=len(read), declared_total=declared,
                   missing=tuple(sorted(missing)), duplicated=duplicated,
                   ignored=tuple(read[k][0] + 1 for k in sorted(ignored)),
                   first_missing=first_missing)
