"""The result tree: typed, immutable evidence and findings, shared by every stage.

Checks return evidence (seals, dates, measurements); the rules turn evidence into findings
using the profile; exporters (JSONL, table, HTML) read the same objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

BBox = tuple[float, float, float, float]
"""``(x0, y0, x1, y1)`` as fractions of the page's width and height (origin top-left)."""

SCHEMA_VERSION = 1


class Kind(StrEnum):
    project_cover = "project_cover"
    paper_accepted = "paper_accepted"
    paper_published = "paper_published"
    appointment = "appointment"
    certificate = "certificate"
    other = "other"


class Severity(StrEnum):
    info = "info"
    minor = "minor"
    major = "major"
    blocking = "blocking"

    @property
    def rank(self) -> int:
        return ["info", "minor", "major", "blocking"].index(self.value)


class DateRole(StrEnum):
    issued = "issued"
    accepted = "accepted"
    published = "published"
    appointed = "appointed"
    unknown = "unknown"


class Status(StrEnum):
    ok = "ok"
    unreadable = "unreadable"


_PARTIAL_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True, order=False)
class PartialDate:
    """A date at the precision it was printed: ``2021-03`` stays month-only.

    Comparisons happen at the coarser of the two precisions, so a month-only date in the
    appointment month is neither before nor after it (report contract, 五(一)3).
    """

    year: int
    month: int
    day: int | None = None

    def __post_init__(self) -> None:
        import calendar

        if not (1900 <= self.year <= 2100 and 1 <= self.month <= 12):
            raise ValueError(f"date out of range: {self.year}-{self.month}")
        if self.day is not None:
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"day out of range: {self.year}-{self.month}-{self.day}")

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY-MM-DD`` or ``YYYY-MM``; raises ``ValueError`` otherwise."""
        m = _PARTIAL_DATE.match(text.strip())
        if not m:
            raise ValueError(f"not a YYYY-MM-DD or YYYY-MM date: {text!r}")
        day = int(m.group(3)) if m.group(3) else None
        return cls(int(m.group(1)), int(m.group(2)), day)

    def __str__(self) -> str:
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def _key(self, other: PartialDate) -> tuple[tuple[int, ...], tuple[int, ...]]:
        if self.day is None or other.day is None:
            return (self.year, self.month), (other.year, other.month)
        return (self.year, self.month, self.day), (other.year, other.month, other.day)

    def before(self, other: PartialDate) -> bool:
        """Strictly before ``other`` at the common precision."""
        a, b = self._key(other)
        return a < b

    def after(self, other: PartialDate) -> bool:
        """Strictly after ``other`` at the common precision."""
        a, b = self._key(other)
        return a > b


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class InputRef:
    """One input document, before it is opened. Picklable: workers receive these.

    ``display`` is the path written to the report (relative to the folder argument it was
    found under); ``path`` is the file on disk, or the ZIP archive when ``member`` is set;
    ``logical`` is the absolute path the document would have if archives were folders (used to
    match manifest folders).
    """

    display: str
    path: Path
    logical: PurePosixPath
    member: str | None = None
    index: int = 0
    group: str = ""  # the applicant folder it was found in (first folder under the argument)


@dataclass(frozen=True)
class Applicant:
    """The dates one applicant's documents are judged against."""

    folder: str | None
    appointed: PartialDate | None
    cutoff: PartialDate | None
    appointed_source: str = "none"  # "manifest" | "flag" | "folder" | "none"


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class TextSpan:
    """A run of text (an OCR line or a text-layer line) and where it is on the page."""

    text: str
    bbox: BBox
    conf: float = 100.0


@dataclass(frozen=True)
class PageText:
    """What a page says. ``text`` is normalised (see ``verify.text.normalize``)."""

    text: str
    spans: tuple[TextSpan, ...] = ()
    source: str = "none"  # "layer" | "ocr" | "none"
    engine: str | None = None
    mean_conf: float | None = None
    rotation: int = 0  # degrees clockwise the page was turned to read it upright


