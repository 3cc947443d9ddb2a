"""Evidence reused across applicants (五(七)): byte-identical files and near-identical pages.

A page of one applicant's document duplicates a page of another applicant's document when
what both pages say agrees and nothing that makes a document someone's differs:

* **No field differs.** The two texts are aligned character by character. A differing stretch
  where *both* pages read at least two characters of real text (Han characters, or digits) is
  a field that differs — another name, unit, title, date or number: 王思远 / 郑一鸣,
  2018 / 2022. Two colleagues' covers from one company template differ exactly there, and
  their images hash almost alike, so this is what separates them.
* **OCR noise is tolerated.** A grey or low-resolution scan turns a line into Latin garbage
  (``舟山服务`` → ``FAYWARS``) or swaps a single character (站 → 让); one page may read a line
  the other lost. Such stretches are not fields: garbage is not text, a lost line is not a
  different line, and single swapped characters (*slips*) are allowed up to a small number.
  Garbage is not always Latin: a red border, a logo or a ruled frame reads as a line of Han
  characters (``本仆仆臣人下下芷共生攻下一``) that OCR itself gives a very low confidence, so
  the Han characters of such lines are left out of the print; and a date's number misread
  into other Han characters (``二雪世只年`` for ``二〇二〇年``) is a misread number, not a field.
  A stretch that *both* pages read in lines of middling confidence (a letterhead read
  ``二各已S2如2Iv`` at 36 and ``十-wb二刀愉`` at 46) is two guesses at one thing, not a field,
  unless both guesses hold digits (a certificate number under a seal). A slip that repeats
  alike (韩/陈 twice) is as often a one-character name printed twice: fewer slips are allowed.
* **Text layers do not misread.** Between two born-digital pages' own text every character
  that differs differs: 孙德明 / 孙静 is a field there, not a slip.
* **Enough agreement, and the image fits it.** The more of both pages' text is confirmed by
  the other, the less the image has to say: text that agrees almost entirely needs no close
  image (a photo of a photo hashes 20–36 bits away); text that agrees on most of the shorter
  page needs a close pHash; a page that read little (a table OCR gave up on) needs a very
  close pHash *and* dHash on top of the agreement of what it did read. Pages with hardly any
  text are compared by image only, with the strictest thresholds.

The first occurrence is the original (earlier in this run's input order, or stored by an
earlier run); later ones get the finding. Candidates come from an index (hash bands, exact
text lines and winnowed runs of characters), not from comparing every pair; a template's
wording and look, shared by thousands of pages in an archive, are bounded out of it (the nearest
images, the lines and runs on few pages), so an archive of 10⁵ pages stays fast.

* **A misreading has the printed glyphs.** OCR misreads two or three Han characters with high
  confidence now and then (为表彰 → 为才朝, 清洁 → 请浩 at 84–94): text alone cannot tell that
  from a colleague's other name. Every text line's image is kept, small (``line_glyphs``; a
  text layer's running text excepted, ``fingerprint.LAYER_RUNNING_LINES``), stored once in the
  store's pages, and a field is looked at there: where both pages show the same glyphs it is a
  misreading and counts as a slip; a colleague's name has other glyphs and stays a field
  (``_compare``).

Limits: a field that OCR garbled on one of the two pages cannot be compared; a colleague's
document whose *only* difference is such a field (a name, nothing else) looks like a copy.
Between OCR'd pages a name that differs in one character (孙静 / 孙敏) is a slip (unless it is
printed twice and read alike both times). Glyphs tell a misreading only where both lines'
glyphs were kept and their text places the field (not across two lines, not in a line whose
OCR lost part of it or read a frame into it) and nothing covers it on one copy (a grey
seal's ink over 境检 on one scan: 0.58); names that share most of their strokes (冯德明 /
马慧敏, 0.74) come close to the threshold. A text layer's line (a decorative title, a seal's
legend) that OCR of the copy read as Han garble at 50–60, and a line garbled on one side
only, are still fields.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from itertools import pairwise

import cv2
import numpy as np
from rapidfuzz.distance import LCSseq, Levenshtein

from .checks.fingerprint import GLYPH_HEIGHT, MIN_LINE_CHARS, glyph_strip, text_lines
from .model import DocumentEvidence, PageEvidence, PageText
from .rules import DuplicateHit
from .text.normalize import compact

# Thresholds, measured with bench/eval_duplicates.py: on its fixture pairs (originals, copies
# and same-template siblings drawn with the fixture generator, --fixture-pairs dev --seed 11),
# on the generated sets of fixtures.generate --split dev / holdout, and (slip rate only) on its
# --split holdout. Copies were 0–12 bits pHash apart as scans, 18–36 as photos of photos;
# same-template siblings 0–12 as scans: the image never separates them, the fields do.
FIELD_CHARS = 2  # digits both pages read in a differing stretch of digits: a number differs
# A stretch with at least this share of non-text characters is OCR garbage. Half: a name
# behind a few characters of line-start junk (|J1i周海燕, 3 of 7) still counts as text; copies'
# garbage lines were 70–95 % Latin and symbols, and a red letterhead's logo read as es人去
# (2 of 4) on one copy and SS入二HH和上局立 on the other is garbage, not a differing field.
GARBAGE_SHARE = 0.5
# Single swapped characters always allowed… Five: grey and re-scanned certificates and
# letters of 80–110 agreeing characters read 4–5 (昭/照, 泽/浔, 希/磊, 北/兹, 签/等) and were
# missed at 3 (pair seeds 9402/9403, 53, dev 74); no same-template sibling on any pair split
# or set went without a differing field, so none was told apart by its slips alone.
SLIPS_MIN = 5
SLIPS_MIN_REPEATED = 3  # when a slip repeats (see TextComparison.slip_allowance)
# …and 3 per 100 agreeing characters: copies of dense 300-DPI body pages showed up to 2.5 %
# (10 on 614), and a differing name, title or number is a field, not a slip.
SLIPS_PER_CHAR = 0.03
CHARS_PER_SHORT_FIELD = 200  # copies of 230–310-character body pages showed one such field
MIN_TEXT_CHARS = 20  # Han/digit characters a page needs for its text to be compared
# Tiers of agreement (share of each page's text characters confirmed by the other page):
STRONG_SHORT, STRONG_LONG, STRONG_CHARS = 0.85, 0.70, 40  # agree almost entirely: any image
FAIR_SHORT, FAIR_CHARS, PHASH_FAIR = 0.60, 25, 14  # most of the shorter page: close pHash
# A poorly read page (a table OCR gave up on: 34 agreeing characters of 100, 4 / 13 bits on
# the dev pairs): what it read must agree and the image must be very close.
WEAK_CHARS, PHASH_WEAK, DHASH_WEAK = 12, 10, 16
# Without text to compare (photos, pages read only in strips) the image alone decides: on the
# dev split copies were within 4 bits pHash / 7 bits dHash, other pages of the same layout 12+.
PHASH_IMAGE_ONLY = 6
DHASH_IMAGE_ONLY = 10
# Tesseract line confidence under which a line is garbage, not text: on sets D, A, E and
# fixture-pair seed 53, lines under 30 that looked like text (70 % Han/digits) were OCR of
# borders, logos and ruled frames (本仆仆臣人下下芷共生攻下一 4.5, :站辽汉涩治有限打中收 24) or
# of photos read as nonsense. Not higher: between 30 and 40 were real lines too (刘莫敏同志: 36),
# and garbage also reads at 35–65 (站和有而 for 编制日期, 36), so confidence alone cannot be
# the test there. Lines holding colleagues' differing names read 58 and more on the dev pairs.
GARBLED_LINE_CONF = 30.0
# Tesseract line confidence under which a line is a shaky reading: a differing stretch that
# *both* pages read in such lines is two misreadings of one thing, not a field. Copies' garbled
# letterheads, seal text and photo lines differed at 31–46 on both sides (pair seeds 9401–9404);
# colleagues' names read 48 and more on at least one side (入林静 48 against 和冰蕉 30).
SHAKY_LINE_CONF = 50.0
# Marks a shaky line in a print's lines (kept with them in the evidence store): a private-use
# character, so no OCR or text layer produces it, and it is neither Han nor a digit.
SHAKY_MARK = "\ue000"
BLANK_INK_PCT = 0.05  # % of the page inked: the default profile's BLANK_PAGE threshold
LINE_KEY_CHARS = 6  # shorter lines (以资鼓励, 特此通知) are on every page of their kind
# Text keys beside whole lines: winnowed 6-character runs of the page's Han characters and
# digits, at least one per 4 consecutive runs, so any 9 characters both pages read alike give a
# shared key. Whole lines alone missed copies whose every line differed by one character: a
# born-digital certificate against its photo (3 slips in 73 characters, pHash 10 bits off) and
# a photo whose lines all gained a junk glyph from the frame (人为表彰…, 和证书编号…; pair seed
# 9405, pHash 28 bits off).
GRAM_CHARS, GRAM_WINDOW = 6, 4
# A run on more pages than this is a template's or a report's boilerplate: it says nothing of
# which page this is, and looking up every page that has it made the search quadratic (400
# born-digital report pages from one pool of sentences: 139 000 candidate pairs, 4.9 s against
# 0.9 s by lines and hashes alone). Of the pages sharing the rarer runs, the few sharing most
# are candidates.
GRAM_MAX_POSTINGS, GRAM_CANDIDATES = 32, 8
# Likewise a whole line on more pages than this is a template's (为表彰…特颁发此证书), and pages
# of one template hash alike (0–12 bits): of the pages sharing a hash band only the nearest
# are candidates. Without these bounds 3000 certificates of one template took 111 s to search,
# growing with the square of their number.
LINE_MAX_POSTINGS, IMAGE_CANDIDATES = 32, 16
BANDS = 8  # pHash split into 8 bands of 8 bits: any pair within 7 bits shares a band


@dataclass(frozen=True)
class PagePrint:
    """One page as the index knows it."""

    doc: str  # logical path
    display: str
    applicant: str
    sha256: str
    page: int
    phash: int | None
    dhash: int | None
    lines: tuple[str, ...]
    order: tuple[int, int]  # (0, stored-run rank) for earlier runs, (1, input index) this run
    # The text is the PDF's own (a born-digital page): it has no OCR slips, so every character
    # that differs from another exact page differs (kept in the store for later runs).
    exact: bool = False
    # Each line's glyph strip (``checks.fingerprint.line_glyph``), aligned with ``lines``; b""
    # for a line without one, () for a page without any (stores written before glyphs).
    glyphs: tuple[bytes, ...] = ()
    # Where a stored page's strips are read when a comparison needs them (``strips``): an
    # earlier run's pages are indexed without them, 5-7 kB a scanned page that only the rare
    # pair with a differing field looks at (10^5 stored pages held them as ~0.6 GB).
    glyph_loader: Callable[[], tuple[bytes, ...]] | None = field(default=None, compare=False, repr=False)

    @property
    def strips(self) -> tuple[bytes, ...]:
        """``glyphs``, or the stored page's (the loader keeps the few recently read: kept on
        every print they would add up again)."""
        return self.glyphs or (self.glyph_loader() if self.glyph_loader is not None else ())

    # A print is compared with every candidate page: its text is joined (and filtered) once.
    @cached_property
    def text(self) -> str:
        return "".join(self.lines).replace(SHAKY_MARK, "")

    @cached_property
    def shaky(self) -> tuple[tuple[int, int], ...]:
        """Where in ``text`` the lines read with a confidence under ``SHAKY_LINE_CONF`` lie."""
        starts = self.line_starts
        return tuple((starts[i], starts[i + 1]) for i, line in enumerate(self.lines)
                     if line.startswith(SHAKY_MARK))

    @cached_property
    def line_starts(self) -> tuple[int, ...]:
        """Where in ``text`` each line starts, and the text's end."""
        out, at = [0], 0
        for line in self.lines:
            at += len(line.replace(SHAKY_MARK, ""))
            out.append(at)
        return tuple(out)

    @cached_property
    def text_chars(self) -> str:
        """The page's Han characters and digits, in order."""
        return _NOT_HAN_OR_DIGIT.sub("", self.text)


