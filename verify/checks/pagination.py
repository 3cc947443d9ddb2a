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

import cv2
import numpy as np

from ..model import PageLabel, PageText, TextSpan
from ..pages import A4_LONG_INCH, Page
from ..text.normalize import normalize_text
from ..text.ocr import OcrEngine
from .clarity import rectified_sheet

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
# A bare number's line is as narrow as the number (1–2 % of the page's width on every fixture
# set's footers). A line across the page read as one digit is a ruled border or a frame: the
# bottom border of a blurred certificate scan read as ``3`` over 87 % of the width at confidence
# 7 (set H doc_040) made a one-page letter "page 3". A wide line still counts when read with
# confidence (a footer whose line box caught a specks' run).
BARE_MAX_WIDTH, BARE_WIDE_MIN_CONF = 0.2, 50.0


def _lowest_footer_span(text: PageText) -> TextSpan | None:
    footer = [s for s in text.spans if s.bbox != (0.0, 0.0, 0.0, 0.0) and s.bbox[1] >= FOOTER_BAND]
    return max(footer, key=lambda s: s.bbox[1]) if footer else None


def find_page_label(text: PageText) -> PageLabel | None:
    """The page number printed in the header or footer, if any.

    A bare number (``3``) counts only as the lowest line of the footer band: anywhere else a
    lone number is a table cell or a list item; and not when that line runs across the page
    and was read without confidence (a ruled border, see ``BARE_MAX_WIDTH``).
    """
    lines = _margin_lines(text)
    for line in lines:
        label = parse_page_label(line)
        if label is not None:
            return label
    if lines:
        m = _BARE.match(normalize_text(lines[0]))
        span = _lowest_footer_span(text)
        border = (span is not None and span.bbox[2] - span.bbox[0] > BARE_MAX_WIDTH
                  and span.conf < BARE_WIDE_MIN_CONF)
        if m and 1 <= int(m.group(1)) <= MAX_PAGE_NUMBER and not border:
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
            # Unlabelled leading pages (a cover prints no footer) fill the first numbers; a
            # leading page whose footer was read but misread prints a number, so it fills the
            # numbers just before the first kept label (seed 7303 doc_071, a cover-less report: a
            # blurred ``2/4`` read ``4`` before ``3/4``, ``4/4``: the cover is what is gone).
            footed = sum(1 for k in ignored if read[k][0] < first_i)
            unlabelled = first_i - footed
            missing.update(lead[unlabelled:unlabelled + before] if len(lead) >= before else lead)
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


# --- reading a footer again ----------------------------------------------------------------
# A whole-page OCR reads a small, lone page number poorly (holdout doc_084: ``- 2 -`` read
# as ``Soe`` at confidence 10), and the page plan's header/footer strips of a grey scan are
# mostly paper grain, which Tesseract's own binarisation turns into lines of noise.
FOOTER_SEARCH = 0.15  # bottom share of the page searched for the footer's last ink line
FOOTER_COLUMNS = (0.1, 0.9)  # central columns only: a scanner's dark edges are not text
FOOTER_TEXT_DPI = 300  # a 9 pt footer is ~37 px high here, where Tesseract reads it best
PAPER_NOISE = 20  # grey levels under the paper still counted as paper (scan grain σ ≤ 5)
INK_SHARE = 0.35  # where the footer line is looked for: ink this share of the way to the
# darkest ink (after a 3×3 mean)
WHITEN_SHARE = 0.1  # what the OCR sees: only this near the paper goes white
FOOTER_MAX_WIDTH = 0.35  # of the page width: ``第 3 页 共 5 页`` in 9 pt is ~17 %


STRIP_MIN_CONTRAST = 40  # grey levels between paper and the darkest stroke: less is paper only


def _ink_cut(grey: np.ndarray, share: float) -> float:
    """Grey level under which a pixel is ink: ``share`` of the way from the paper (median) to
    the darkest ink, and at least ``PAPER_NOISE`` under the paper. The darkest ink is taken
    after a 3×3 mean: a stroke stays dark, a grain outlier averages away (a footer is too few
    pixels for a percentile of the strip to find its ink)."""
    paper = float(np.median(grey))
    darkest = float(cv2.blur(grey, (3, 3)).min())
    return paper - max(float(PAPER_NOISE), share * (paper - darkest))


