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

import difflib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .checks.fingerprint import text_lines
from .model import DocumentEvidence
from .rules import DuplicateHit

# Thresholds, measured with bench/eval_duplicates.py on its dev split (held-out split reported).
PHASH_WITH_TEXT = 14  # bits (of 64) when the text also has to match
PHASH_IMAGE_ONLY = 8  # bits when there is no text to compare (photos, pages read only in strips)
DHASH_IMAGE_ONLY = 12
LINE_MATCH = 0.75  # difflib ratio for two lines to be "the same line" under OCR noise
TEXT_MATCH = 0.95  # share of the shorter page's text (by characters) found on the other page
MIN_TEXT_CHARS = 30  # pages with less text are compared by image only
MIN_MASS_RATIO = 0.6  # the shorter page holds at least this share of the longer page's text
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


def lines_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Share of the shorter page's characters on lines that have a matching line on the
    other page (0 when the pages hold very different amounts of text)."""
    mass_a, mass_b = sum(map(len, a)), sum(map(len, b))
    if not mass_a or not mass_b:
        return 0.0
    short, long_ = (a, b) if mass_a <= mass_b else (b, a)
    if min(mass_a, mass_b) / max(mass_a, mass_b) < MIN_MASS_RATIO:
        return 0.0
    exact = set(long_)
    matched = 0
    for line in short:
        if line in exact:
            matched += len(line)
            continue
        sm = difflib.SequenceMatcher(None, autojunk=False)
        sm.set_seq2(line)
        for other in long_:
            sm.set_seq1(other)
            if sm.real_quick_ratio() >= LINE_MATCH and sm.quick_ratio() >= LINE_MATCH \
                    and sm.ratio() >= LINE_MATCH:
                matched += len(line)
                break
    return matched / min(mass_a, mass_b)


def page_similarity(a: PagePrint, b: PagePrint) -> float | None:
    """Similarity in [0, 1] if ``a`` and ``b`` are the same page, else None."""
    if a.phash is None or b.phash is None:
        return None
    d_p = _bits(a.phash, b.phash)
    text_a, text_b = sum(map(len, a.lines)), sum(map(len, b.lines))
    if text_a >= MIN_TEXT_CHARS and text_b >= MIN_TEXT_CHARS:
        if d_p > PHASH_WITH_TEXT:
            return None
        sim = lines_similarity(a.lines, b.lines)
        return sim if sim >= TEXT_MATCH else None
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
