"""What a document is and when: its kind, its dates and its achievement date (五(一)3).

Only achievements since the appointment to the current title count, dated up to the cutoff,
and an accepted paper is not valid until published. The rules (``verify/rules.py``) need, per
document: the kind, the one date that dates the achievement, the title (to pair an acceptance
letter with its publication) and the issuing unit. This module derives them from the pages'
text; ``kind.py`` scores the kind and ``dates.py`` finds every printed date with its role.

Achievement date per kind (first rule that yields a date wins):

- ``project_cover``: the cover's labelled 编制/填报/发布 date, else the date standing alone on
  the cover (the date line under the unit), else any labelled issue date in the first pages,
  else the cover's last date that is not a decoy. Without its cover (``cover_missing``): only a
  labelled issue date.
- ``paper_accepted``: a labelled 录用 date, else the letter's 落款 date (the last date standing
  alone on its line); reported with role ``accepted``.
- ``paper_published``: a printed 出版日期 or a running-header date (…第6期 2021年6月), else a
  date printed alone (cover, header), else the issue (``2021年第6期``) when the journal says
  it is a 月刊 (issue N = month N). A 双月刊/季刊
  issue covers several months and is not turned into a month: without a printed date the
  publication has no achievement date (``DATE_MISSING`` asks the reviewer to look) rather than a
  guessed one that could trip ``BEFORE_APPOINTMENT``/``AFTER_CUTOFF``.
- ``appointment``: the start of the 聘期 / the 聘任 date (or the first date of a term
  ``自…起至…止`` whose label OCR lost). The date a 聘任 letter was signed is
  not the appointment (a letter may appoint from a later or an earlier month), so without a
  start date there is no achievement date.
- ``certificate``: a labelled 发证/颁发 date, else the last date standing alone (落款), else
  the last date that is not a decoy (出生年月 is one).
- ``other``: none.

An acceptance letter is paired with its publication (``NOT_PUBLISHED`` in ``verify/rules.py``)
by the letter's title found in the publication's pages (``mentions_title``): on a contents page
the author line under it must not name someone else than the letter's addressee.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from itertools import pairwise

import regex
from rapidfuzz.distance import Levenshtein

from ..model import (
    DateMention,
    DateRole,
    Kind,
    PageEvidence,
    PageText,
    PartialDate,
    Understanding,
)
from ..text.normalize import compact
from .dates import (
    FoundDate,
    find_dates_detailed,
    find_issues,
    has_damaged_date,
    to_partial_date,
)
from .kind import PAGES_READ, classify_kind, has_keyword, looks_like_cover

_TITLE_LABEL = re.compile(
    r"(?:项目名称|课题名称|工程名称|论文题目|稿件题目|文章题目|稿件名称|论文名称|题目|题为)"
    r"[:：]?\s*(?P<t>[^\n]{4,80})")
# Title brackets as OCR reads them: 《》 also come out as 〈〉, <>, «», () or quotes
# (measured-facts.md: both engines turn bracket forms into one another).
_OPEN = "《〈<«(“\""
_CLOSE = "》〉>»)”\""
_BOOK_TITLE = re.compile(r"《(?P<t>[^《》\n]{4,80})》(?!\s*(?:编辑部|杂志社|期刊社|编辑委员会))")
_PAPER_IN_LETTER = re.compile(
    rf"(?:论文|文章|稿件|大作|来稿|题为|题目)[^{_OPEN}\n]{{0,8}}[{_OPEN}]"
    rf"(?P<t>[^{_OPEN}{_CLOSE}\n]{{4,80}})[{_CLOSE}]")
_JOURNAL_OFFICE = re.compile(
    rf"[{_OPEN}]?(?P<j>[^{_OPEN}{_CLOSE}\n]{{2,16}})[{_CLOSE}]?(?:编辑部|杂志社|期刊社|编辑委员会)")
MIN_PAPER_TITLE = 8  # a paper title in 《》 without a paper word before it; journal names are shorter
_UNIT_LABEL = re.compile(
    r"(?:编制单位|发证单位|颁发单位|发证机关|发证机构|评价单位|承担单位|主办单位|主办|落款单位)"
    r"[:：]?\s*(?P<u>[^\n]{4,40})")
_UNIT_SUFFIX = re.compile(
    r"(?:公司|局|院|中心|中心站|学会|协会|委员会|编辑部|杂志社|大学|学院|研究所|所|站|队|厅|部|"
    r"办公室|分局|集团)$")
_JOURNAL_NAME_BEFORE_ISSUE = re.compile(r"《?(?P<j>[一-鿿]{2,12})》?\s*\d{4}年第")
_MONTHLY = ("月刊",)
_NOT_MONTHLY = ("双月刊", "半月刊", "旬刊", "季刊", "周刊", "年刊", "半年刊")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
# OCR confusions folded before titles are compared (Tesseract chi_sim, measured on our scans).
_TITLE_FOLD = str.maketrans({"O": "0", "o": "0", "〇": "0", "l": "1", "I": "1", "|": "1"})
POOR_OCR_CONF = 45.0  # Tesseract mean confidence under which a page's words are mostly noise


# --------------------------------------------------------------------------- achievement date


def _first(found: Sequence[FoundDate], *, role: DateRole | None = None,
           labelled: bool | None = None, standalone: bool | None = None,
           page: int | None = None, last: bool = False) -> FoundDate | None:
    pool = [f for f in found if f.decoy is None
            and (role is None or f.mention.role is role)
            and (labelled is None or f.labelled is labelled)
            and (standalone is None or f.standalone is standalone)
            and (page is None or f.mention.page == page)]
    if not pool:
        return None
    return pool[-1] if last else pool[0]


def _term_start(found: Sequence[FoundDate]) -> FoundDate | None:
    """The first date of a term (…自<start>起至<end>止) when the label word was not read."""
    for f, nxt in pairwise(found):
        if (f.decoy is None and nxt.decoy == "period_end"
                and nxt.mention.page == f.mention.page):
            return f
    return None


def _is_monthly(text: str) -> bool:
    return any(w in text for w in _MONTHLY) and not any(w in text for w in _NOT_MONTHLY)


def _achievement(kind: Kind, pages: Sequence[PageEvidence], found: Sequence[FoundDate],
                 cover_missing: bool = False) -> tuple[DateMention | None, str | None]:
    """The achievement date and, for a publication, the issue it was derived from."""
    # No evidence is dated years after today: such a year is misread (set G doc_069's letter,
    # 2049年10月 for 2019, then reported AFTER_CUTOFF). Next year stays possible (拟刊于 an
    # issue of next year, a letter dated ahead).
    latest = dt.date.today().year + 1
    found = [f for f in found if f.mention.value.year <= latest]
    first_page = pages[0].number if pages else 1
    pick: FoundDate | None = None
    role = DateRole.issued
    issue_text: str | None = None
    if kind is Kind.project_cover and cover_missing:
        # Without its cover a report is dated only by a labelled 编制日期 elsewhere; the dates
        # in its body (监测 periods, standards) are not when it was issued.
        pick = _first(found, role=DateRole.issued, labelled=True)
    elif kind is Kind.project_cover:
        pick = (_first(found, role=DateRole.issued, labelled=True, page=first_page)
                or _first(found, role=DateRole.issued, standalone=True, page=first_page)
                or _first(found, role=DateRole.issued, page=first_page)
                or _first(found, role=DateRole.issued, labelled=True)
                or _first(found, page=first_page, last=True))
    elif kind is Kind.paper_accepted:
        role = DateRole.accepted
        # No fallback to any date: the other dates of a letter are its 收稿日期, and a wrong
        # date is worse than a missing one (DATE_MISSING sends the reviewer to look). A paper
        # is accepted after it was received: a date before the 收稿日期 is a misreading
        # (2022年05月26日 for 09月26日 beside 收稿日期：2022-06-03) and is not taken.
        received = [f.mention.value for f in found if f.decoy == "received"]
        possible = [f for f in found
                    if not any(f.mention.value.before(r) for r in received)]
        pick = (_first(possible, role=DateRole.accepted)
                or _first(possible, role=DateRole.issued, standalone=True, last=True)
                or _first(possible, role=DateRole.issued, last=True))
    elif kind is Kind.paper_published:
        role = DateRole.published
        pick = _first(found, role=DateRole.published)
        if pick is not None and pick.mention.value.day is None:
            # The most precise printed date of the issue: the cover's 出版日期 with its day
            # (found in any reading) over the running header's month.
            month = (pick.mention.value.year, pick.mention.value.month)
            pick = next((f for f in found if f.decoy is None and f.mention.role is role
                         and f.mention.value.day is not None
                         and (f.mention.value.year, f.mention.value.month) == month), pick)
        issues = [i for p in pages[:PAGES_READ] for i in find_issues(p.text, p.number)]
        if issues:
            issue_text = issues[0].text
        if pick is None:
            # A date printed alone: on the cover, or in a page's running header (the header's
            # 第X卷第Y期 is often read as a separate line).
            pick = _first(found, role=DateRole.issued, standalone=True)
        if pick is None and issues:
            text = "".join(compact(p.text.text) for p in pages[:PAGES_READ])
            issue = issues[0]
            value = to_partial_date(issue.year, issue.number, None) if _is_monthly(text) else None
            if value is not None:
                return DateMention(issue.page, issue.text, value, DateRole.published), issue_text
    elif kind is Kind.appointment:
        role = DateRole.appointed
        pick = _first(found, role=DateRole.appointed) or _term_start(found)
    elif kind is Kind.certificate:
        pick = (_first(found, role=DateRole.issued, labelled=True)
                or _first(found, role=DateRole.issued, standalone=True, last=True)
                or _first(found, role=DateRole.issued, last=True)
                or _first(found, last=True))
    if pick is None:
        return None, issue_text
    return replace(_cross_checked(_fuller(pick, found).mention, found), role=role), issue_text


def _digits(value: PartialDate) -> str:
    return f"{value.year}{value.month}{value.day or ''}"


def _dropped_digit(short: str, long_: str) -> bool:
    """``short`` is ``long_`` with one digit lost (2022年1月 for 2022年10月)."""
    return len(long_) == len(short) + 1 and any(
        long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _dropped_one(short: str, long_: str) -> bool:
    """``short`` is the month and day of ``long_`` in Chinese numerals with one 一 lost
    (二〇一四年十月 for 十一月, 二十日 for 二十一日): Tesseract drops the lone thin stroke as
    it drops a digit (fx-e doc_015)."""
    short, long_ = (re.split("[年午]", t, maxsplit=1)[-1].replace(" ", "") for t in (short, long_))
    return len(long_) == len(short) + 1 and any(
        long_[i] == "一" and long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _fuller(pick: FoundDate, found: Sequence[FoundDate]) -> FoundDate:
    """The pick, or a date of the same role that reads like it with one more digit: OCR drops
    a digit of a month or day (10月 → 1月, 十一月 → 十月) far more often than it invents one, so of two such
    readings on one page (the first and the second reading of a date, or the date and its
    repetition in a footer) the longer is the printed one. Only on the pick's page: another
    page of a report may print another date of the same role."""
    v = pick.mention.value
    for f in found:
        w = f.mention.value
        if (f.decoy is None and f.mention.role is pick.mention.role and w.year == v.year
                and f.mention.page == pick.mention.page
                and (w.day is None) == (v.day is None)
                and (_dropped_digit(_digits(v), _digits(w))
                     or _dropped_one(pick.mention.text, f.mention.text))):
            return f
    return pick


_ZEROS_IN_YEAR = re.compile("[〇零○◯。OoО0@”“\"°Q需雾云雪霁雫D]")
_ARABIC_YEAR = re.compile(r"^[0-9]{4}")


def _cross_checked(mention: DateMention, found: Sequence[FoundDate]) -> DateMention:
    """A Chinese year with two or more zeros (二〇二〇) is where OCR doubles or drops a zero
    look-alike (二OO二 → 2002). When another date of the document, printed in Arabic digits,
    has the same month and a year of the same digits in another order, its year is the one
    printed (the cover's 二〇二〇年一月 beside 2020年1月 in the header)."""
    year_text = re.split("[年午]", mention.text, maxsplit=1)[0]
    if _ARABIC_YEAR.match(year_text) or len(_ZEROS_IN_YEAR.findall(year_text)) < 2:
        return mention
    v = mention.value
    for f in found:
        w = f.mention.value
        if (f.decoy is None and w.year != v.year and w.month == v.month
                and sorted(str(w.year)) == sorted(str(v.year))
                and _ARABIC_YEAR.match(f.mention.text)):
            return replace(mention, value=PartialDate(w.year, v.month, v.day))
    return mention


# --------------------------------------------------------------------------- title and unit


def _lines(text: PageText) -> list[tuple[str, float | None, float | None]]:
    """(line, height, top) per line; height/top are None without span boxes."""
    if text.spans:
        return [(s.text.strip(), s.bbox[3] - s.bbox[1], s.bbox[1]) for s in text.spans
                if s.text.strip()]
    return [(line.strip(), None, None) for line in text.text.split("\n") if line.strip()]


def _clean_title(t: str) -> str:
    t = re.sub(r"\s+", "", t).strip("：:，,。.;；“”\"《》")
    return t


_REPORT_TYPE_ONLY = re.compile(r"^[一-鿿]{0,10}(?:报告书|报告表|报告|说明书|预案|方案|规划)$")


def _largest_lines(text: PageText, *, top_limit: float = 0.6) -> str | None:
    """The largest-font line near the top: a cover's or an article's title.

    A cover often prints the report type (环境影响报告书) larger than the project name; a bare
    report type is not a title, so the next-largest line is taken instead.
    """
    lines = [(t, h, y) for t, h, y in _lines(text) if h is not None and y is not None]
    lines = [ln for ln in lines if ln[2] is not None and ln[2] < top_limit
             and len(compact(ln[0])) >= 4 and not find_dates_detailed(PageText(ln[0]), 0)
             and not re.search(r"[:：]", ln[0]) and not re.fullmatch(r"[(（].*[)）]", ln[0])]
    ranked = sorted(lines, key=lambda ln: -(ln[1] or 0.0))
    for t, _, _ in ranked:
        title = _clean_title(t)
        if title and not _REPORT_TYPE_ONLY.match(title):
            return title
    return _clean_title(ranked[0][0]) if ranked else None


def _letter_title(texts: Sequence[PageText]) -> str | None:
    """The paper an acceptance letter names (您的论文《…》). The journal's own name is in 《》
    too, in the letterhead and the signature (《…》编辑部), and is never the paper."""
    flats = [compact(t.text) for t in texts]
    found = [_clean_title(m.group("t")) for flat in flats
             for m in [_PAPER_IN_LETTER.search(flat)] if m]
    if found:  # the first reading that is not noise (the second reading comes first)
        return next((t for t in found if not garbled_title(t)), found[0])
    journals = {_norm_title(m.group("j")) for flat in flats for m in _JOURNAL_OFFICE.finditer(flat)}
    for flat in flats:
        for m in _BOOK_TITLE.finditer(flat):
            title = _clean_title(m.group("t"))
            if len(title) >= MIN_PAPER_TITLE and _norm_title(title) not in journals:
                return title
    return None


def _article_pages(texts: Sequence[PageText]) -> list[PageText]:
    """The first article page (摘要/关键词) among ``texts``, as a list of at most one."""
    for t in texts:
        if has_keyword(compact(t.text), "摘要") or has_keyword(compact(t.text), "关键词"):
            return [t]
    return []


def _title(kind: Kind, pages: Sequence[PageEvidence],
           reread: Mapping[int, PageText] | None = None) -> str | None:
    texts = [p.text for p in pages[:PAGES_READ]]
    # The second reading (RapidOCR, 0.4% CER against Tesseract's 4.5%) is tried first.
    second = [reread[p.number] for p in pages[:PAGES_READ] if reread and p.number in reread]
    for t in texts:
        m = _TITLE_LABEL.search(t.text)
        if m:
            return _clean_title(m.group("t"))
    if kind is Kind.paper_accepted:
        return _letter_title([*second, *texts])
    if kind is Kind.paper_published:
        # The article page (摘要/关键词) carries the title in the largest type at its top; a
        # title the first reading garbled (or missed) is taken from the second reading, so a
        # publication that only the second reading could read still proves its paper.
        titles = [_largest_lines(t, top_limit=0.4) for t in _article_pages(texts)]
        if titles and titles[0] and not garbled_title(titles[0]):
            return titles[0]
        again = [_largest_lines(t, top_limit=0.4) for t in _article_pages(second)]
        return next((t for t in again if t and not garbled_title(t)), titles[0] if titles else None)
    if kind is Kind.project_cover and texts and looks_like_cover(texts[0]):
        return _largest_lines(texts[0])
    return None


def _issuing_unit(pages: Sequence[PageEvidence], found: Sequence[FoundDate]) -> str | None:
    for p in pages[:PAGES_READ]:
        m = _UNIT_LABEL.search(p.text.text)
        if m:
            return _clean_title(m.group("u")).replace("《", "").replace("》", "")
    # The 落款: the unit's line just above (or beside) the date standing alone at the end.
    for f in reversed(found):
        if not f.standalone or f.decoy is not None:
            continue
        page = next((p for p in pages if p.number == f.mention.page), None)
        if page is None:
            continue
        lines = [t for t, _, _ in _lines(page.text)]
        idx = next((i for i, t in enumerate(lines) if f.mention.text in t), None)
        if idx is None:
            continue
        for t in reversed(lines[max(0, idx - 3) : idx]):
            unit = _clean_title(t).replace("《", "").replace("》", "")
            if _UNIT_SUFFIX.search(unit) and len(unit) <= 40:
                return unit
    return None


# --------------------------------------------------------------------------- public


def _norm_title(t: str) -> str:
    return _PUNCT.sub("", compact(t).translate(_TITLE_FOLD)).lower()


def same_paper(title_a: str | None, title_b: str | None) -> bool:
    """Whether two titles name the same paper despite OCR noise, punctuation and spacing."""
    if not title_a or not title_b:
        return False
    a, b = _norm_title(title_a), _norm_title(title_b)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 6 and short in long_ and len(short) >= 0.8 * len(long_):
        return True
    # The error budget of ``mentions_title`` (one per eight characters): titles of one field
    # share their pattern and differ by a word of three or more characters (人工湿地对电镀废水
    # 处理的影响机制研究 and SBR对电镀废水处理的…: similarity ratio 0.80, the former threshold,
    # yet another paper), while two OCR readings of one title differ by a slip or two.
    return Levenshtein.distance(a, b) <= max(1, int(len(long_) * TITLE_ERRORS_PER_CHAR))


TITLE_ERRORS_PER_CHAR = 1 / 8  # OCR errors allowed in a title found in a page's text (see below)


def _title_pattern(title: str) -> regex.Pattern[str] | None:
    norm = _norm_title(title)
    if len(norm) < 6:
        return None  # too short to tell one paper from another
    errors = max(1, int(len(norm) * TITLE_ERRORS_PER_CHAR))
    return regex.compile(f"(?:{regex.escape(norm)}){{e<={errors}}}", regex.BESTMATCH)


_ADDRESSEE = re.compile(
    # 徐静同志：, 孙雪梅老师：; OCR reads 同志 as 网志/同忐 at times
    r"^[^\u4e00-\u9fff]{0,3}(?P<n>[\u4e00-\u9fff]{2,4}?)"
    r"(?:同志|[网问]志|同忐|老师|先生|女士|教授|博士)[:：;；,，]")
SHORT_LINE = 4  # a line this short after a title is its page number, not the author line


def letter_addressee(pages: Sequence[PageEvidence]) -> str | None:
    """The person an acceptance letter is written to (徐静同志：): the paper's author."""
    for p in pages[:1]:
        for line in p.text.text.split("\n"):  # the salutation opens its line
            m = _ADDRESSEE.match(compact(line))
            if m:
                return m.group("n")
    return None


def mentions_title(title: str | None, pages: Sequence[PageEvidence],
                   author: str | None = None) -> bool:
    """Whether the pages print ``title``: on an article page (its heading) or a contents page
    (one line among others), read with OCR errors on both sides. With ``author``, the author
    line printed under the title must name that person: a contents page lists ten other
    papers, and another author's paper may carry the same title.

    Matching the whole text rather than one extracted title matters: a publication delivered as
    cover and contents has no article heading to extract, and an OCR'd heading is sometimes
    taken for the author line. The error budget (one error per eight characters: two in a
    typical 16–20 character title) stays under the distance between distinct titles of one
    field, which share their pattern (…对电镀废水处理的影响机制研究 and …对渗滤液处理的… differ by
    four) — Tesseract's ~5% CER on each side gives about one error per side.
    """
    pattern = _title_pattern(title) if title else None
    if pattern is None:
        return False
    name = _norm_title(author) if author else ""
    for p in pages:
        lines = [n for n in (_norm_title(line) for line in p.text.text.split("\n")) if n]
        for i in range(len(lines)):
            for wrap in (1, 2, 3):  # a long title wraps over two or three lines
                joined = "".join(lines[i:i + wrap])
                m = pattern.search(joined)
                if m is None:
                    continue
                if len(name) < 2 or _author_fits(name, _author_line(joined[m.end():],
                                                                   lines[i + wrap:])):
                    return True
                break  # the fewest lines that hold the title decide where its author is
    return False


def _author_line(rest: str, following: Sequence[str]) -> str:
    """What follows a title up to its author line: the rest of its line, a page number
    printed apart ((12) right-aligned), then the next line."""
    out = rest
    for line in following[:2]:
        out += line
        if len(line) > SHORT_LINE:
            break
    return out


def _author_fits(name: str, line: str) -> bool:
    """The author line names ``name`` (one character misread when it has three or more), or
    was not read as names at all: the small type of an author line often comes out of OCR as
    Latin noise (``gepek``), which cannot tell against the title."""
    if len(_HAN.findall(line)) < MIN_NAME_CHARS:
        return True
    errors = 1 if len(name) >= 3 else 0
    return regex.search(f"(?:{regex.escape(name)}){{e<={errors}}}", line) is not None


_HAN = regex.compile(r"\p{Han}")
MIN_NAME_CHARS = 4  # two names of two characters: an author line that was read


def wants_reread(u: Understanding) -> bool:
    """A dated kind without an achievement date: worth a second reading of the pages.

    The date of a letter or a cover is usually under the unit's red seal, where plain OCR
    loses it (measured-facts.md: 6–15% CER there, the date among the losses); OCR of the red
    channel recovers it. The pipeline reads the red channel only for such documents.
    """
    if u.kind is Kind.other:
        return u.poorly_read
    if u.achievement_date is None:
        return True
    if u.kind is Kind.paper_accepted and (u.title is None or garbled_title(u.title)):
        return True  # NOT_PUBLISHED pairs the letter with its publication by this title
    # A month-only date on a letter, cover or certificate often lost its day under the seal
    # (``二零二一年十二月`` for ``…十二月九日``); a publication's month-only issue date is normal
    # unless a date on the page was read damaged (出版日期：2015年7月 :日).
    return u.achievement_date.value.day is None and (u.kind in _DAY_EXPECTED or u.poorly_read)


_LATIN_RUN = re.compile(r"[A-Za-z]{6,}")
MIN_HAN_SHARE = 0.5  # a Chinese title read as mostly Latin letters and symbols is noise


def garbled_title(title: str) -> bool:
    """A title OCR turned partly into Latin noise (浅析VOCsPABEERUSMEA): Tesseract reads Han
    characters it cannot place as runs of capitals. Acronyms in titles (VOCs, MBBR, A2/O)
    are shorter than six letters."""
    flat = compact(title)
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in flat)
    return bool(_LATIN_RUN.search(flat)) or han < MIN_HAN_SHARE * len(flat)