def _int(h: str | None) -> int | None:
    return int(h, 16) if h else None


def _bits(a: int, b: int) -> int:
    return (a ^ b).bit_count()


_HAN = "\u4e00-\u9fff\u3400-\u4dbf〇"
# Character classes are counted by deleting the others in C: a per-character Python loop made
# the duplicate search the whole cost of a cached rerun (3.4 of 3.5 s on the bench archive).
_NOT_HAN = re.compile(f"[^{_HAN}]")
_HAN_CHAR = re.compile(f"[{_HAN}]")
DATE_UNITS = ("年", "月", "日")
NUMBER_CHARS = 6  # a month and day in Chinese numerals (十二月二十日 after 年) is at most this long
# Numerals of a date, with the letter O and the circle ○ that OCR reads for 〇.
_NUMERAL = "0-9〇○零O一二三四五六七八九十廿"
_NOT_NUMERAL = re.compile(f"[^{_NUMERAL}]")
# A date as printed: year, month and (optionally) day, in digits or Chinese numerals. 月 may be
# misread itself (二零二三年五朋, read at 92 on a cover, pair seed 9403): a year and a month's
# number already make it a date.
_DATE = re.compile(f"[{_NUMERAL}]{{2,4}}年[{_NUMERAL}]{{1,2}}(?:月(?:[{_NUMERAL}]{{1,3}}日)?)?")
_NOT_DIGIT = re.compile("[^0-9]")
_NOT_HAN_OR_DIGIT = re.compile(f"[^{_HAN}0-9]")


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or ch == "〇"


