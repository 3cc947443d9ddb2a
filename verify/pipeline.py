"""The pipeline, top to bottom: ingest → pages → text/OCR → checks → rules → report rows.

Workers compute evidence for one document each (``check_document``); the main process
merges: it groups documents by applicant, applies the profile's rules with what only the
whole folder shows (publication proof of an accepted paper, an appointment letter's date,
evidence reused across applicants) and yields report rows in input order.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from types import FrameType

from .checks.clarity import measure_clarity
from .checks.pagination import find_page_label
from .checks.seals import find_seals
from .checks.understanding import understand_document
from .exceptions import DocumentTimeout, UnreadableDocument
from .ingest import collect_inputs, read_bytes
from .model import (
    Applicant,
    DocumentEvidence,
    DocumentReport,
    InputRef,
    Kind,
    PageEvidence,
    Status,
)
from .options import Options
from .pages import Page, iter_pages, open_document
from .profile import Profile, load_profile
from .rules import RuleContext, judge
from .text.ocr import OcrEngine, make_engine
from .text.read import read_page_text

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- worker side


class Worker:
    """Per-process state: the options and the OCR engine, created once and reused."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self._engine: OcrEngine | None = None

    @property
    def engine(self) -> OcrEngine:
        if self._engine is None:
            threads = max(1, (os.cpu_count() or 1) // self.options.jobs)
            self._engine = make_engine(self.options.ocr, threads)
        return self._engine


def file_sha256(ref: InputRef) -> str:
    h = hashlib.sha256()
    if ref.member is not None:
        h.update(read_bytes(ref))
        return h.hexdigest()
    try:
        with ref.path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        raise UnreadableDocument(f"cannot read file: {exc}", "文件无法读取") from exc
    return h.hexdigest()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``DocumentTimeout`` in this thread after ``seconds`` (main thread only; elsewhere
    the limit is not enforced)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expired(signum: int, frame: FrameType | None) -> None:
        raise DocumentTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_page(page: Page, worker: Worker) -> PageEvidence:
    """Every page-level check, in order: seals (on the page as delivered), text, clarity."""
    seals = find_seals(page)
    _upright, text = read_page_text(page, worker.engine)
    measurements = measure_clarity(page, text)
    return PageEvidence(
        number=page.number,
        width_pt=page.width_pt,
        height_pt=page.height_pt,
        origin=page.origin,
        effective_dpi=page.effective_dpi,
        text=text,
        seals=seals,
        measurements=measurements,
        label=find_page_label(text),
    )


def check_document(ref: InputRef, worker: Worker) -> DocumentEvidence:
    """All evidence about one document. Never raises: an unreadable input is evidence too."""
    start = time.perf_counter()
    sha: str | None = None
    try:
        sha = file_sha256(ref)
        with time_limit(worker.options.timeout):
            doc = open_document(ref)
            try:
                pages = tuple(check_page(p, worker) for p in iter_pages(doc))
            finally:
                doc.close()
            understanding = understand_document(pages)
    except UnreadableDocument as exc:
        log.info("%s: unreadable: %s", ref.display, exc.reason)
        return DocumentEvidence(ref, sha, Status.unreadable, exc.reason, exc.reason_zh,
                                seconds=time.perf_counter() - start)
    except Exception as exc:  # a library crash on hostile input must not lose the document
        log.exception("%s: failed", ref.display)
        return DocumentEvidence(ref, sha, Status.unreadable,
                                f"internal error while reading: {type(exc).__name__}: {exc}",
                                "文件读取出错，无法完成检查", seconds=time.perf_counter() - start)
    return DocumentEvidence(
        ref=ref,
        sha256=sha,
        status=Status.ok,
        page_count=len(pages),
        pages=pages,
        kind=understanding.kind,
        kind_reason=understanding.kind_reason,
        dates=understanding.dates,
        achievement_date=understanding.achievement_date,
        title=understanding.title,
        issuing_unit=understanding.issuing_unit,
        cover_missing=understanding.cover_missing,
        seconds=time.perf_counter() - start,
    )


_process_worker: Worker | None = None  # set in each pool process by _init_worker


def _init_worker(options: Options) -> None:
    global _process_worker
    _process_worker = Worker(options)


def _check_in_pool(ref: InputRef) -> DocumentEvidence:
    assert _process_worker is not None
    return check_document(ref, _process_worker)


# --------------------------------------------------------------------------- main side


def evidence_stream(options: Options, refs: list[InputRef]) -> Iterator[DocumentEvidence]:
    """Evidence for ``refs`` in completion order (``jobs`` processes, or in-process for 1)."""
    if options.jobs == 1 or len(refs) <= 1:
        worker = Worker(options)
        for ref in refs:
            yield check_document(ref, worker)
        return
    with ProcessPoolExecutor(max_workers=min(options.jobs, len(refs)),
                             initializer=_init_worker, initargs=(options,)) as pool:
        futures: list[Future[DocumentEvidence]] = [pool.submit(_check_in_pool, r) for r in refs]
        from concurrent.futures import as_completed

        for fut in as_completed(futures):
            yield fut.result()


@dataclass
class _Group:
    applicant: Applicant
    members: list[int]
    done: int = 0


def applicant_from_folder(applicant: Applicant, docs: list[DocumentEvidence]) -> Applicant:
    """Where neither manifest nor flag gives the appointment date, take it from an
    appointment letter in the applicant's folder (and say so)."""
    if applicant.appointed is not None:
        return applicant
    starts = [d.achievement_date for d in docs
              if d.kind is Kind.appointment and d.achievement_date is not None]
    if not starts:
        return applicant
    latest = max(starts, key=lambda m: (m.value.year, m.value.month, m.value.day or 0))
    return replace(applicant, appointed=latest.value, appointed_source="folder")


def iter_reports(options: Options, profile: Profile | None = None,
                 on_progress: Callable[[int, int], None] | None = None,
                 ) -> Iterator[DocumentReport]:
    """Report rows in input order. A group (one applicant's documents) is judged when all
    its documents are done, so rules that look across the folder see all of it."""
    profile = profile or load_profile(options.profile)
    manifest = options.manifest.path if options.manifest else None
    refs = collect_inputs(list(options.paths), frozenset({manifest} if manifest else ()))
    groups: dict[str, _Group] = {}
    group_of: list[str] = []
    for ref in refs:
        applicant = options.applicant_for(ref)
        key = applicant.folder or ref.group
        group_of.append(key)
        groups.setdefault(key, _Group(applicant, [])).members.append(ref.index)
    results: list[DocumentEvidence | None] = [None] * len(refs)
    next_row = 0
    judged: dict[int, DocumentReport] = {}
    for count, evidence in enumerate(evidence_stream(options, refs), start=1):
        results[evidence.ref.index] = evidence
        if on_progress:
            on_progress(count, len(refs))
        group = groups[group_of[evidence.ref.index]]
        group.done += 1
        if group.done == len(group.members):
            docs = [results[i] for i in group.members]
            complete = [d for d in docs if d is not None]
            applicant = applicant_from_folder(group.applicant, complete)
            for d in complete:
                siblings = tuple(s for s in complete if s is not d)
                judged[d.ref.index] = judge(RuleContext(d, applicant, siblings), profile)
        while next_row in judged:
            yield judged.pop(next_row)
            next_row += 1