def whiten_paper(grey: np.ndarray) -> np.ndarray:
    """``grey`` with its paper set to white, ink (and the grey rims of strokes) kept: what
    Tesseract is given of a header or footer strip (the page plan) and of a footer line
    (``read_footer_label``).

    A strip is mostly paper, and Tesseract reads scanner noise and paper grain there as
    characters (raw strips of five fixture scans gave 0 page numbers of 26). Only what is
    within ``WHITEN_SHARE`` of the paper (and ``PAPER_NOISE`` at least) goes white: a harsher
    cut thinned ``/`` until Tesseract read ``3/5`` as ``3/15``. A strip whose darkest stroke
    is less than ``STRIP_MIN_CONTRAST`` under the paper has no ink and comes out white, so the
    OCR reads nothing instead of grain; lone grain specks darker than the cut go white too.
    """
    if grey.size == 0:
        return grey
    mean3 = cv2.blur(grey, (3, 3))
    if float(np.median(grey)) - float(mean3.min()) < STRIP_MIN_CONTRAST:
        return np.full_like(grey, 255)
    cut = _ink_cut(grey, WHITEN_SHARE)
    out = grey.copy()
    # A grain speck is one dark pixel among paper: its 3×3 mean is paper. A stroke's pixels
    # (even of a 2 px ``/``) keep a dark mean.
    out[(grey > cut) | (mean3 > cut)] = 255
    return out