_DAY_EXPECTED = frozenset({Kind.project_cover, Kind.certificate, Kind.paper_accepted,
                           Kind.appointment})


def _sharpened(achievement: DateMention | None, found: Sequence[FoundDate],
               reread: Mapping[int, PageText]) -> DateMention | None:
    """A month-only achievement date made exact by the second reading of its page: the same
    year and month with a day, not a decoy (the first reading lost the day, not the date)."""
    if achievement is None or achievement.value.day is not None or achievement.page not in reread:
        return achievement
    exact = [f.mention for f in found
             if f.decoy is None and f.mention.page == achievement.page
             and f.mention.value.day is not None
             and (f.mention.value.year, f.mention.value.month)
             == (achievement.value.year, achievement.value.month)]
    if len({m.value for m in exact}) != 1:
        return achievement  # none, or two different days: keep what was printed for sure
    return replace(exact[0], role=achievement.role)


FEW_CHARS = 12  # an OCR'd first page with fewer characters was hardly read (a journal cover's
# white title on a colour band, a phone photo): every document's first page prints more


def _hardly_read(page: PageEvidence) -> bool:
    return page.text.source == "ocr" and 0 < len(compact(page.text.text)) < FEW_CHARS


def _combined(pages: Sequence[PageEvidence],
              reread: Mapping[int, PageText]) -> tuple[PageEvidence, ...]:
    """Each page with its second reading appended (more words for the kind scorer)."""
    out = []
    for p in pages:
        extra = reread.get(p.number)
        if extra is None:
            out.append(p)
            continue
        # Spans only when both readings have them: lines are taken from spans when present.
        spans = p.text.spans + extra.spans if p.text.spans and extra.spans else ()
        text = PageText(p.text.text + "\n" + extra.text, spans,
                        source=p.text.source, engine=p.text.engine)
        out.append(replace(p, text=text))
    return tuple(out)