def _text_chars(s: str) -> tuple[int, int]:
    """(Han characters, digits) of ``s``: what OCR read as text rather than noise."""
    return len(_NOT_HAN.sub("", s)), len(_NOT_DIGIT.sub("", s))


@dataclass(frozen=True)
class TextComparison:
    """How two pages' texts agree (see the module docstring)."""

    text_a: int  # Han/digit characters on each page
    text_b: int
    agreed: int  # Han/digit characters aligned equal
    fields: tuple[tuple[str, str], ...]  # differing stretches where both read text: (王思远, 郑一鸣)
    slips: tuple[tuple[str, str], ...]  # single swapped characters: (站, 让)
    exact: bool = False  # both texts are text layers: no field is an OCR misreading
    # Where each field lies: (start, end) in the first text, (start, end) in the second.
    field_at: tuple[tuple[int, int, int, int], ...] = ()

    @property
    def slip_allowance(self) -> float:
        """``SLIPS_MIN`` but for a slip that repeats: the same character swapped for the same
        other one twice is as often a name that differs in one character and is printed twice
        (聘任韩佳琪… / 聘任陈佳琪…: a colleague's letter, dev pair seed 74, five slips) as
        one glyph misread alike twice (曹娥 / 草娥): the old minimum of three then."""
        repeats = len(set(self.slips)) < len(self.slips)
        return max(SLIPS_MIN_REPEATED if repeats else SLIPS_MIN, SLIPS_PER_CHAR * self.agreed)

    @property
    def consistent(self) -> bool:
        """Nothing that both pages read differs (beyond OCR slips). On a long page OCR also
        misreads two characters in a row now and then (脱氮 → 脐氨): one such two-character
        field is allowed per ``CHARS_PER_SHORT_FIELD`` agreeing characters. Certificates and
        letters, whose names are the fields that matter, are shorter than that."""
        if self.exact:
            return not self.fields and not self.slips
        short = [f for f in self.fields if max(map(len, f)) <= 2]
        return (len(self.fields) == len(short) and len(short) <= self.agreed // CHARS_PER_SHORT_FIELD
                and len(self.slips) <= self.slip_allowance)

    @property
    def cover_short(self) -> float:
        """Share of the page with less text that the other page confirms."""
        return self.agreed / max(min(self.text_a, self.text_b), 1)

    @property
    def cover_long(self) -> float:
        return self.agreed / max(self.text_a, self.text_b, 1)


def _has_han_pair(s: str) -> bool:
    """Two different Han characters side by side: a word, not a ruled line read as 一一一 or
    a lone glyph between garbage (人0于)."""
    return any(_is_han(x) and _is_han(y) and x != y for x, y in pairwise(s))


# A ruled line or a frame reads as a row of 一 and 人 (``一一一<人>一人>一>人>一人一全一一``, a
# certificate's border on pair seeds 9401/9404): the same two glyphs, far more than any text has.
RULING_GLYPHS = frozenset("一人")
RULING_SHARE, RULING_MIN = 0.8, 6  # of the stretch's Han characters, and at least this many


def _is_ruling(s: str) -> bool:
    """The stretch's Han characters are a ruled line read as 一 and 人."""
    han = _NOT_HAN.sub("", s)
    return len(han) >= RULING_MIN and sum(ch in RULING_GLYPHS for ch in han) >= RULING_SHARE * len(han)


def _classify(sa: str, sb: str, exact: bool = False) -> str:
    """A differing stretch: "field" (both read different text), "slip" (one character swapped
    for another of its kind), or "noise" (garbage on one side, or a side missing). Between
    two exact texts (PDF text layers) any text against other text is a field: 孙静 / 孙德明
    is a slip's shape but no reader misread it."""
    if not sa or not sb:
        return "noise"  # text one page lost (or a crop cut off) is not a different text
    han_a, dig_a = _text_chars(sa)
    han_b, dig_b = _text_chars(sb)
    if exact and (han_a or dig_a) and (han_b or dig_b):
        return "field"
    garbage_a = len(sa) - han_a - dig_a
    garbage_b = len(sb) - han_b - dig_b
    mostly_text = (garbage_a < GARBAGE_SHARE * len(sa) and garbage_b < GARBAGE_SHARE * len(sb)
                   and not _is_ruling(sa) and not _is_ruling(sb))
    if mostly_text and _has_han_pair(sa) and _has_han_pair(sb):
        return "field"
    if dig_a and dig_b and not (han_a or han_b or garbage_a or garbage_b) and max(dig_a, dig_b) >= FIELD_CHARS:
        return "field"  # a number: "22" / "18", "7309" / "99551"
    if len(sa) <= 2 and len(sb) <= 2 and (min(han_a, han_b) or min(dig_a, dig_b)):
        return "slip"
    return "noise"


def _misread_number(sa: str, sb: str, before: str, after: str, in_date: bool) -> bool:
    """A differing stretch that is a number of a date, one side of it not numerals: that number
    misread. It is a number when one text reads a date there (二O〇一九年一月九日 against
    去O〇-一大是一月九日), or when it ends right before 年/月/日 (a year in Chinese numerals under
    a seal read 二雪世只 on one copy and 二雾二零 on the other, 二〇二〇年) or is short, right
    after 年/月 and has a numeral or a date unit on one side (从月<上林月b / 到年/月一十至目).
    Two numbers that both read as numerals (二〇一九 / 二〇二〇, 2019 / 2020) stay a field, and
    text layers misread nothing."""
    if not sa or not sb:
        return False
    numbers = (_NOT_NUMERAL.sub("", sa), _NOT_NUMERAL.sub("", sb))
    slot = (in_date or after in DATE_UNITS
            or (before in DATE_UNITS[:2] and max(len(sa), len(sb)) <= NUMBER_CHARS
                and any(numbers + tuple(u in sa + sb for u in DATE_UNITS))))
    return slot and not (numbers[0] == sa and numbers[1] == sb)


