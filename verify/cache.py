"""The evidence store: an embedded SQLite file that makes reruns cheap and runs resumable.

What is cached is the worker's ``DocumentEvidence`` (never findings: rules depend on the
manifest, the profile and the other documents, and are re-applied on every run). The key is
the file's SHA-256 plus everything else that changes evidence: profile name, tool version,
OCR engine, the shape of the evidence classes and a digest of the code and models that compute
them (``EVIDENCE_FORMAT``), so an upgrade or a local change never reads a stale or unpicklable
entry.

Each document's evidence is committed as soon as it is finished (WAL mode), so a run killed
with SIGKILL loses at most the documents that were in flight; started again, it reads the
finished ones from here.

The store also keeps per-page fingerprints with the applicant and path they came from, so
duplicates are found across runs that share the store (see ``verify.duplicates``).

Entries are pickles: the store lives in the user's own cache directory and is only read by
the same user; do not point ``--cache`` at a file others can write.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import pickle
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from . import __version__
from .model import DocumentEvidence, InputRef, PageEvidence, Status

log = logging.getLogger(__name__)

PAGE_PLAN_VERSION = 1  # bump when the worker reads other pages or regions (changes evidence)


def _code_digest() -> str:
    """A digest of the code and fitted models that compute evidence.

    The version number alone would let a changed check serve evidence computed by the old
    one; hashing the sources costs a few milliseconds once per process."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    files = sorted(package.rglob("*.py")) + sorted(package.rglob("*.json"))
    models = package.parent / "models"
    if models.is_dir():
        files += sorted(p for p in models.rglob("*") if p.suffix in (".json", ".onnx", ".npz"))
    for path in files:
        digest.update(path.relative_to(package.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _evidence_format() -> str:
    """A short digest of the evidence classes' field names and of the code that fills them:
    any change is a new key."""
    from . import model

    names = [_code_digest()]
    for cls in (model.DocumentEvidence, model.PageEvidence, model.PageText, model.TextSpan,
                model.Seal, model.DateMention, model.Measurement, model.PageLabel, model.InputRef):
        names.append(cls.__name__ + ":" + ",".join(f.name for f in dataclasses.fields(cls)))
    names.append(f"plan{PAGE_PLAN_VERSION}")
    return hashlib.sha256("|".join(names).encode()).hexdigest()[:12]


EVIDENCE_FORMAT = _evidence_format()


def evidence_key(sha256: str, profile: str, ocr: str) -> str:
    """The cache key of one document's evidence."""
    return f"{sha256}|{profile}|{__version__}|{ocr}|{EVIDENCE_FORMAT}"


@dataclass(frozen=True)
class StoredPage:
    """A page fingerprint as the store keeps it (see ``verify.duplicates``)."""

    doc: str  # logical path of the document (identifies it across runs)
    display: str
    applicant: str
    sha256: str
    page: int
    phash: str | None
    dhash: str | None
    lines: tuple[str, ...]  # compact text lines; () when the page was not fully read
    run: float
    exact: bool = False  # the lines are the PDF's own text layer (see duplicates.PagePrint)
    glyphs: tuple[bytes, ...] = ()  # each line's glyph strip (see duplicates.PagePrint)


def pack_glyphs(glyphs: tuple[bytes, ...]) -> bytes:
    """Line glyph strips as one blob: each one's length (4 bytes) before it."""
    return b"".join(len(g).to_bytes(4, "big") + g for g in glyphs)


def unpack_glyphs(blob: bytes | None) -> tuple[bytes, ...]:
    out, at = [], 0
    data = blob or b""
    while at + 4 <= len(data):
        n = int.from_bytes(data[at:at + 4], "big")
        out.append(bytes(data[at + 4:at + 4 + n]))
        at += 4 + n
    return tuple(out)


def attach_line_glyphs(evidence: DocumentEvidence,
                       stored: Mapping[int, tuple[bytes, ...]]) -> DocumentEvidence:
    """The evidence with each page's line glyphs from ``stored`` (page number: its text spans'
    strips, as the pages table keeps them) where there is one strip per span; a page that has
    its own keeps them."""
    pages = tuple(replace(p, line_glyphs=stored[p.number])
                  if not p.line_glyphs and len(stored.get(p.number, ())) == len(p.text.spans) > 0 else p
                  for p in evidence.pages)
    return replace(evidence, pages=pages)


def _line_strips(blob: bytes | None, which: str | None, lines: int) -> tuple[bytes, ...]:
    """A stored page's strips, one per compared line: the spans' strips picked by
    ``glyph_lines`` (-1: none), or the lines' own; () unless there is one per line."""
    strips = unpack_glyphs(blob)
    if which is not None:  # the spans' strips: each line's is the one it names
        strips = tuple(strips[i] if 0 <= i < len(strips) else b""
                       for i in (int(x) for x in str(which).split(",") if x))
    return strips if len(strips) == lines else ()


_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT NOT NULL, member TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL, PRIMARY KEY (path, member));
CREATE TABLE IF NOT EXISTS evidence (
    key TEXT PRIMARY KEY, sha256 TEXT NOT NULL, blob BLOB NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pages (
    doc TEXT NOT NULL, display TEXT NOT NULL, applicant TEXT NOT NULL, sha256 TEXT NOT NULL,
    page INTEGER NOT NULL, phash TEXT, dhash TEXT, lines TEXT NOT NULL, run REAL NOT NULL,
    exact INTEGER NOT NULL DEFAULT 0, glyphs BLOB, glyph_lines TEXT, PRIMARY KEY (doc, page));
CREATE INDEX IF NOT EXISTS pages_sha256 ON pages (sha256);
"""


class EvidenceStore:
    """One SQLite file; one connection, used from the main process only."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
        # WAL: a commit is durable once written to the log, readers never block the writer, and
        # a SIGKILL mid-write leaves the last committed state. synchronous=NORMAL is durable
        # against process death (what we guard against); only power loss may drop the tail.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        # A store written before pages knew whether their text is a text layer: the column is
        # added, and its old pages count as OCR text (compared leniently, as they were).
        # Likewise the lines' glyph strips: old pages have none, and are compared by text alone.
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(pages)")}
        for name, decl in (("exact", "INTEGER NOT NULL DEFAULT 0"), ("glyphs", "BLOB"), ("glyph_lines", "TEXT")):
            if name in columns:
                continue
            try:
                self._db.execute(f"ALTER TABLE pages ADD COLUMN {name} {decl}")
            except sqlite3.OperationalError as exc:  # another run upgraded it meanwhile
                if "duplicate column" not in str(exc):
                    raise
        self.hits = 0
        self.misses = 0
        self.run = time.time()

    def close(self) -> None:
        self._db.close()

    # ----------------------------------------------------------------- file hashes

    @staticmethod
    def _stat(ref: InputRef) -> tuple[int, int] | None:
        try:
            st = ref.path.stat()
        except OSError:
            return None
        return st.st_size, st.st_mtime_ns

    def known_sha256(self, ref: InputRef) -> str | None:
        """The file's SHA-256 from an earlier run, if size and mtime are unchanged (so a rerun
        over an unchanged archive does not read every file again)."""
        st = self._stat(ref)
        if st is None:
            return None
        row = self._db.execute(
            "SELECT sha256 FROM files WHERE path=? AND member=? AND size=? AND mtime_ns=?",
            (str(ref.path.resolve()), ref.member or "", st[0], st[1])).fetchone()
        return str(row[0]) if row else None

    def remember_sha256(self, ref: InputRef, sha256: str) -> None:
        st = self._stat(ref)
        if st is None:
            return
        self._db.execute("INSERT OR REPLACE INTO files VALUES (?,?,?,?,?)",
                         (str(ref.path.resolve()), ref.member or "", st[0], st[1], sha256))

    # ----------------------------------------------------------------- evidence

    def get(self, key: str, ref: InputRef) -> DocumentEvidence | None:
        """The cached evidence for ``key``, re-pointed at ``ref`` (same bytes, maybe another
        path or position in this run); None on a miss or an unreadable entry."""
        row = self._db.execute("SELECT blob FROM evidence WHERE key=?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        try:
            evidence = pickle.loads(row[0])
        except Exception as exc:  # an entry from an incompatible build: recompute it
            log.warning("cache entry unreadable, recomputing: %s", exc)
            self.misses += 1
            return None
        if not isinstance(evidence, DocumentEvidence):
            self.misses += 1
            return None
        if (evidence.status is Status.ok and evidence.pages and self._db.execute(
                "SELECT 1 FROM pages WHERE sha256=? LIMIT 1", (evidence.sha256,)).fetchone() is None):
            # A run killed after ``put`` but before its applicant's ``put_pages``: the page
            # fingerprints and line glyphs are nowhere. Read again, or the document would be
            # compared by text alone from then on.
            self.misses += 1
            return None
        self.hits += 1
        return replace(self._with_line_glyphs(evidence, ref), ref=ref, seconds=0.0)

    def _with_line_glyphs(self, evidence: DocumentEvidence, ref: InputRef) -> DocumentEvidence:
        """The evidence with its pages' line glyphs from the pages table (``put``). Rows of
        this path are preferred over other paths' rows of the same bytes (read last, they win)."""
        if not evidence.sha256 or any(p.line_glyphs for p in evidence.pages):
            return evidence
        stored = {int(page): unpack_glyphs(blob) for page, blob in self._db.execute(
            "SELECT page, glyphs FROM pages WHERE sha256=? AND glyph_lines IS NOT NULL"
            " ORDER BY doc = ?", (evidence.sha256, str(ref.logical)))}
        return attach_line_glyphs(evidence, stored)

    def put(self, key: str, evidence: DocumentEvidence) -> None:
        """Store and commit one document's evidence (autocommit: one transaction each).

        The pages' line glyphs are left out: the pages table keeps them, once (``put_pages``),
        and ``get`` puts them back; kept in both they were half of a scanned page's bytes."""
        assert evidence.sha256 is not None
        if any(p.line_glyphs for p in evidence.pages):
            evidence = replace(evidence, pages=tuple(replace(p, line_glyphs=()) for p in evidence.pages))
        blob = pickle.dumps(evidence, protocol=pickle.HIGHEST_PROTOCOL)
        self._db.execute("INSERT OR REPLACE INTO evidence VALUES (?,?,?,?)",
                         (key, evidence.sha256, blob, time.time()))

    # ----------------------------------------------------------------- page fingerprints

    def put_pages(self, doc: str, display: str, applicant: str, sha256: str,
                  pages: tuple[PageEvidence, ...], lines: dict[int, tuple[str, ...]],
                  exact: frozenset[int] = frozenset(),
                  glyphs: dict[int, tuple[bytes, ...]] | None = None) -> None:
        """Replace the fingerprints stored for document ``doc`` (its file may have changed);
        ``exact``: the pages whose lines are a text layer; ``glyphs``: each page's lines'
        glyph strips (aligned with its lines).

        The glyphs column holds the page's text spans' strips (``PageEvidence.line_glyphs``,
        which ``put`` leaves out of the evidence), and glyph_lines which span's strip each
        line has (-1: none)."""
        glyphs = glyphs or {}
        rows = []
        for p in pages:
            strips = glyphs.get(p.number, ())
            spans = {g: i for i, g in enumerate(p.line_glyphs) if g}
            blob, which = None, None
            if p.line_glyphs and all(not g or g in spans for g in strips):
                blob, which = pack_glyphs(p.line_glyphs), ",".join(str(spans.get(g, -1)) for g in strips)
            elif strips:  # strips that are not the page's spans': kept as the lines' own
                blob = pack_glyphs(strips)
            rows.append((doc, display, applicant, sha256, p.number, p.fingerprint, p.dhash,
                         "\n".join(lines.get(p.number, ())), self.run, int(p.number in exact), blob, which))
        self._db.execute("BEGIN")
        try:
            self._db.execute("DELETE FROM pages WHERE doc=?", (doc,))
            self._db.executemany(
                "INSERT INTO pages (doc, display, applicant, sha256, page, phash, dhash, lines, run,"
                " exact, glyphs, glyph_lines) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def iter_pages(self, glyphs: bool = True) -> Iterator[StoredPage]:
        """Every stored page; without its line glyphs if not ``glyphs`` (``page_glyphs`` reads
        one page's when needed)."""
        column = "glyphs" if glyphs else "NULL"
        for doc, display, applicant, sha, page, ph, dh, lines, run, exact, blob, which in self._db.execute(
                f"SELECT doc, display, applicant, sha256, page, phash, dhash, lines, run, exact, {column},"
                " glyph_lines FROM pages"):
            kept = tuple(x for x in str(lines).split("\n") if x)
            yield StoredPage(doc, display, applicant, sha, int(page), ph, dh, kept, float(run),
                             bool(exact), _line_strips(blob, which, len(kept)))

    def page_glyphs(self, doc: str, page: int) -> tuple[bytes, ...]:
        """One stored page's line glyphs, aligned with its lines; () if it has none."""
        row = self._db.execute("SELECT lines, glyphs, glyph_lines FROM pages WHERE doc=? AND page=?",
                               (doc, page)).fetchone()
        if row is None:
            return ()
        return _line_strips(row[1], row[2], len([x for x in str(row[0]).split("\n") if x]))
