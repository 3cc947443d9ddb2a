"""Rules: turn a document's evidence into findings, using the profile.

Each rule is a small function over a ``RuleContext`` that yields ``Hit``s (a code, a page and
the values its message needs). Severity, rule reference, message and points come from the
profile, so a notice with other requirements is a new profile file, not new code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from .checks.kind import is_journal_front_matter
from .model import (
    Applicant,
    DocumentEvidence,
    DocumentReport,
    EvidenceValue,
    Finding,
    Kind,
    Severity,
    Status,
)
from .profile import Profile


@dataclass(frozen=True)
class DuplicateHit:
    """This document's page matches a page of another applicant's document."""

    page: int
    other_path: str
    other_page: int
    other_applicant: str
    similarity: float
    exact: bool


@dataclass(frozen=True)
class RuleContext:
    doc: DocumentEvidence
    applicant: Applicant
    siblings: tuple[DocumentEvidence, ...] = ()  # the same applicant's other documents
    duplicates: tuple[DuplicateHit, ...] = ()

    @cached_property
    def publication_proof(self) -> tuple[str, ...]:
        """See ``publication_proof``: asked by the NOT_PUBLISHED rule and by the report row,
        matched once (titles against every sibling's pages)."""
        return publication_proof(self)


@dataclass(frozen=True)
class Hit:
    code: str
    page: int | None = None
    values: dict[str, EvidenceValue] = field(default_factory=dict)
    severity: Severity | None = None  # None: the profile's default for the code


Rule = Callable[[RuleContext, Profile], Iterable[Hit]]


def unreadable(ctx: RuleContext, profile: Profile) -> Iterator[Hit]:
    if ctx.doc.status is Status.unreadable:
        yield Hit("UNREADABLE", None, {"reason": ctx.doc.error_zh or ctx.doc.error,
                                       "error": ctx.doc.error})


def seal_missing(ctx: RuleContext, profile: Profile) -> Iterator[Hit]:
    doc = ctx.doc
    if doc.understanding.kind in profile.seal_required_kinds and not doc.seals:
        yield Hit("SEAL_MISSING", None, {"kind": doc.understanding.kind.value,
                                         "kind_name": profile.kind_names[doc.understanding.kind]})


def cover_missing(ctx: RuleContext, profile: Profile) -> Iterator[Hit]:
    if ctx.doc.understanding.kind is Kind.project_cover and ctx.doc.understanding.cover_missing:
        yield Hit("COVER_MISSING", 1, {})


def _publishes(publication: DocumentEvidence, letter: DocumentEvidence, author: str | None) -> bool:
    """The publication proves the letter's paper: its extracted title (an article's heading)
    is the same paper, or its pages print the letter's title with the letter's addressee in
    the author line under it (a contents page), or — the letter's title unread — the letter
    names the publication's title (您的论文《…》)."""
    from .checks.understanding import mentions_title, same_paper

    if publication.understanding.kind is not Kind.paper_published:
        return False
    title = letter.understanding.title
    if not title:
        return mentions_title(publication.understanding.title, letter.pages)
    return (same_paper(publication.understanding.title, title)
            or mentions_title(title, publication.pages, author))


def publication_proof(ctx: RuleContext) -> tuple[str, ...]:
    """The applicant's documents that prove an acceptance letter's paper was published (the
    row names them, so a reviewer sees why no NOT_PUBLISHED was raised)."""
    from .checks.understanding import letter_addressee

    doc = ctx.doc
    if doc.understanding.kind is not Kind.paper_accepted:
        return ()
    author = letter_addressee(doc.pages)
    return tuple(s.ref.display for s in ctx.siblings if _publishes(s, doc, author))


def not_published(ctx: RuleContext, profile: Profile) -> Iterator[Hit]:
    """An acceptance letter no sibling proves published. A publication of the applicant's
    whose title could not be read and whose pages are unclear may be the proof nobody can
    check by text (sets D and J: a blurred or 48-DPI article page the OCR reads as noise): it
    is named, so the reviewer looks at it rather than taking the finding as settled."""
    if ctx.doc.understanding.kind is not Kind.paper_accepted or ctx.publication_proof:
        return
    unclear = tuple(s.ref.display for s in ctx.siblings
                    if s.understanding.kind is Kind.paper_published and not s.understanding.title
                    and next(clarity_hits(s, profile), None) is not None)
    note = str(profile.extra.get("unclear_publication_note", "")) if unclear else ""
    yield Hit("NOT_PUBLISHED", None, {
        "title": ctx.doc.understanding.title or "题目未识别",
        "unclear_publications": "、".join(unclear) or None,
        # the profile's text, formatted as the messages are: a stray field or brace in it
        # must not stop the run
        "unclear_note": note.format_map(_Fields({"paths": "、".join(unclear)}))})


def _date_values(ctx: RuleContext, boundary: object) -> dict[str, EvidenceValue]:
    d = ctx.doc.understanding.achievement_date
    assert d is not None
    return {"date": str(d.value), "date_text": d.text, "page": d.page,
            "boundary": str(boundary), "appointed_source": ctx.applicant.appointed_source}


def before_appointment(ctx: RuleContext, profile: Profile) -> Iterator[Hit]:
    d, appointed = ctx.doc.understanding.achievement_date, ctx.applicant.appointed
    if d is not None and appointed is not None and d.value.before(appointed):
        yield Hit("BEFORE_APPOINTMENT", d.page, _date_values(ctx, appointed))


def after_cutoff(ctx: RuleContext, profile: Profile) -> Iterator[Hit]:
    d, cutoff = ctx.doc.understanding.achievement_date, ctx.applicant.cutoff
    if d is not None and cutoff is not None and d.value.after(cutoff):
        yield Hit("AFTER_CUTOFF", d.page, _date_values(ctx, cutoff))


def date_missing(ctx: RuleContext, profile: Profile) -> Iterator[Hit]:
    doc = ctx.doc
    if doc.understanding.kind in profile.dated_kinds and doc.understanding.achievement_date is None:
        yield Hit("DATE_MISSING", None, {"kind": doc.understanding.kind.value,
                                         "kind_name": profile.kind_names[doc.understanding.kind]})


def clarity(ctx: RuleContext, profile: Profile) -> Iterator[Hit]:
    """Every page measurement that crosses a profile threshold (one finding per code/page)."""
    return clarity_hits(ctx.doc, profile)


def clarity_hits(doc: DocumentEvidence, profile: Profile) -> Iterator[Hit]:
    for page in doc.pages:
        for t in profile.thresholds:
            if page.origin not in t.origins:
                continue
            m = page.measurement(t.measure)
            if m is None:
                continue
            level = t.severity_for(m.value)
            if level is None:
                continue
            severity, limit = level
            yield Hit(t.code, page.number,
                      {"page": page.number, "measure": t.measure, "value": round(m.value, 2),
                       "threshold": limit}, severity)


def pages_missing(ctx: RuleContext, profile: Profile) -> Iterator[Hit]:
    from .checks.pagination import pages_gap

    gap = pages_gap([p.label for p in ctx.doc.pages], ctx.doc.page_count)
    if gap is not None and gap.problem:
        yield Hit("PAGES_MISSING", None, {
            "detail": gap.describe_zh(),
            "missing": ",".join(map(str, gap.missing)) or None,
            "duplicated": ",".join(map(str, gap.duplicated)) or None,
            "declared_total": gap.declared_total, "page_count": gap.page_count})


def duplicate(ctx: RuleContext, profile: Profile) -> Iterator[Hit]:
    """Evidence reused from another applicant. Matching body pages alone are not enough: the
    reports of one company share boilerplate pages (编制人员名单, 声明, standard chapters), so a
    document is a duplicate of another applicant's document when it is an exact copy, its
    first page matches, or more than ``duplicate_page_share`` of its pages match pages of
    that one document. Boilerplate matches pages of many documents, a copy those of one (set
    G doc_056: pages 2 and 3 of a 3-page report matched two other applicants' reports, one
    page each).

    A publication's cover and contents pages are the same for every author in the issue: two
    colleagues' papers in one issue match there. Only its other pages (the article) count,
    unless the files are byte-identical."""
    hits = ctx.duplicates
    if not hits:
        return
    share = float(profile.extra.get("duplicate_page_share", 0.5))
    counted: tuple[int, ...] = tuple(range(1, ctx.doc.page_count + 1))
    if ctx.doc.understanding.kind is Kind.paper_published and not any(d.exact for d in hits):
        # the front matter leads: the pages before the first that is not cover or contents
        front = next((i for i, p in enumerate(ctx.doc.pages) if not is_journal_front_matter(p.text)),
                     len(ctx.doc.pages))
        counted = tuple(p.number for p in ctx.doc.pages[front:])
        hits = tuple(d for d in hits if d.page in counted)
        if not hits:
            return
    first = min(counted, default=1)
    matched: dict[str, set[int]] = {}
    for d in hits:
        matched.setdefault(d.other_path, set()).add(d.page)
    copied_files = {d.other_path for d in hits if d.exact}
    sources = {other for other, pages in matched.items()
               if other in copied_files or first in pages
               or len(pages) > share * max(len(counted), 1)}
    for d in hits:
        if d.other_path not in sources:
            continue
        yield Hit("DUPLICATE", d.page, {"page": d.page, "other_path": d.other_path,
                                        "other_page": d.other_page,
                                        "other_applicant": d.other_applicant,
                                        "similarity": round(d.similarity, 3), "exact": d.exact})


RULES: tuple[Rule, ...] = (unreadable,)
DOCUMENT_RULES: tuple[Rule, ...] = (
    seal_missing, cover_missing, not_published, before_appointment, after_cutoff, date_missing,
    clarity, pages_missing, duplicate,
)


class _Fields(dict[str, EvidenceValue]):
    def __missing__(self, key: str) -> str:
        return "?"


def to_finding(hit: Hit, profile: Profile) -> Finding:
    spec = profile.finding(hit.code)
    severity = hit.severity or spec.severity
    message = spec.message.format_map(_Fields(hit.values))
    return Finding(code=hit.code, severity=severity, page=hit.page, rule=spec.rule,
                   message=message, points=profile.points(severity),
                   evidence=tuple(hit.values.items()))


def judge(ctx: RuleContext, profile: Profile) -> DocumentReport:
    """The report row of one document: its evidence and the findings the profile draws."""
    rules = RULES if ctx.doc.status is Status.unreadable else RULES + DOCUMENT_RULES
    hits = [h for rule in rules for h in rule(ctx, profile)]
    findings = tuple(to_finding(h, profile) for h in hits)
    return DocumentReport(ctx.doc, findings, ctx.applicant, ctx.publication_proof)