def _date_spans(s: str) -> list[tuple[int, int]]:
    return [m.span() for m in _DATE.finditer(s)]


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """[start, end) is part of one of ``spans`` but for at most one character around it (the
    起/至 next to a date misread with it, 至二〇一 / 全一2人): a stretch that runs further into
    the text around a date (a name before it, 王伟二〇一九) is not just the date's number."""
    return start < end and any(start < e and s < end and (end - start) - (min(end, e) - max(start, s)) <= 1
                               for s, e in spans)


def _within(spans: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    """[start, end) lies wholly in ``spans`` (adjacent spans together)."""
    return start < end and sum(max(0, min(end, e) - max(start, s)) for s, e in spans) == end - start


Spans = tuple[tuple[int, int], ...]


def _shaky_run(spans: Spans, start: int, end: int, step: int) -> int:
    """How many characters of [start, end), from its start (step 1) or its end (step -1), lie in
    ``spans``."""
    n = 0
    for i in range(start, end) if step > 0 else range(end - 1, start - 1, -1):
        if not any(s <= i < e for s, e in spans):
            break
        n += 1
    return n


def _trim_shaky(sa: str, sb: str, run: tuple[int, int, int, int], shaky_a: Spans, shaky_b: Spans
                ) -> tuple[int, int, int, int]:
    """A differing stretch without the ends that both pages read in shaky lines, if text is left
    on both sides: a letterhead garbled on both pages runs into the next line's first character
    misread (坪|御州市 / 二|衢州市: 御 / 衢 is a slip, 坪 / 二 two guesses at a logo). Ends with
    digits on both sides stay (a number)."""
    a0, a1, b0, b1 = run
    for step in (1, -1):
        na, nb = _shaky_run(shaky_a, a0, a1, step), _shaky_run(shaky_b, b0, b1, step)
        if not (na and nb and na < a1 - a0 and nb < b1 - b0):
            continue
        ends = (sa[a0:a0 + na], sb[b0:b0 + nb]) if step > 0 else (sa[a1 - na:a1], sb[b1 - nb:b1])
        if _NOT_DIGIT.sub("", ends[0]) and _NOT_DIGIT.sub("", ends[1]):
            continue
        if step > 0:
            a0, b0 = a0 + na, b0 + nb
        else:
            a1, b1 = a1 - na, b1 - nb
    return a0, a1, b0, b1


@lru_cache(maxsize=4096)  # page_similarity and contradicts compare the same pair in turn
def compare_text(sa: str, sb: str, exact: bool = False, shaky_a: Spans = (), shaky_b: Spans = (),
                 breaks_a: tuple[int, ...] = (), breaks_b: tuple[int, ...] = ()) -> TextComparison:
    """Align two compact page texts and sort their differences.

    An optimal alignment is not unique and the one Levenshtein picks depends on which text
    comes first: a differing name may be split into an insertion and a deletion one way and
    kept as one stretch the other. Both ways are taken and the one that finds more
    disagreement is kept, so the answer does not depend on which page is the original.
    ``exact``: both texts are the documents' own text layers (see ``_classify``); ``shaky_a``,
    ``shaky_b``: where each text's shaky lines lie (``PagePrint.shaky``); ``breaks_a``,
    ``breaks_b``: where its lines start (``PagePrint.line_starts``)."""
    ab = _compare_one_way(sa, sb, exact, shaky_a, shaky_b, breaks_a, breaks_b)
    ba = _compare_one_way(sb, sa, exact, shaky_b, shaky_a, breaks_b, breaks_a)
    ba = TextComparison(ba.text_b, ba.text_a, ba.agreed, tuple((y, x) for x, y in ba.fields),
                        tuple((y, x) for x, y in ba.slips), exact,
                        tuple((b0, b1, a0, a1) for a0, a1, b0, b1 in ba.field_at))
    return max(ab, ba, key=lambda c: (len(c.fields), len(c.slips), -c.agreed))


def _line_split(run: tuple[int, int, int, int], breaks_a: tuple[int, ...], breaks_b: tuple[int, ...]
                ) -> list[tuple[int, int, int, int]]:
    """A differing stretch that runs over one line break on each page, cut there: a title
    one page read and the other garbled, then the next line's name (荣誉证书|冯玉兰 against
    rmsAN|周健, a colleague's certificate, pair seed 9702) is one stretch whose garbage hid the
    name."""
    a0, a1, b0, b1 = run
    inner_a = [i for i in breaks_a if a0 < i < a1]
    inner_b = [i for i in breaks_b if b0 < i < b1]
    if len(inner_a) != 1 or len(inner_b) != 1:
        return [run]
    return [(a0, inner_a[0], b0, inner_b[0]), (inner_a[0], a1, inner_b[0], b1)]


def _split_field(sa: str, sb: str, run: tuple[int, int, int, int], part: tuple[int, int, int, int],
                 exact: bool) -> bool:
    """A part of a stretch cut at line breaks (``_line_split``) is a field, and neither side of
    it is read on the other page's side of the stretch: a line one page lost shifts the pairing
    (录用证明|黄海阅同志 against -~en|录用证明: 录用证明 is not another text than 黄海阅同志)."""
    a, b = sa[part[0]:part[1]], sb[part[2]:part[3]]
    if _classify(a, b, exact) != "field":
        return False
    whole_a, whole_b = sa[run[0]:run[1]], sb[run[2]:run[3]]
    return (LCSseq.similarity(_NOT_HAN_OR_DIGIT.sub("", a), whole_b) <= 1
            and LCSseq.similarity(_NOT_HAN_OR_DIGIT.sub("", b), whole_a) <= 1)


def _compare_one_way(sa: str, sb: str, exact: bool, shaky_a: Spans, shaky_b: Spans,
                     breaks_a: tuple[int, ...] = (), breaks_b: tuple[int, ...] = ()) -> TextComparison:
    han_a, dig_a = _text_chars(sa)
    han_b, dig_b = _text_chars(sb)
    agreed = 0
    fields: list[tuple[str, str]] = []
    field_at: list[tuple[int, int, int, int]] = []
    slips: list[tuple[str, str]] = []
    if sa and sb:
        # Differing stretches as (start, end) in sa and in sb: runs of non-equal opcodes.
        runs: list[tuple[int, int, int, int]] = []
        open_run: tuple[int, int] | None = None
        for op in Levenshtein.opcodes(sa, sb):
            if op.tag == "equal":
                if open_run is not None:
                    runs.append((open_run[0], op.src_start, open_run[1], op.dest_start))
                    open_run = None
                agreed += sum(_text_chars(sa[op.src_start:op.src_end]))
            elif open_run is None:
                open_run = (op.src_start, op.dest_start)
        if open_run is not None:
            runs.append((open_run[0], len(sa), open_run[1], len(sb)))
        dates_a, dates_b = _date_spans(sa), _date_spans(sb)
        for a0, a1, b0, b1 in runs:
            a, b = sa[a0:a1], sb[b0:b1]
            in_date = _inside(dates_a, a0, a1) or _inside(dates_b, b0, b1)
            if not exact and _misread_number(a, b, sa[a0 - 1:a0], sa[a1:a1 + 1], in_date):
                continue
            if (_within(shaky_a, a0, a1) and _within(shaky_b, b0, b1)
                    and not (_NOT_DIGIT.sub("", a) and _NOT_DIGIT.sub("", b))):
                # Both pages misread this: two guesses at one thing, not two things. Digits on
                # both sides stay a number that differs (证书编号 read at 29–50 on colleagues'
                # certificates: 103975727530053 / 103996140980368).
                continue
            a0, a1, b0, b1 = _trim_shaky(sa, sb, (a0, a1, b0, b1), shaky_a, shaky_b)
            a, b = sa[a0:a1], sb[b0:b1]
            kind = _classify(a, b, exact)
            if kind == "noise":
                parts = _line_split((a0, a1, b0, b1), breaks_a, breaks_b)
                found = [p for p in parts if len(parts) > 1 and _split_field(sa, sb, (a0, a1, b0, b1), p, exact)]
                if found:
                    fields.extend((sa[p[0]:p[1]], sb[p[2]:p[3]]) for p in found)
                    field_at.extend(found)
                    continue
            if kind == "field":
                fields.append((a, b))
                field_at.append((a0, a1, b0, b1))
            elif kind == "slip":
                slips.append((a, b))
    return TextComparison(han_a + dig_a, han_b + dig_b, agreed, tuple(fields), tuple(slips), exact,
                          tuple(field_at))


# ----------------------------------------------------------------------------- glyphs
#
# A field found in the text is looked at in the two pages' images: the glyph strips of the
# two lines it lies in (``checks.fingerprint.line_glyph``), cut at the columns its characters
# take (a Han character one unit, a Latin letter or digit about half). The same printed
# characters misread two ways (为表彰 / 为才朝) have the same glyphs there; a colleague's
# other name (韩德明 / 徐春燕) other glyphs.
# Correlation (``glyph_similarity``: the worse of the whole field and its characters' cells)
# at or above which a field's glyphs are the same. Fitted on the fields of pair seeds
# 9701–9703 and (glyphs cut again from their documents, same OCR) 9401–9406 and dev 71–74:
# copies' misread fields scored 0.769–0.979 (14 of 17 that had glyphs on both sides; under:
# a grey seal over the field on one copy 0.58, two damaged date lines 0.69), colleagues'
# differing names and titles (the field that keeps each negative pair apart) at most 0.633
# against the original and 0.739 against the copy (冯德明 / 马慧敏: 冯 holds 马). 0.75 lies
# between; the margin is thin on the negatives' side. (At 16-px strips the two overlapped:
# 0.756 / 0.73.)
GLYPH_SAME = 0.75
GLYPH_BLUR = 0.05 * GLYPH_HEIGHT  # px, a Gaussian's sigma: binarisations differ at the edges
GLYPH_SHIFT = GLYPH_HEIGHT  # px: the columns are estimated from the text: about a character off
GLYPH_WIDTH_RATIO = 1.6  # fields' widths further apart than this hold other glyphs
# A strip's text may come out smaller than the other's (its box took in a scanner's border
# or a seal's ring, and the strip's height with it): each side's glyphs are also looked for
# at these sizes in the other's.
GLYPH_SCALES = (1.0, 0.87, 0.75)
# Share of a field's columns that is ink, under which they lie between characters, not on
# them (Han characters are 20–40 % ink): blank against blank correlates as highly as the same
# glyphs do.
GLYPH_MIN_INK_SHARE = 0.08
GLYPH_CELL_SHIFT = 3  # px a character's cell may move against where the whole field fits
GLYPH_PUNCT_UNIT = 0.8
GLYPH_MIN_WIDTH = 6  # px: a narrower field (a punctuation mark) says nothing
# Pixels of a line's strip per character unit, where its text tells where its glyphs are: on
# the pair seeds 9701–9703 lines ran 0.98–1.13 strip heights a unit (quartiles; text layers
# 0.87–1.5 from the 5th to the 95th percentile). Outside, the OCR lost part of the line (a table read as
# ``=站限公司`` under a 300-px strip) or the strip took in more than the line (a tilted photo's
# box over two lines): no column can be placed.
GLYPH_UNIT_PX = (0.75 * GLYPH_HEIGHT, 1.625 * GLYPH_HEIGHT)


def _unit(ch: str) -> float:
    """Width of a character in a line of Chinese print, in Han characters."""
    if _is_han(ch) or ord(ch) > 0x2000:
        return 1.0
    return 0.55 if ch.isalnum() else GLYPH_PUNCT_UNIT  # a digit or Latin letter; punctuation


@lru_cache(maxsize=256)  # a strip is ~100 kB as float32: a page's lines, a few pages' worth
def _strip(glyph: bytes) -> np.ndarray | None:
    """A line's glyph strip, blurred a little: two binarisations of one glyph differ by a pixel
    at its edges."""
    strip = glyph_strip(glyph)
    return None if strip is None else cv2.GaussianBlur(strip, (0, 0), GLYPH_BLUR)


_FRAME_MARKS = "|[]!"


def _field_columns(p: PagePrint, start: int, end: int) -> tuple[np.ndarray, int, int] | None:
    """The glyph strip of the line [start, end) of ``p.text`` lies in, and the columns of those
    characters in it; None when the stretch runs over two lines or the line has no glyphs."""
    starts = p.line_starts
    i = bisect_right(starts, start) - 1
    if i < 0 or i >= len(p.lines) or end > starts[i + 1] or i >= len(p.strips):
        return None
    strip = _strip(p.strips[i])
    if strip is None:
        return None
    line = p.lines[i].replace(SHAKY_MARK, "")
    # A frame's bar beside the line reads as | and is not in its strip (fingerprint's
    # _text_columns): it takes no width.
    units = [0.0 if ch in _FRAME_MARKS and (not line[:k].strip(_FRAME_MARKS) or not line[k:].strip(_FRAME_MARKS))
             else _unit(ch) for k, ch in enumerate(line)]
    total = sum(units)
    if total <= 0:
        return None
    s0, s1 = start - starts[i], end - starts[i]
    width = strip.shape[1]
    if not GLYPH_UNIT_PX[0] * total <= width <= GLYPH_UNIT_PX[1] * total:
        return None
    x0 = round(sum(units[:s0]) / total * width)
    x1 = round(sum(units[:s1]) / total * width)
    return strip, x0, x1


def _ncc(x: np.ndarray, y: np.ndarray) -> float | None:
    """Normalised cross-correlation of two equal-sized images; None if either is flat."""
    dx, dy = x - x.mean(), y - y.mean()
    norm = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    return float((dx * dy).sum()) / norm if norm > 1e-6 else None


def _best_match(src: np.ndarray, x0: int, x1: int, dst: np.ndarray, y0: int, y1: int) -> float | None:
    """How well ``src``'s columns [x0, x1) are found in ``dst`` near its columns [y0, y1).

    The field is placed where it correlates best, at its size or a little smaller, within
    ``GLYPH_SHIFT`` columns each way and two rows up or down; there each of its characters
    (a ``GLYPH_HEIGHT``-wide cell) is correlated with what lies under it, shifted at most
    ``GLYPH_CELL_SHIFT``. The answer is the worst of the whole and its cells: a name that shares
    its given name (朱安传 read for 朱宏伟 against a colleague's 梁宏伟) matches well as a whole,
    its surname's cell does not; and a cell alone, free to move, finds 马 inside 冯."""
    left = max(0, y0 - GLYPH_SHIFT)
    window = dst[:, left:min(dst.shape[1], y1 + GLYPH_SHIFT)]
    window = cv2.copyMakeBorder(window, 2, 2, 0, 0, cv2.BORDER_CONSTANT, value=0.0)
    if float(window.std()) < 1e-3:
        return None
    best: tuple[float, np.ndarray, int, int] | None = None
    for scale in GLYPH_SCALES:
        template = src[:, x0:x1]
        if scale != 1.0:
            size = (max(1, round(template.shape[1] * scale)), round(template.shape[0] * scale))
            template = cv2.resize(template, size, interpolation=cv2.INTER_AREA)
        if template.shape[1] > window.shape[1] or float(template.mean()) < GLYPH_MIN_INK_SHARE:
            continue  # wider than where it may be, or blank: the columns are not on characters
        scores = cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED)
        _lo, score, _at, (mx, my) = cv2.minMaxLoc(scores)
        if best is None or score > best[0]:
            best = (float(score), template, mx, my)
    if best is None:
        return None
    score, template, mx, my = best
    th, tw = template.shape
    cells = round(tw / GLYPH_HEIGHT)
    if cells < 2:
        return score
    padded = cv2.copyMakeBorder(window, GLYPH_CELL_SHIFT, GLYPH_CELL_SHIFT, GLYPH_CELL_SHIFT, GLYPH_CELL_SHIFT,
                                cv2.BORDER_CONSTANT, value=0.0)
    worst = score
    for k in range(cells):
        c0, c1 = k * tw // cells, (k + 1) * tw // cells
        cell = template[:, c0:c1]
        if float(cell.std()) < 1e-3:
            continue
        under = padded[my:my + th + 2 * GLYPH_CELL_SHIFT, mx + c0:mx + c1 + 2 * GLYPH_CELL_SHIFT]
        if under.shape[0] < cell.shape[0] or under.shape[1] < cell.shape[1] or float(under.std()) < 1e-3:
            worst = min(worst, 0.0)
            continue
        worst = min(worst, float(cv2.matchTemplate(under, cell, cv2.TM_CCOEFF_NORMED).max()))
    return worst


