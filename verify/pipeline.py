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
import resource
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from pathlib import Path
from types import FrameType

import numpy as np
import pymupdf

from .cache import EvidenceStore, evidence_key
from .checks.clarity import measure_clarity
from .checks.fingerprint import glyph_page, line_glyphs, page_fingerprint
from .checks.pagination import (
    FooterLines,
    find_page_label,
    footer_lines,
    needs_footer_reread,
    read_footer_line,
)
from .checks.seal_text import compare_seal_unit, suppress_seal_ink
from .checks.seals import find_seals
from .checks.understanding import understand_document, wants_reread
from .debug import debug_name, write_page_debug
from .duplicates import DuplicateIndex, PagePrint, prints_of
from .exceptions import DocumentTimeout, UnreadableDocument
from .ingest import collect_inputs, read_bytes, require_regular_file
from .model import (
    Applicant,
    DocumentEvidence,
    DocumentReport,
    InputRef,
    Kind,
    Measurement,
    PageEvidence,
    PageText,
    Seal,
    Status,
)
from .options import Options
from .pageplan import PENDING, PageReader, is_landscape, needs_full_text, render_dpi_cap
from .pages import Page, SourceDocument, iter_pages, open_document
from .profile import Profile, load_profile
from .progress import Progress
from .rules import RuleContext, judge
from .text.ocr import OcrEngine, OutOfProcessEngine, TesseractEngine, make_engine
from .text.read import read_second, text_from_layer

log = logging.getLogger(__name__)


# --------------------------------------------------------------------------- worker side