@dataclass(frozen=True)
class Seal:
    """One official seal found on a page (report contract ``seals[]``)."""

    page: int
    bbox: BBox
    shape: str  # "round" | "oval" | "square"
    color: str  # "red" | "other"
    text: str
    score: float
    page_unit: str | None = None  # the unit the page prints (编制单位/落款/letterhead)
    unit_similarity: float | None = None  # seal text vs page_unit, 0..1 (a review hint)


@dataclass(frozen=True)
class DateMention:
    """A date printed in the document (report contract ``dates[]``)."""

    page: int
    text: str
    value: PartialDate
    role: DateRole
    bbox: BBox | None = None


@dataclass(frozen=True)
class Measurement:
    """A page measurement that a profile threshold turns into a clarity finding."""

    name: str  # e.g. "sharpness", "effective_dpi", "skew_deg", "contrast", "ink_coverage"
    value: float
    region: BBox | None = None


@dataclass(frozen=True)
class PageLabel:
    """A printed page number (``第 3 页 共 5 页``, ``- 3 -``, ``3/5``)."""

    number: int
    total: int | None
    text: str


@dataclass(frozen=True)
class PageEvidence:
    """Everything the checks learned about one page."""

    number: int  # 1-based
    width_pt: float
    height_pt: float
    origin: str  # "born_digital" (real text layer) | "image" (scan or photo)
    effective_dpi: float | None
    text: PageText
    seals: tuple[Seal, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    label: PageLabel | None = None
    fingerprint: str | None = None  # perceptual hash of the page image, hex
    dhash: str | None = None  # difference hash of the same region, hex (duplicates)
    text_scope: str = "full"  # "full" page read | "strips" (only header/footer strips read)
    # Per text span (line): its image, small and binarised (``checks.fingerprint.line_glyph``),
    # so that duplicates can tell a misreading from another text; () when not taken.
    line_glyphs: tuple[bytes, ...] = ()

    def measurement(self, name: str) -> Measurement | None:
        for m in self.measurements:
            if m.name == name:
                return m
        return None


@dataclass(frozen=True)
class Understanding:
    """What a document is and when (``checks.understanding``): kind, dates, title, unit."""

    kind: Kind = Kind.other
    kind_reason: str | None = None
    dates: tuple[DateMention, ...] = ()
    achievement_date: DateMention | None = None
    title: str | None = None
    issuing_unit: str | None = None
    cover_missing: bool = False
    # Not in the contract: kind scores for debugging, and the journal issue.
    kind_scores: tuple[tuple[Kind, float], ...] = ()
    issue: str | None = None
    poorly_read: bool = False  # an OCR'd page read with low confidence (worth a second reading)


@dataclass(frozen=True)
class DocumentEvidence:
    """Everything the checks learned about one document; the worker's return value."""

    ref: InputRef
    sha256: str | None
    status: Status
    error: str | None = None
    error_zh: str | None = None
    page_count: int = 0
    pages: tuple[PageEvidence, ...] = ()
    understanding: Understanding = Understanding()
    seconds: float = 0.0
    peak_rss_mb: float | None = None  # the worker process's peak RSS after this document
    cacheable: bool = True  # False for transient failures (timeout, crash): retried next run

    @property
    def seals(self) -> tuple[Seal, ...]:
        return tuple(s for p in self.pages for s in p.seals)


# --------------------------------------------------------------------------- findings


EvidenceValue = str | int | float | bool | None


@dataclass(frozen=True)
class Finding:
    """A problem a reviewer should see, with the rule it comes from (report contract)."""

    code: str
    severity: Severity
    page: int | None
    rule: str
    message: str
    points: float = 0.0
    evidence: tuple[tuple[str, EvidenceValue], ...] = ()


@dataclass(frozen=True)
class DocumentReport:
    """One row of the report: the evidence and the findings the profile drew from it."""

    evidence: DocumentEvidence
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    applicant: Applicant | None = None
    # An acceptance letter's paper shown published by these documents of the same applicant
    # (display paths): the reason it has no NOT_PUBLISHED finding.
    publication_proof: tuple[str, ...] = ()

    @property
    def worst(self) -> Severity | None:
        if not self.findings:
            return None
        return max((f.severity for f in self.findings), key=lambda s: s.rank)
