"""One options object for a run, validated once (the CLI builds it; tests build it directly)."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .exceptions import ManifestError, UsageError
from .model import Applicant, InputRef, PartialDate
from .text.ocr import ENGINES

FORMATS = ("jsonl", "json", "table")


def parse_date_arg(text: str, what: str) -> PartialDate:
    """A command-line date: YYYY-MM-DD (or YYYY-MM). Raises UsageError with a clear message."""
    try:
        return PartialDate.parse(text)
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}") from exc


@dataclass(frozen=True)
class ManifestRow:
    folder: PurePosixPath  # absolute
    name: str
    appointed: PartialDate
    cutoff: PartialDate | None


@dataclass(frozen=True)
class Manifest:
    rows: tuple[ManifestRow, ...]
    path: Path | None = None  # the CSV itself: not evidence, skipped if it lies among inputs

    def row_for(self, logical: PurePosixPath) -> ManifestRow | None:
        """The most specific row whose folder contains ``logical``."""
        best: ManifestRow | None = None
        for row in self.rows:
            if logical.is_relative_to(row.folder) and (
                best is None or len(row.folder.parts) > len(best.folder.parts)
            ):
                best = row
        return best


def load_manifest(path: Path) -> Manifest:
    """CSV with header ``folder,appointed,cutoff`` (cutoff may be empty); folders are
    relative to the manifest's own folder."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read manifest {path}: {exc}") from exc
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not {"folder", "appointed"} <= set(header):
        raise ManifestError(f"{path}: header must be 'folder,appointed,cutoff', got {header}")
    base = PurePosixPath(path.resolve().parent.as_posix())
    rows = []
    for n, raw in enumerate(reader, start=2):
        rec = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not rec.get("folder"):
            raise ManifestError(f"{path}:{n}: empty folder")
        try:
            appointed = PartialDate.parse(rec["appointed"])
            cutoff = PartialDate.parse(rec["cutoff"]) if rec.get("cutoff") else None
        except ValueError as exc:
            raise ManifestError(f"{path}:{n}: {exc}") from exc
        folder = PurePosixPath(os.path.normpath((base / rec["folder"]).as_posix()))
        rows.append(ManifestRow(folder, rec["folder"].strip("/"), appointed, cutoff))
    return Manifest(tuple(rows), path.resolve())


@dataclass(frozen=True)
class Options:
    paths: tuple[Path, ...]
    appointed: PartialDate | None = None
    cutoff: PartialDate | None = None
    manifest: Manifest | None = None
    profile: str = "shaoxing-2022"
    format: str = "jsonl"
    html: Path | None = None
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    ocr: str = "tesseract"
    debug_dir: Path | None = None
    timeout: float = 300.0
    cache: Path | None = None
    quiet: bool = False

    def __post_init__(self) -> None:
        if not self.paths:
            raise UsageError("no input path given")
        for p in self.paths:
            if not p.exists():
                raise UsageError(f"no such file or folder: {p}")
        if self.format not in FORMATS:
            raise UsageError(f"--format must be one of {', '.join(FORMATS)}")
        if self.ocr not in ENGINES:
            raise UsageError(f"--ocr must be one of {', '.join(ENGINES)}")
        if self.jobs < 1:
            raise UsageError("--jobs must be at least 1")
        if self.timeout <= 0:
            raise UsageError("--timeout must be positive")
        if self.appointed and self.cutoff and self.cutoff.before(self.appointed):
            raise UsageError(f"--cutoff {self.cutoff} is before --appointed {self.appointed}")

    def applicant_for(self, ref: InputRef) -> Applicant:
        """The dates ``ref`` is judged against: its manifest row, else the flags."""
        row = self.manifest.row_for(ref.logical) if self.manifest else None
        if row is not None:
            return Applicant(row.name, row.appointed, row.cutoff or self.cutoff, "manifest")
        return Applicant(ref.group or None, self.appointed, self.cutoff,
                         "flag" if self.appointed else "none")