def _footer_line_box(grey: np.ndarray) -> tuple[int, int, int, int] | None:
    """x0, y0, x1, y1 (pixels of ``grey``, the footer search band) of its lowest ink line."""
    h, w = grey.shape
    c0, c1 = int(FOOTER_COLUMNS[0] * w), int(FOOTER_COLUMNS[1] * w)
    sub = cv2.blur(grey[:, c0:c1], (3, 3))
    ink = sub < _ink_cut(grey[:, c0:c1], INK_SHARE)
    rows = np.flatnonzero(ink.sum(axis=1) >= 2)
    if rows.size == 0:
        return None
    # The lowest run of ink rows, allowing gaps of a few rows inside one line (上下 parts
    # of a character, a dash beside a digit).
    gap = max(2, h // 60)
    y1 = int(rows[-1]) + 1
    y0 = y1 - 1
    for r in rows[::-1]:
        if y0 - r > gap:
            break
        y0 = int(r)
    cols = np.flatnonzero(ink[y0:y1].any(axis=0))
    line_h = y1 - y0
    if line_h < 3 or line_h > h // 3:
        return None
    pad = max(4, line_h // 2)
    return (max(0, c0 + int(cols[0]) - pad), max(0, y0 - pad),
            min(w, c0 + int(cols[-1]) + 1 + pad), min(h, y1 + pad))


def needs_footer_reread(label: PageLabel | None) -> bool:
    """Whether an image page's footer should be read again (``read_footer_label``): no label
    was found, or only a bare number, which a whole-page OCR also makes of a misread
    ``- 3 -`` (dev doc_044: ``230``)."""
    return label is None or _BARE.match(label.text) is not None


QUARTER_TURNS = (0, 90, 180, 270)


@dataclass(frozen=True)
class FooterLines:
    """An image page's footer line for each way the page may have been turned to read it
    upright (``PageText.rotation``, degrees clockwise): the lowest line of the band that is
    the bottom once the page is turned so. Which one holds the page number is known only once
    the page's OCR says how it was turned; all are cut while the page is in hand (a few kB
    each). A portrait page is cut upright and upside down; a landscape image (a portrait sheet
    photographed sideways: seed 7373 IMG_2115, whose ``2/3`` the whole-page OCR of the turned
    page missed) also turned either way sideways."""

    by_rotation: tuple[tuple[int, np.ndarray | None], ...]

    def line(self, rotation: int) -> np.ndarray | None:
        """The footer line of the page turned ``rotation`` degrees clockwise, if cut."""
        return next((img for r, img in self.by_rotation if r == rotation % 360), None)

    @property
    def upright(self) -> np.ndarray | None:
        return self.line(0)

    @property
    def turned(self) -> np.ndarray | None:
        """The footer line were the page upside down: its top line turned over."""
        return self.line(180)

    @property
    def any(self) -> bool:
        return any(img is not None for _, img in self.by_rotation)


def _line_image(band: np.ndarray, sheet_width: int, dpi: float) -> np.ndarray | None:
    box = _footer_line_box(band)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    if x1 - x0 > FOOTER_MAX_WIDTH * sheet_width:
        return None  # a line of body text or a table row, not a page number
    crop = band[y0:y1, x0:x1]
    f = max(1.0, FOOTER_TEXT_DPI / max(dpi, 1.0))
    if f > 1.0:
        crop = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
    return cv2.copyMakeBorder(whiten_paper(crop), 20, 20, 20, 20, cv2.BORDER_CONSTANT,
                              value=255)


def footer_lines(page: Page) -> FooterLines:
    """The lowest line of an image page's footer, ready for a one-line OCR engine: cropped,
    enlarged to ``FOOTER_TEXT_DPI``, its paper whitened, on a white border; for the page as
    delivered and turned upside down, and for a sheet wider than tall turned either way
    sideways too. None where the bottom ``FOOTER_SEARCH`` of the page so
    turned has no ink line, or its lowest line is wider than a page number (body text, a table
    row). On a photo the sheet (``rectified_sheet``) is searched, not the desk below it.
    """
    img = page.image
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    # A photo shows a desk around the sheet: the footer is at the bottom of the sheet, read
    # on the sheet made rectangular (its resolution then taken against A4).
    sheet = rectified_sheet(grey)
    dpi = page.dpi if sheet is grey else max(sheet.shape) / A4_LONG_INCH
    landscape = sheet.shape[1] > sheet.shape[0]
    out: list[tuple[int, np.ndarray | None]] = []
    for rotation in QUARTER_TURNS if landscape else (0, 180):
        upright = np.rot90(sheet, -(rotation // 90))  # a view: only the band is copied
        h, w = upright.shape
        band = np.ascontiguousarray(upright[h - int(FOOTER_SEARCH * h):])
        out.append((rotation, _line_image(band, w, dpi)))
    return FooterLines(tuple(out))


def footer_line_image(page: Page) -> np.ndarray | None:
    """The footer line of the page as delivered (``footer_lines``)."""
    return footer_lines(page).upright


_CJK = re.compile(r"[\u4e00-\u9fff]")


def read_footer_line(line: np.ndarray, line_engine: OcrEngine,
                     digits_engine: OcrEngine | None = None) -> PageLabel | None:
    """The page label in a footer line image (``footer_line_image``), read by ``line_engine``
    (Tesseract ``--psm 7``, one line, ``chi_sim``: it read ``- 3 -`` and ``第 4 页 共 7 页``
    best). A line it reads as Latin characters only that are no label (``315`` for ``3/5``:
    chi_sim drops a thin ``/``) is read again by ``digits_engine`` (``eng``, ``--psm 7``: 8/8
    ``3/5`` and ``- 2 -`` on grey test scans where chi_sim read 4/8 ``3/5``; it cannot read
    ``第…页``). Patterned labels only: a bare number read from a crop may be a cover's date
    or a table's last cell (a photographed certificate read "12")."""
    text = " ".join(s.text for s in line_engine.read(line).spans)
    label = parse_page_label(text)
    if label is None and digits_engine is not None and text.strip() and not _CJK.search(text):
        label = parse_page_label(" ".join(s.text for s in digits_engine.read(line).spans))
    return label


def read_footer_label(page: Page, line_engine: OcrEngine,
                      digits_engine: OcrEngine | None = None) -> PageLabel | None:
    """The page number of an image page's footer, read again on its own (no engine call when
    there is no footer-like line; see ``read_footer_line``). For a page whose own text
    carries no label or a bare number (``needs_footer_reread``)."""
    line = footer_line_image(page)
    return None if line is None else read_footer_line(line, line_engine, digits_engine)