class Worker:
    """Per-process state: the options and the OCR engine, created once and reused."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self._engine: OcrEngine | None = None
        self._reread: OcrEngine | None = None
        self._footer: OcrEngine | None = None
        self._footer_digits: OcrEngine | None = None
        self._reader_thread: ThreadPoolExecutor | None = None
        self.debug_name = ""  # the current document's folder under --debug-dir
        # Read the footer line of an image page again when its OCR gave no printed page
        # number or a bare one (bench/eval_clarity.py --pipeline-pagination turns it off to
        # compare).
        self.footer_reread = True

    def page_reader(self) -> PageReader:
        """A reader for one document's OCR, on this worker's one reader thread."""
        if self._reader_thread is None:
            self._reader_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr")
        return PageReader(self.engine, self._reader_thread)

    @property
    def seal_text_engine(self) -> OcrEngine:
        """Curved seal text is read from a small unwrapped strip: RapidOCR read unit names
        3/3 there, Tesseract 2/3 (measured-facts.md); the second-reading engine serves."""
        return self.engine if self.options.reread_ocr == "none" else self.reread_engine

    @property
    def reread_engine(self) -> OcrEngine:
        """The engine of the second reading (loaded on first use: most documents never
        need it)."""
        if self.options.reread_ocr == self.options.ocr:
            return self.engine
        if self._reread is None:
            # In a process of its own: its peak would add to this worker's (see OutOfProcessEngine).
            self._reread = OutOfProcessEngine(self.options.reread_ocr, det_max_side=960)
        return self._reread

    @property
    def line_engine(self) -> OcrEngine:
        """Tesseract on one line (``--psm 7``), for a footer's page number or a half-read
        date line read again alone (``read_footer_line``, ``date_lines_again``); created on
        first use, single-threaded like every Tesseract here. Its own engine whatever
        ``--ocr`` is: a page number of a few characters is one quick Tesseract call, and
        ``chi_sim`` read ``- 3 -`` best."""
        if self._footer is None:
            self._footer = TesseractEngine("chi_sim", psm=7)
        return self._footer

    @property
    def footer_digits_engine(self) -> OcrEngine:
        """Tesseract ``eng`` on one line, for a footer line ``chi_sim`` read as digits that
        make no label (``315`` for ``3/5``); see ``read_footer_line``."""
        if self._footer_digits is None:
            self._footer_digits = TesseractEngine("eng", psm=7)
        return self._footer_digits

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
    require_regular_file(ref.path)
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


# Ink coverage (% of the page, clarity's text-size components) below which a scanned page is
# not OCR'd: a tenth of the default profile's BLANK_PAGE threshold (0.05 %), so a page with a
# stamp-sized mark or a few words is still read.
INKLESS_PCT = 0.005


def check_page(page: Page, worker: Worker, reader: PageReader, full_text: bool = True) -> PageEvidence:
    """Every page-level check, in order: seals (on the page as delivered), text, clarity.

    An image page's text is scheduled on ``reader`` and arrives later (``with_text``).
    ``full_text`` False: the page plan needs only the printed page number of this page (a
    body page of a long scanned report), so unless a seal is found on it only the header and
    footer strips are OCR'd.
    """
    seals = find_seals(page, worker.seal_text_engine)
    if worker.options.debug_dir is not None:
        write_page_debug(page, worker.debug_name, worker.options.debug_dir)
    scope = "full"
    measurements = measure_clarity(page)
    if page.origin == "born_digital":
        text = text_from_layer(page)
    elif _inkless(measurements) and not seals:
        # Tesseract on an empty scanned page reads the grain as hundreds of characters and
        # took 76 s on one such page (of a 4-page scan read in 3 s otherwise).
        text = PageText("", source="none")
    elif full_text or seals or is_landscape(page):
        # Red seal ink over the signing unit and the date hides them from OCR: read the page
        # with the seal colour whitened inside the seal boxes (only there: see seal_text).
        text = reader.read_full(suppress_seal_ink(page, seals))
    else:
        text = reader.read_strips(page)
        scope = "strips"
    fingerprint = page_fingerprint(page.image)
    evidence = PageEvidence(
        number=page.number,
        width_pt=page.width_pt,
        height_pt=page.height_pt,
        origin=page.origin,
        effective_dpi=page.effective_dpi,
        text=text,
        seals=seals,
        measurements=measurements,
        fingerprint=fingerprint.phash,
        dhash=fingerprint.dhash,
        text_scope=scope,
    )
    return evidence if text.source == PENDING else with_text(evidence, text)


def _inkless(measurements: tuple[Measurement, ...]) -> bool:
    """No text-size ink at all on the page (clarity's coverage): nothing for OCR to read."""
    ink = next((m.value for m in measurements if m.name == "ink_coverage"), None)
    return ink is not None and ink < INKLESS_PCT


def with_text(evidence: PageEvidence, text: PageText) -> PageEvidence:
    """The page with its text and what is read from it: the printed page number, and the
    unit the page prints beside each seal."""
    return replace(evidence, text=text, label=find_page_label(text),
                   seals=tuple(_with_unit_match(s, text.text) for s in evidence.seals))


def with_glyphs(evidence: PageEvidence, grey: np.ndarray | None) -> PageEvidence:
    """The page with the glyph strip of each text line (``line_glyphs``), cut from ``grey``."""
    if grey is None or not evidence.text.spans:
        return evidence
    return replace(evidence, line_glyphs=line_glyphs(grey, evidence.text))


def _with_unit_match(seal: Seal, page_text: str) -> Seal:
    """The seal with the unit the page prints beside it (a review hint, never an accusation)."""
    if not seal.text:
        return seal
    match = compare_seal_unit(seal.text, page_text)
    return replace(seal, page_unit=match.page_unit, unit_similarity=match.similarity)


def _check_pages(doc: SourceDocument, worker: Worker, reader: PageReader) -> tuple[PageEvidence, ...]:
    """Every page, one at a time, by the page plan; texts are filled in as the reader
    thread returns them."""
    count = doc.page_count
    pages: list[PageEvidence] = []
    # The footer line of each image page (a few kB, cut while the page is in hand, also as
    # it would be were the page upside down, or, on a landscape sheet, turned either way
    # sideways), kept until the page's OCR arrives: if that found
    # no printed page number, or a bare one, the line is read again alone (and kept to the
    # end, see below). A whole-page OCR misreads a small lone ``- 2 -`` (holdout doc_084:
    # ``Soe``) and a photo's footers most of all. One page alone cannot show a missing page
    # by a bare number, so single pages are not re-read.
    footers: dict[int, FooterLines] = {}
    reread = worker.footer_reread and count >= 2

    def read_footer_again(evidence: PageEvidence, declared: int | None = None,
                          rotation: int | None = None) -> PageEvidence:
        """The page with its footer read again, on the line its OCR's rotation points to
        (``rotation`` overrides); ``declared``: only a re-read of the same number with that
        total replaces a label."""
        lines = footers.pop(evidence.number, None)
        turn = evidence.text.rotation if rotation is None else rotation
        line = None if lines is None else lines.line(turn)
        if line is None:
            return evidence
        label = read_footer_line(line, worker.line_engine, worker.footer_digits_engine)
        if label is None:
            return evidence
        if declared is not None and (evidence.label is None or label.number != evidence.label.number
                                     or label.total != declared):
            return evidence  # a number read is kept unless read again alike with the total
        return replace(evidence, label=label)

    # The page image (grey, reduced) of each page whose OCR is pending, kept until the text
    # arrives: its lines' glyphs are cut by the OCR's line boxes (see duplicates).
    glyph_pages: dict[int, np.ndarray] = {}

    def fill(texts: dict[int, PageText]) -> None:
        for number, text in texts.items():
            evidence = with_glyphs(with_text(pages[number - 1], text), glyph_pages.pop(number, None))
            if needs_footer_reread(evidence.label):
                lines = footers.get(number)
                evidence = read_footer_again(evidence)
                if evidence.label is None and lines is not None and text.rotation == 0:
                    footers[number] = lines  # may yet be an upside-down page (see below)
            pages[number - 1] = evidence

    for page in iter_pages(doc, max_scan_dpi=lambda number: render_dpi_cap(number, count)):
        evidence = check_page(page, worker, reader, needs_full_text(page.number, count))
        if evidence.text_scope == "full" and evidence.text.source == PENDING:
            glyph_pages[page.number] = glyph_page(page.image)
        elif evidence.text_scope == "full":
            evidence = with_glyphs(evidence, glyph_page(page.image))
        pages.append(evidence)
        if reread and page.origin == "image":
            lines = footer_lines(page)
            if lines.any:
                footers[page.number] = lines
        if page.origin == "image":
            # MuPDF keeps decoded images in its store (up to 256 MB): a scan's page image is
            # never needed again, and the store would add ~250 MB to every worker on long scans.
            pymupdf.TOOLS.store_shrink(100)
        fill(reader.collect())
    fill(reader.collect(finish=True))
    # A document photographed upside down (or sideways): OSD turned some pages and missed
    # others, which were read unturned (seed 7305 IMG_2034: page 1 turned, pages 2–3 not, no
    # label read). Their footer is where the turned pages' is.
    turns = Counter(p.text.rotation for p in pages if p.text.rotation)
    if turns:
        turn = turns.most_common(1)[0][0]
        for number in sorted(footers):
            evidence = pages[number - 1]
            if evidence.label is None and evidence.text.rotation == 0:
                pages[number - 1] = read_footer_again(evidence, rotation=turn)
    # A label without the total most pages print (``第2页`` of ``第2页/共5页``, the rest
    # lost to the OCR) or with another total (the strip OCR reads a grey ``3/5`` as ``3/15``)
    # is read again: a total is what shows a missing last page, and a wrong one invents one.
    totals = Counter(p.label.total for p in pages if p.label is not None and p.label.total)
    if footers and totals:
        declared = totals.most_common(1)[0][0]
        for number in sorted(footers):
            label = pages[number - 1].label
            if label is not None and label.total != declared:
                pages[number - 1] = read_footer_again(pages[number - 1], declared)
    return tuple(pages)


def _peak_rss_mb() -> float:
    """This process's peak resident set size so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


REREAD_MAX_PAGES = 3  # a publication's cover, contents and article page


def reread_pages(doc: SourceDocument, pages: tuple[PageEvidence, ...], kind: Kind,
                 worker: Worker) -> dict[int, PageText]:
    """A second reading of the image pages that should carry the achievement date: page 1
    (the cover, the letter), or the first pages of a publication (or of a document whose kind
    the first reading could not tell). Only for documents whose
    first reading found no exact date (see ``wants_reread``). The red channel, where red seals
    vanish; on a grey scan, also the lines around each seal found (``read_second``)."""
    # A publication's date may be on any of its first pages; a document of no known kind is
    # re-read only when poorly read, and its kind may show on any of them (a phone photo of a
    # journal: the cover read, the article page garbled).
    several = kind is Kind.paper_published or kind is Kind.other
    wanted = pages[:REREAD_MAX_PAGES] if several else pages[:1]
    out: dict[int, PageText] = {}
    for ev in wanted:
        if ev.origin != "image":
            continue
        page = doc.page(ev.number - 1).rotated(ev.text.rotation)
        out[ev.number] = read_second(page, ev.seals, worker.reread_engine, ev.text.rotation,
                                     worker.line_engine)
    return out


def check_document(ref: InputRef, worker: Worker, sha256: str | None = None) -> DocumentEvidence:
    """All evidence about one document. Never raises: an unreadable input is evidence too.
    Pages are rendered and checked one at a time, so memory does not grow with page count."""
    start = time.perf_counter()
    sha: str | None = sha256
    try:
        if sha is None:
            sha = file_sha256(ref)
        with time_limit(worker.options.timeout):
            doc = open_document(ref)
            worker.debug_name = debug_name(ref)
            reader = worker.page_reader()
            try:
                pages = _check_pages(doc, worker, reader)
                understanding = understand_document(pages)
                if wants_reread(understanding) and worker.options.reread_ocr != "none":
                    try:
                        second = reread_pages(doc, pages, understanding.kind, worker)
                    except (OSError, EOFError, RuntimeError) as exc:
                        # The second reading only adds evidence: without it the first stands.
                        log.warning("%s: second reading failed: %s", ref.display, exc)
                        second = {}
                    if second:
                        understanding = understand_document(pages, second)
            finally:
                reader.cancel()
                doc.close()
    except DocumentTimeout as exc:
        log.warning("%s: %s", ref.display, exc.reason)
        return DocumentEvidence(ref, sha, Status.unreadable, exc.reason, exc.reason_zh,
                                seconds=time.perf_counter() - start, peak_rss_mb=_peak_rss_mb(),
                                cacheable=False)
    except UnreadableDocument as exc:
        log.info("%s: unreadable: %s", ref.display, exc.reason)
        return DocumentEvidence(ref, sha, Status.unreadable, exc.reason, exc.reason_zh,
                                seconds=time.perf_counter() - start, peak_rss_mb=_peak_rss_mb())
    except Exception as exc:  # a library crash on hostile input must not lose the document
        log.exception("%s: failed", ref.display)
        return DocumentEvidence(ref, sha, Status.unreadable,
                                f"internal error while reading: {type(exc).__name__}: {exc}",
                                "文件读取出错，无法完成检查", seconds=time.perf_counter() - start,
                                peak_rss_mb=_peak_rss_mb(), cacheable=False)
    return DocumentEvidence(
        ref=ref,
        sha256=sha,
        status=Status.ok,
        page_count=len(pages),
        pages=pages,
        understanding=understanding,
        seconds=time.perf_counter() - start,
        peak_rss_mb=_peak_rss_mb(),
    )


_process_worker: Worker | None = None  # set in each pool process by _init_worker


def _init_worker(options: Options) -> None:
    global _process_worker
    # The parent handles Ctrl-C (it shuts the pool down); a worker hit by the terminal's SIGINT
    # would otherwise die with a traceback mid-document.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _process_worker = Worker(options)


def _check_in_pool(ref: InputRef, sha256: str | None) -> DocumentEvidence:
    assert _process_worker is not None
    return check_document(ref, _process_worker, sha256)


# --------------------------------------------------------------------------- main side


@dataclass(frozen=True)
class Outcome:
    """One document's evidence as the main process receives it."""

    evidence: DocumentEvidence
    cached: bool


def _crashed(ref: InputRef, sha: str | None, detail: str) -> DocumentEvidence:
    return DocumentEvidence(ref, sha, Status.unreadable,
                            f"worker process died while reading this document ({detail})",
                            "读取该文件时处理进程崩溃，无法完成检查", cacheable=False)


def _new_pool(options: Options, workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(options,))


def _isolated(options: Options, ref: InputRef, sha: str | None) -> DocumentEvidence:
    """Run one document alone in a fresh one-process pool: after a pool broke, this tells
    the document that kills its worker from the ones that were only in flight beside it."""
    pool = _new_pool(options, 1)
    try:
        return pool.submit(_check_in_pool, ref, sha).result()
    except BrokenProcessPool as exc:
        log.warning("%s: worker process died: %s", ref.display, exc)
        return _crashed(ref, sha, "crash")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


IN_FLIGHT_PER_JOB = 2  # documents queued per worker: keeps workers busy, bounds crash losses


def evidence_stream(options: Options, refs: list[InputRef],
                    store: EvidenceStore | None = None) -> Iterator[Outcome]:
    """Evidence for ``refs`` in completion order: from the store where the same bytes were
    checked before, else from ``jobs`` worker processes (in-process for ``jobs == 1``).

    A worker that dies (a segfault in a native library, the OOM killer) breaks the pool; the
    documents in flight are then re-run one by one in a fresh process, the one that kills it
    again is reported unreadable, and the run goes on with a fresh pool.
    """
    profile_name = options.profile

    def lookup(ref: InputRef) -> tuple[str | None, DocumentEvidence | None]:
        if store is None:
            return None, None
        sha = store.known_sha256(ref)
        if sha is None:
            try:
                sha = file_sha256(ref)
            except UnreadableDocument:
                return None, None  # the worker reports why
            store.remember_sha256(ref, sha)
        return sha, store.get(evidence_key(sha, profile_name, options.engines_key), ref)

    def keep(evidence: DocumentEvidence) -> None:
        if store is not None and evidence.sha256 and evidence.cacheable:
            store.put(evidence_key(evidence.sha256, profile_name, options.engines_key), evidence)

    if options.jobs == 1:
        worker = Worker(options)
        for ref in refs:
            sha, cached = lookup(ref)
            if cached is not None:
                yield Outcome(cached, True)
                continue
            evidence = check_document(ref, worker, sha)
            keep(evidence)
            yield Outcome(evidence, False)
        return

    waiting = deque(refs)
    in_flight: dict[Future[DocumentEvidence], tuple[InputRef, str | None]] = {}
    pool: ProcessPoolExecutor | None = None
    limit = options.jobs * IN_FLIGHT_PER_JOB
    try:
        while waiting or in_flight:
            while waiting and len(in_flight) < limit:
                ref = waiting.popleft()
                sha, cached = lookup(ref)
                if cached is not None:
                    yield Outcome(cached, True)
                    continue
                if pool is None:
                    pool = _new_pool(options, options.jobs)
                in_flight[pool.submit(_check_in_pool, ref, sha)] = (ref, sha)
            if not in_flight:
                continue
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            suspects: list[tuple[InputRef, str | None]] = []
            for fut in done:
                ref, sha = in_flight.pop(fut)
                exc = fut.exception()
                if isinstance(exc, BrokenProcessPool):
                    suspects.append((ref, sha))
                    continue
                evidence = fut.result() if exc is None else _crashed(ref, sha, repr(exc))
                keep(evidence)
                yield Outcome(evidence, False)
            if not suspects:
                continue
            # The pool is broken: every unfinished future fails the same way. Finished ones
            # (done before the break) are still good.
            for fut, (ref, sha) in list(in_flight.items()):
                try:
                    evidence = fut.result()
                except BrokenProcessPool:
                    suspects.append((ref, sha))
                    continue
                except Exception as exc:
                    evidence = _crashed(ref, sha, repr(exc))
                keep(evidence)
                yield Outcome(evidence, False)
            in_flight.clear()
            assert pool is not None
            pool.shutdown(wait=True, cancel_futures=True)
            pool = None
            log.warning("a worker process died; re-running %d document(s) one at a time",
                        len(suspects))
            for ref, sha in sorted(suspects, key=lambda t: t[0].index):
                evidence = _isolated(options, ref, sha)
                keep(evidence)
                yield Outcome(evidence, False)
        if pool is not None:  # all done: join the workers (their CPU time is then accounted)
            pool.shutdown(wait=True)
            pool = None
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


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
    starts = [d.understanding.achievement_date for d in docs
              if d.understanding.kind is Kind.appointment and d.understanding.achievement_date is not None]
    if not starts:
        return applicant
    latest = max(starts, key=lambda m: (m.value.year, m.value.month, m.value.day or 0))
    return replace(applicant, appointed=latest.value, appointed_source="folder")


def _still_there(doc: str) -> bool:
    """Whether a stored document still exists: its file, or the ZIP archive it was in."""
    path = Path(doc)
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate == path or candidate.is_file()
    return False


def _stored_index(store: EvidenceStore, this_run: set[str]) -> DuplicateIndex:
    """Pages stored by earlier runs, oldest first: documents not in this run whose file is
    still there (a deleted folder, e.g. last year's round, is no longer evidence)."""
    index = DuplicateIndex()
    alive: dict[str, bool] = {}
    stored = sorted((p for p in store.iter_pages(glyphs=False)
                     if p.doc not in this_run and alive.setdefault(p.doc, _still_there(p.doc))),
                    key=lambda p: (p.run, p.doc, p.page))
    rank: dict[str, int] = {}
    # Their line glyphs stay in the store until a comparison asks (a few pages at a time).
    load = lru_cache(maxsize=256)(store.page_glyphs)
    for p in stored:
        order = (0, rank.setdefault(p.doc, len(rank)))
        index.add([PagePrint(p.doc, p.display, p.applicant, p.sha256, p.page,
                             int(p.phash, 16) if p.phash else None,
                             int(p.dhash, 16) if p.dhash else None, p.lines, order, p.exact,
                             glyph_loader=partial(load, p.doc, p.page))])
    return index


def iter_reports(options: Options, profile: Profile | None = None,
                 on_progress: Callable[[int, int], None] | None = None,
                 progress: Progress | None = None,
                 ) -> Iterator[DocumentReport]:
    """Report rows in input order. A group (one applicant's documents) is judged when all
    its documents are done, so rules that look across the folder see all of it; duplicates
    are looked up when a row is due, when every earlier document is known."""
    profile = profile or load_profile(options.profile)
    manifest = options.manifest.path if options.manifest else None
    refs = collect_inputs(list(options.paths), frozenset({manifest} if manifest else ()))
    groups: dict[str, _Group] = {}
    group_of: list[str] = []
    identity: list[str] = []
    for ref in refs:
        applicant = options.applicant_for(ref)
        key = applicant.folder or ref.group
        group_of.append(key)
        # Applicants are told apart by folder (or manifest) name, also across runs: the same
        # archive copied or moved elsewhere is the same applicants' evidence, not duplicates.
        identity.append(key)
        groups.setdefault(key, _Group(applicant, [])).members.append(ref.index)
    store = EvidenceStore(options.cache) if options.cache is not None else None
    index = (_stored_index(store, {str(r.logical) for r in refs}) if store is not None
             else DuplicateIndex())
    results: list[DocumentEvidence | None] = [None] * len(refs)
    prints: dict[int, list[PagePrint]] = {}
    contexts: dict[int, RuleContext] = {}
    next_row = 0
    if progress is not None:
        progress.start(len(refs))
    try:
        for count, outcome in enumerate(evidence_stream(options, refs, store), start=1):
            evidence = outcome.evidence
            i = evidence.ref.index
            results[i] = evidence
            mine = prints_of(evidence, identity[i], (1, i)) if evidence.status is Status.ok else []
            index.add(mine)
            prints[i] = mine
            if store is not None and evidence.sha256 and evidence.status is Status.ok:
                store.put_pages(str(evidence.ref.logical), evidence.ref.display, identity[i],
                                evidence.sha256, evidence.pages,
                                {p.page: p.lines for p in mine},
                                frozenset(p.page for p in mine if p.exact),
                                {p.page: p.glyphs for p in mine})
            if progress is not None:
                progress.update(evidence, outcome.cached)
            if on_progress:
                on_progress(count, len(refs))
            group = groups[group_of[i]]
            group.done += 1
            if group.done == len(group.members):
                complete = [d for d in (results[m] for m in group.members) if d is not None]
                applicant = applicant_from_folder(group.applicant, complete)
                for d in complete:
                    siblings = tuple(s for s in complete if s is not d)
                    contexts[d.ref.index] = RuleContext(d, applicant, siblings)
                for m in group.members:
                    results[m] = None  # judged groups are not kept: memory stays flat
            while next_row in contexts:
                ctx = contexts.pop(next_row)
                hits = index.find(prints.pop(next_row))
                yield judge(replace(ctx, duplicates=hits), profile)
                next_row += 1
    finally:
        if progress is not None:
            progress.finish()
        if store is not None:
            log.info("cache %s: %d hits, %d misses", store.path, store.hits, store.misses)
            store.close()
