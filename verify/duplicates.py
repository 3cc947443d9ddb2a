"""Evidence reused across applicants (五(七)): byte-identical files and near-identical pages.

A page of one applicant's document duplicates a page of another applicant's document when

* their perceptual hashes are close (the same page re-scanned, re-saved, recompressed or
  slightly cropped hashes within a few bits), and
* where both pages were read in full and carry text, their text lines match line by line.
  Two colleagues' covers from the same company template differ only in the title, names and
  numbers; their images hash almost alike, so the text decides: a changed title line has no
  counterpart on the other page.

The first occurrence is the original (earlier in this run's input order, or stored by an
earlier run); later ones get the finding. Candidates come from an index (hash bands and exact
text lines), not from comparing every pair, so an archive of 10⁵ pages stays fast.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from .checks.fingerprint import text_lines
from .model import DocumentEvidence
from .rules import DuplicateHit

# Thresholds, measured with bench/eval_duplicates.py on its dev split (held-out split reported).
PHASH_WITH_TEXT = 14  # bits (of 64) when the text also has to match
# Without text to compare (photos, pages read only in strips) the image alone decides: on the
# dev split copies were within 4 bits pHash / 7 bits dHash, other pages of the same layout 12+.
PHASH_IMAGE_ONLY = 6
DHASH_IMAGE_ONLY = 10
TEXT_RATIO = 0.80  # Levenshtein-aligned share of the two pages' compact text
DISTINCT_RUN = 3  # a differing run this long is content, not OCR noise. On the dev split noise
DISTINCT_MIN = 8  # left ≤ 5 such characters, same-template covers with another title ≥ 11
DISTINCT_SHARE = 0.02  # …allowance grows with the page's text (OCR noise accumulates)
MIN_TEXT_CHARS = 30  # pages with less text are compared by image only
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


def _int(h: str | None) -> int | None:
    return int(h, 16) if h else None


def _bits(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def _difference_runs(sa: str, sb: str) -> tuple[int, list[tuple[int, int, bool]]]:
    """Matched characters and the differing runs ``(length in a, length in b, pure)`` of an
    optimal alignment (adjacent edits merged; ``pure``: only inserted or only deleted)."""
    matched = 0
    runs: list[tuple[int, int, bool]] = []
    la = lb = 0
    kinds: set[str] = set()
    for op in Levenshtein.opcodes(sa, sb):
        if op.tag == "equal":
            if la or lb:
                runs.append((la, lb, kinds <= {"insert"} or kinds <= {"delete"}))
                la = lb = 0
                kinds = set()
            matched += op.src_end - op.src_start
        else:
            la += op.src_end - op.src_start
            lb += op.dest_end - op.dest_start
            kinds.add(op.tag)
    if la or lb:
        runs.append((la, lb, kinds <= {"insert"} or kinds <= {"delete"}))
    return matched, runs


@dataclass(frozen=True)
class TextComparison:
    ratio: float  # aligned share of the two texts (ends only one page has left out)
    distinct: int  # characters in differing runs of DISTINCT_RUN or more
    allowance: float  # how many such characters OCR noise may explain on pages this long

    @property
    def same(self) -> bool:
        return self.ratio >= TEXT_RATIO and self.distinct <= self.allowance


def compare_text(sa: str, sb: str) -> TextComparison:
    """Align two compact page texts (Levenshtein) and measure how they differ."""
    if not sa or not sb:
        return TextComparison(0.0, max(len(sa), len(sb)), 0.0)
    if Levenshtein.normalized_similarity(sa, sb) < TEXT_RATIO - 0.15:
        return TextComparison(0.0, max(len(sa), len(sb)), 0.0)  # far apart: skip the alignment
    matched, runs = _difference_runs(sa, sb)
    trimmed_a, trimmed_b = len(sa), len(sb)
    for edge in (0, -1):
        if runs and runs[edge][2]:
            la, lb, _pure = runs.pop(edge)
            trimmed_a -= la
            trimmed_b -= lb
    ratio = 2.0 * matched / max(trimmed_a + trimmed_b, 1)
    distinct = sum(max(la, lb) for la, lb, _pure in runs if max(la, lb) >= DISTINCT_RUN)
    return TextComparison(ratio, distinct, max(DISTINCT_MIN, DISTINCT_SHARE * max(trimmed_a, trimmed_b)))


def text_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """How much two pages say the same thing, in [0, 1]; 0 when they differ in content.

    OCR noise shows as short scattered differences (a wrong character, a garbled 2–5
    character date); a different title, name or paragraph as a long run. So the pages match
    when the aligned share is high and the characters in runs of ``DISTINCT_RUN`` or more stay
    within a small allowance. Text only one page has at the very start or end (lines a slight
    crop cut off) is not counted.
    """
    c = compare_text("".join(a), "".join(b))
    return c.ratio if c.same else 0.0


def page_similarity(a: PagePrint, b: PagePrint) -> float | None:
    """Similarity in [0, 1] if ``a`` and ``b`` are the same page, else None."""
    if a.phash is None or b.phash is None:
        return None
    d_p = _bits(a.phash, b.phash)
    text_a, text_b = sum(map(len, a.lines)), sum(map(len, b.lines))
    if text_a >= MIN_TEXT_CHARS and text_b >= MIN_TEXT_CHARS:
        if d_p > PHASH_WITH_TEXT:
            return None
        sim = text_similarity(a.lines, b.lines)
        return sim if sim > 0.0 else None
    if d_p > PHASH_IMAGE_ONLY:
        return None
    if a.dhash is not None and b.dhash is not None and _bits(a.dhash, b.dhash) > DHASH_IMAGE_ONLY:
        return None
    return 1.0 - d_p / 64.0


def prints_of(evidence: DocumentEvidence, applicant: str, order: tuple[int, int]) -> list[PagePrint]:
    """The page prints of a document's evidence (text lines only from fully read pages)."""
    out = []
    for p in evidence.pages:
        lines = text_lines(p.text) if p.text_scope == "full" else ()
        out.append(PagePrint(str(evidence.ref.logical), evidence.ref.display, applicant,
                             evidence.sha256 or "", p.number, _int(p.fingerprint), _int(p.dhash),
                             lines, order))
    return out


class DuplicateIndex:
    """Every page seen so far (this run and earlier runs), indexed for candidate lookup."""

    def __init__(self) -> None:
        self._bands: dict[tuple[int, int], list[PagePrint]] = defaultdict(list)
        self._lines: dict[str, list[PagePrint]] = defaultdict(list)
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
            for line in set(p.lines):
                self._lines[line].append(p)

    def _candidates(self, p: PagePrint) -> dict[tuple[str, int], PagePrint]:
        seen: dict[tuple[str, int], PagePrint] = {}
        if p.phash is not None:
            for i in range(BANDS):
                for c in self._bands.get((i, (p.phash >> (8 * i)) & 0xFF), ()):
                    seen[(c.doc, c.page)] = c
        for line in set(p.lines):
            for c in self._lines.get(line, ()):
                seen[(c.doc, c.page)] = c
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
            best: tuple[float, PagePrint] | None = None
            for c in self._candidates(p).values():
                if not earlier_other(c):
                    continue
                sim = page_similarity(p, c)
                if sim is None:
                    continue
                if best is None or sim > best[0] or (sim == best[0] and c.order < best[1].order):
                    best = (sim, c)
            if best is not None:
                sim, o = best
                hits.append(DuplicateHit(p.page, o.display, o.page, o.applicant, sim, False))
        return tuple(hits)