def understand_document(pages: tuple[PageEvidence, ...],
                        reread: Mapping[int, PageText] | None = None) -> Understanding:
    """Kind, dates, achievement date, title and issuing unit from the pages' text.

    ``reread`` maps a page number to a second reading of that page (e.g. OCR of its red
    channel, where red seals vanish); dates found only there are added to the page's dates.
    """
    if not pages:
        return Understanding()
    decision = classify_kind(pages)
    if reread:
        # Both readings together: the second (RapidOCR) may read what the first garbled — a
        # poor phone photo, or the title of a notice that makes it a notice.
        second = classify_kind(_combined(pages, reread))
        if second.kind is not decision.kind:
            first_readings = [pages[0].text, reread.get(pages[0].number, pages[0].text)]
            decision = replace(second, cover_missing=second.kind is Kind.project_cover
                               and not any(looks_like_cover(t) for t in first_readings))
    if (reread and decision.cover_missing and pages[0].number in reread
            and looks_like_cover(reread[pages[0].number])):
        decision = replace(decision, cover_missing=False)  # the first reading garbled the cover
    found = [f for p in pages for f in find_dates_detailed(p.text, p.number)]
    for number, text in sorted((reread or {}).items()):
        # A date read again is added when this reading says something new about it (a value,
        # or a role the first reading missed: 聘\n期 split by a stray bar).
        seen = {(f.mention.value, f.mention.page, f.mention.role, f.decoy) for f in found}
        found.extend(f for f in find_dates_detailed(text, number)
                     if (f.mention.value, number, f.mention.role, f.decoy) not in seen)
    achievement, issue = (
        _achievement(decision.kind, _combined(pages, reread) if reread else pages, found,
                     decision.cover_missing)
        if decision.kind is not Kind.other else (None, None))
    if reread:
        achievement = _sharpened(achievement, found, reread)
    kind = decision.kind
    return Understanding(
        kind=kind,
        kind_reason=decision.reason,
        dates=tuple(f.mention for f in found),
        achievement_date=achievement,
        title=_title(kind, pages, reread) if kind is not Kind.other else None,
        issuing_unit=(_issuing_unit(_combined(pages, reread) if reread else pages, found)
                      if kind is not Kind.other else None),
        cover_missing=decision.cover_missing,
        kind_scores=decision.scores,
        issue=issue,
        poorly_read=any(p.text.source == "ocr"
                        and ((p.text.mean_conf or 0.0) < POOR_OCR_CONF or has_damaged_date(p.text))
                        for p in pages[:PAGES_READ])
        or _hardly_read(pages[0]),
    )