def glyph_similarity(a: PagePrint, b: PagePrint, at: tuple[int, int, int, int]) -> float | None:
    """How alike the glyphs of a field are on the two pages (``at``: its place in each text),
    as the better of either side's glyphs found in the other's (``_best_match``); None when a
    side has no glyphs there (an older store, a line read in garble, a stretch over two lines)."""
    ga, gb = _field_columns(a, at[0], at[1]), _field_columns(b, at[2], at[3])
    if ga is None or gb is None:
        return None
    (sa, xa0, xa1), (sb, xb0, xb1) = ga, gb
    wa, wb = xa1 - xa0, xb1 - xb0
    if min(wa, wb) < GLYPH_MIN_WIDTH:
        return None
    if max(wa, wb) > GLYPH_WIDTH_RATIO * min(wa, wb):
        return 0.0
    ab, ba = _best_match(sa, xa0, xa1, sb, xb0, xb1), _best_match(sb, xb0, xb1, sa, xa0, xa1)
    found = [x for x in (ab, ba) if x is not None]
    return max(found) if found else None


def context_similarity(a: PagePrint, b: PagePrint, at: tuple[int, int, int, int]) -> float | None:
    """How alike the two lines' glyphs are just beside a field, where both pages read the same
    characters: what the same print looks like between these two pages (a 150-DPI JPEG copy
    matches itself less well than a clean re-scan). The better side; None without glyphs."""
    ga, gb = _field_columns(a, at[0], at[1]), _field_columns(b, at[2], at[3])
    if ga is None or gb is None:
        return None
    (sa, xa0, xa1), (sb, xb0, xb1) = ga, gb
    w = max(xa1 - xa0, xb1 - xb0, 2 * GLYPH_HEIGHT)
    found = []
    for ca, cb in (((xa0 - w, xa0), (xb0 - w, xb0)), ((xa1, xa1 + w), (xb1, xb1 + w))):
        if ca[0] < 0 or cb[0] < 0 or ca[1] > sa.shape[1] or cb[1] > sb.shape[1]:
            continue
        score = _best_match(sa, ca[0], ca[1], sb, cb[0], cb[1])
        if score is not None:
            found.append(score)
    return max(found) if found else None


def _compare(a: PagePrint, b: PagePrint) -> TextComparison:
    """``compare_text`` of two prints, with the fields whose glyphs are the same on both pages
    (misreadings) counted as slips instead."""
    c = compare_text(a.text, b.text, a.exact and b.exact, a.shaky, b.shaky, a.line_starts, b.line_starts)
    if not c.fields or c.exact or not a.strips or not b.strips:
        return c
    keep: list[int] = []
    for i, at in enumerate(c.field_at):
        if (glyph_similarity(a, b, at) or 0.0) >= GLYPH_SAME:
            continue
        keep.append(i)
        if max(map(len, c.fields[i])) > 2 or len(keep) > c.agreed // CHARS_PER_SHORT_FIELD:
            # The pages differ whatever the other fields' glyphs say (``consistent``): the rest
            # stay fields unlooked-at (most candidate pairs are other pages of one layout).
            keep.extend(range(i + 1, len(c.fields)))
            break
    if len(keep) == len(c.fields):
        return c
    misread = tuple(f for i, f in enumerate(c.fields) if i not in keep)
    return replace(c, fields=tuple(c.fields[i] for i in keep), slips=c.slips + misread,
                   field_at=tuple(c.field_at[i] for i in keep))


def _could_agree(a: PagePrint, b: PagePrint, d_p: int, d_d: int | None) -> bool:
    """False when no tier of ``page_similarity`` can hold, decided without the alignment.

    The characters an alignment finds equal are a common subsequence of the two pages'
    Han/digit characters, so their longest common subsequence (bit-parallel, in C) bounds
    ``agreed`` from above. Most candidate pairs in an archive are different pages of similar
    layout; aligning each in full made the duplicate search quadratic in Python time
    (400 born-digital pages: 27 000 alignments, 99 s)."""
    fa, fb = a.text_chars, b.text_chars
    short, long = min(len(fa), len(fb)), max(len(fa), len(fb))
    if short < MIN_TEXT_CHARS:
        return True  # the image decides (or a field may still differ): no bound to apply
    most = LCSseq.similarity(fa, fb)
    strong = most >= STRONG_SHORT * short and most >= STRONG_LONG * long and most >= STRONG_CHARS
    fair = most >= FAIR_SHORT * short and most >= FAIR_CHARS and d_p <= PHASH_FAIR
    weak = most >= WEAK_CHARS and d_p <= PHASH_WEAK and d_d is not None and d_d <= DHASH_WEAK
    return strong or fair or weak


def page_similarity(a: PagePrint, b: PagePrint) -> float | None:
    """Similarity in [0, 1] if ``a`` and ``b`` are the same page, else None."""
    if a.phash is None or b.phash is None:
        return None
    d_p = _bits(a.phash, b.phash)
    d_d = _bits(a.dhash, b.dhash) if a.dhash is not None and b.dhash is not None else None
    if not _could_agree(a, b, d_p, d_d):
        return None
    c = _compare(a, b)
    if min(c.text_a, c.text_b) >= MIN_TEXT_CHARS:
        if not c.consistent:
            return None
        sim = (c.cover_short + c.cover_long) / 2
        if c.cover_short >= STRONG_SHORT and c.cover_long >= STRONG_LONG and c.agreed >= STRONG_CHARS:
            return sim
        if c.cover_short >= FAIR_SHORT and c.agreed >= FAIR_CHARS and d_p <= PHASH_FAIR:
            return sim
        if c.agreed >= WEAK_CHARS and d_p <= PHASH_WEAK and d_d is not None and d_d <= DHASH_WEAK:
            return sim
        return None
    if c.fields:
        return None
    if d_p > PHASH_IMAGE_ONLY or (d_d is not None and d_d > DHASH_IMAGE_ONLY):
        return None
    return 1.0 - d_p / 64.0


def contradicts(a: PagePrint, b: PagePrint) -> bool:
    """Both pages read enough text and a field differs between them."""
    c = _compare(a, b)
    return min(c.text_a, c.text_b) >= MIN_TEXT_CHARS and bool(c.fields)


def is_blank(page: PageEvidence) -> bool:
    """No text and (almost) no ink: a blank page is evidence of nothing, and every blank page
    hashes alike (all bits 0), so two reports with a blank page each would share it."""
    ink = page.measurement("ink_coverage")
    return not page.text.text.strip() and ink is not None and ink.value < BLANK_INK_PCT


def is_exact(page: PageEvidence) -> bool:
    """The page's text is a born-digital PDF's own text layer, not OCR (an OCRmyPDF'd scan
    also has a layer, but over a page-sized raster: ``effective_dpi`` is set)."""
    return page.text.source == "layer" and page.origin == "born_digital" and page.effective_dpi is None


def compared_lines(text: PageText) -> tuple[str, ...]:
    """The page's text lines (``text_lines``), with the Han characters of lines OCR read with a
    confidence under ``GARBLED_LINE_CONF`` left out: a red border, a logo or a ruled frame read
    as a line of characters (``本仆仆臣人下下芷共生攻下一``, 4.5) differs on every reading of the
    page, and its Han characters would count as a differing field between two scans of one
    letter. Its digits stay: a certificate number read at 29 behind junk (``iE48S:1039961…``)
    is still the number that tells two colleagues' certificates apart. Lines read under
    ``SHAKY_LINE_CONF`` start with ``SHAKY_MARK`` (see ``PagePrint.shaky``)."""
    return tuple(line for line, _glyph in _compared(text, ()))


def _compared(text: PageText, glyphs: tuple[bytes, ...]) -> list[tuple[str, bytes]]:
    """``compared_lines`` with each line's glyph strip (b"" where there is none, or where the
    line's Han characters were left out: its characters no longer say where its glyphs are)."""
    lines = text.text.split("\n")
    if len(lines) != len(text.spans):  # not one line per span: nothing to go by
        return [(line, b"") for line in text_lines(text)]
    if len(glyphs) != len(lines):
        glyphs = (b"",) * len(lines)
    out = []
    for line, span, glyph in zip(lines, text.spans, glyphs, strict=True):
        garbled = span.conf < GARBLED_LINE_CONF
        kept = compact(_HAN_CHAR.sub("", line) if garbled else line)
        if len(kept) >= MIN_LINE_CHARS:  # as text_lines
            out.append((SHAKY_MARK + kept if span.conf < SHAKY_LINE_CONF else kept,
                        b"" if garbled else glyph))
    return out


def prints_of(evidence: DocumentEvidence, applicant: str, order: tuple[int, int]) -> list[PagePrint]:
    """The page prints of a document's evidence (text lines only from fully read pages, garbled
    lines left out; blank pages without hashes, so they match nothing)."""
    out = []
    for p in evidence.pages:
        compared = _compared(p.text, p.line_glyphs) if p.text_scope == "full" else []
        lines = tuple(line for line, _glyph in compared)
        glyphs = tuple(glyph for _line, glyph in compared)
        blank = is_blank(p)
        out.append(PagePrint(str(evidence.ref.logical), evidence.ref.display, applicant,
                             evidence.sha256 or "", p.number, None if blank else _int(p.fingerprint),
                             None if blank else _int(p.dhash), lines, order, is_exact(p),
                             glyphs if any(glyphs) else ()))
    return out


def _line_keys(lines: tuple[str, ...]) -> set[str]:
    """Index keys of a page's text: each line's Han characters and digits. OCR puts stray
    bars, quotes and Latin junk at line ends differently on every reading of a page; without
    them a photo of a copy shares lines with the original that its image hash no longer
    shows (photos hash 20–36 bits apart)."""
    keys = set()
    for line in lines:
        key = _NOT_HAN_OR_DIGIT.sub("", line)
        if len(key) >= LINE_KEY_CHARS:
            keys.add(key)
    return keys


@lru_cache(maxsize=4096)  # a page's keys are asked for when it is added and when it is looked up
def _gram_keys(text_chars: str) -> frozenset[str]:
    """Winnowing (Schleimer, Wilkerson and Aiken, 2003) of the page's character runs: in each
    window of ``GRAM_WINDOW`` consecutive ``GRAM_CHARS``-character runs the one with the least
    hash is a key. Two texts that share ``GRAM_CHARS + GRAM_WINDOW - 1`` characters in a row
    share a key, at about a third of the runs' count. crc32, not ``hash``: the same on every
    run and in every process."""
    grams = [text_chars[i:i + GRAM_CHARS] for i in range(len(text_chars) - GRAM_CHARS + 1)]
    if len(grams) <= GRAM_WINDOW:
        return frozenset(grams)
    hashes = np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint32, count=len(grams))
    windows = np.lib.stride_tricks.sliding_window_view(hashes, GRAM_WINDOW)
    picked = windows.argmin(axis=1) + np.arange(len(windows))  # the leftmost least in each window
    return frozenset(grams[i] for i in set(picked.tolist()))


def _image_distance(a: PagePrint, b: PagePrint) -> int:
    """pHash bits apart, then dHash bits (both set when a page has hashes)."""
    d = _bits(a.phash or 0, b.phash or 0)
    return 64 * d + (_bits(a.dhash, b.dhash) if a.dhash is not None and b.dhash is not None else 64)


class DuplicateIndex:
    """Every page seen so far (this run and earlier runs), indexed for candidate lookup."""

    def __init__(self) -> None:
        self._bands: dict[tuple[int, int], list[PagePrint]] = defaultdict(list)
        self._lines: dict[str, list[PagePrint]] = defaultdict(list)
        self._grams: dict[str, list[PagePrint]] = defaultdict(list)
        self._by_sha: dict[str, list[PagePrint]] = defaultdict(list)
        self._docs: set[str] = set()

    def __contains__(self, doc: str) -> bool:
        return doc in self._docs

    def add(self, prints: Iterable[PagePrint]) -> None:
        for p in prints:
            self._docs.add(p.doc)
            if p.page == 1 and p.sha256:
                self._by_sha[p.sha256].append(p)
            if p.phash is not None:
                for i in range(BANDS):
                    self._bands[(i, (p.phash >> (8 * i)) & 0xFF)].append(p)
            for key in _line_keys(p.lines):
                self._lines[key].append(p)
            for key in _gram_keys(p.text_chars):
                self._grams[key].append(p)

    def _candidates(self, p: PagePrint) -> dict[tuple[str, int], PagePrint]:
        seen: dict[tuple[str, int], PagePrint] = {}
        if p.phash is not None:
            banded: dict[tuple[str, int], PagePrint] = {}
            for i in range(BANDS):
                for c in self._bands.get((i, (p.phash >> (8 * i)) & 0xFF), ()):
                    banded[(c.doc, c.page)] = c
            nearest = sorted(banded.items(), key=lambda kv: _image_distance(p, kv[1]))
            seen.update(nearest[:IMAGE_CANDIDATES + 1])  # + 1: the page itself
        for key in _line_keys(p.lines):
            postings = self._lines.get(key, ())
            if len(postings) <= LINE_MAX_POSTINGS:
                for c in postings:
                    seen[(c.doc, c.page)] = c
        shared: Counter[tuple[str, int]] = Counter()
        pages: dict[tuple[str, int], PagePrint] = {}
        for key in _gram_keys(p.text_chars):
            postings = self._grams.get(key, ())
            if len(postings) <= GRAM_MAX_POSTINGS:
                for c in postings:
                    shared[(c.doc, c.page)] += 1
                    pages[(c.doc, c.page)] = c
        for at, _n in shared.most_common(GRAM_CANDIDATES + 1):  # + 1: the page itself
            seen[at] = pages[at]
        return seen

    def find(self, prints: list[PagePrint]) -> tuple[DuplicateHit, ...]:
        """Hits for a document's pages against earlier documents of other applicants: one
        for a byte-identical file, else the best match for each page."""
        if not prints:
            return ()
        me = prints[0]

        def earlier_other(c: PagePrint) -> bool:
            return c.applicant != me.applicant and c.doc != me.doc and c.order < me.order

        if me.sha256:
            same = sorted((c for c in self._by_sha.get(me.sha256, ()) if earlier_other(c)),
                          key=lambda c: c.order)
            if same:
                o = same[0]
                return (DuplicateHit(1, o.display, 1, o.applicant, 1.0, True),)
        hits = []
        for p in prints:
            matches: list[tuple[float, PagePrint]] = []
            others: list[PagePrint] = []
            for c in self._candidates(p).values():
                if c.doc == p.doc:
                    continue
                sim = page_similarity(p, c)
                if sim is None:
                    others.append(c)
                elif earlier_other(c):
                    matches.append((sim, c))
            if not matches:
                continue
            contradicting = [c for c in others if contradicts(p, c)]  # only needed for a match
            # A page that contradicts the original also contradicts its copies: a colleague's
            # letter may match a copy whose OCR lost the name line, while the original read
            # it and shows another name. So a match that is itself the same page as a
            # contradicting page does not count.
            matches = [(sim, c) for sim, c in matches
                       if not any(page_similarity(c, x) is not None for x in contradicting)]
            if matches:
                sim, o = min(matches, key=lambda m: (-m[0], m[1].order))
                hits.append(DuplicateHit(p.page, o.display, o.page, o.applicant, sim, False))
        return tuple(hits)
