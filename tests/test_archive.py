"""Archive scale: worker crashes, the evidence store (rerun, resume after kill -9), the page
plan, progress on stderr."""

from __future__ import annotations

import faulthandler
import io
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from verify import pipeline
from verify.bench import ScanStyle, body_lines, born_digital_pdf, cover_lines, scanned_pdf
from verify.cache import evidence_key
from verify.model import DocumentEvidence, InputRef, Status
from verify.options import Options
from verify.pipeline import iter_reports
from verify.progress import LineProgress, NullProgress, make_progress

REPO = Path(__file__).resolve().parents[1]
LINES = ["关于开展污水处理厂提标改造工作的函", "", "本项目针对城镇污水处理厂提标改造中的脱氮除磷问题开展了系统研究。",
         "绍兴市生态环境科学研究院", "2021年6月18日"]


def _born_folder(root: Path, names: list[str]) -> None:
    for i, name in enumerate(names):
        folder = root / f"申报人{i:02d}"
        folder.mkdir(parents=True)
        born_digital_pdf(folder / name, [[*LINES, f"编号 {i}"]])


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO), OMP_THREAD_LIMIT="1")


# --------------------------------------------------------------------------- worker crash


def test_a_worker_crash_loses_no_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A segfault in a worker (here: SIGSEGV sent to itself while reading one file) gives that
    document an UNREADABLE row; every other document is reported, in input order."""
    _born_folder(tmp_path, ["a.pdf", "crash.pdf", "c.pdf", "d.pdf", "e.pdf"])
    real = pipeline.check_document

    def crashing(ref: InputRef, worker: pipeline.Worker, sha256: str | None = None) -> DocumentEvidence:
        if ref.path.name == "crash.pdf":
            faulthandler.disable()  # pytest's handler would dump this worker's stack
            os.kill(os.getpid(), signal.SIGSEGV)
        return real(ref, worker, sha256)

    monkeypatch.setattr(pipeline, "check_document", crashing)  # workers are forked: they see it
    reports = list(iter_reports(Options(paths=(tmp_path,), jobs=2, quiet=True)))
    assert [r.evidence.ref.display.split("/")[1] for r in reports] == \
        ["a.pdf", "crash.pdf", "c.pdf", "d.pdf", "e.pdf"]
    by_name = {r.evidence.ref.path.name: r for r in reports}
    crashed = by_name.pop("crash.pdf")
    assert crashed.evidence.status is Status.unreadable
    assert "worker process died" in (crashed.evidence.error or "")
    assert [f.code for f in crashed.findings] == ["UNREADABLE"]
    assert all(r.evidence.status is Status.ok and r.evidence.page_count == 1 for r in by_name.values())


# --------------------------------------------------------------------------- the store


def test_rerun_reads_the_store_and_rules_are_reapplied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _born_folder(tmp_path / "in", ["a.pdf", "b.pdf", "c.pdf"])
    cache = tmp_path / "cache.sqlite3"
    calls: list[str] = []
    real = pipeline.check_document

    def counting(ref: InputRef, worker: pipeline.Worker, sha256: str | None = None) -> DocumentEvidence:
        calls.append(ref.display)
        return real(ref, worker, sha256)

    monkeypatch.setattr(pipeline, "check_document", counting)
    first = list(iter_reports(Options(paths=(tmp_path / "in",), jobs=1, cache=cache, quiet=True)))
    assert len(calls) == 3
    # Rerun with other dates: evidence from the store, findings from this run's options.
    second = list(iter_reports(Options(paths=(tmp_path / "in",), jobs=1, cache=cache, quiet=True)))
    assert len(calls) == 3
    assert [r.evidence.pages for r in second] == [r.evidence.pages for r in first]
    assert [r.evidence.ref.display for r in second] == [r.evidence.ref.display for r in first]
    # Another OCR engine is another key: nothing is reused across engines.
    sha = first[0].evidence.sha256
    assert sha is not None
    assert evidence_key(sha, "shaoxing-2022", "tesseract") != evidence_key(sha, "shaoxing-2022", "rapidocr")
    # A changed file is checked again.
    born_digital_pdf(tmp_path / "in" / "申报人01" / "b.pdf", [["另一份材料", *LINES]])
    list(iter_reports(Options(paths=(tmp_path / "in",), jobs=1, cache=cache, quiet=True)))
    assert calls[3:] == ["申报人01/b.pdf"]


def test_transient_failures_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _born_folder(tmp_path / "in", ["a.pdf"])
    cache = tmp_path / "cache.sqlite3"
    real = pipeline.check_document

    def timing_out(ref: InputRef, worker: pipeline.Worker, sha256: str | None = None) -> DocumentEvidence:
        ev = real(ref, worker, sha256)
        return DocumentEvidence(ref, ev.sha256, Status.unreadable, "processing exceeded the time limit",
                                "处理超时", cacheable=False)

    monkeypatch.setattr(pipeline, "check_document", timing_out)
    list(iter_reports(Options(paths=(tmp_path / "in",), jobs=1, cache=cache, quiet=True)))
    monkeypatch.setattr(pipeline, "check_document", real)
    (report,) = iter_reports(Options(paths=(tmp_path / "in",), jobs=1, cache=cache, quiet=True))
    assert report.evidence.status is Status.ok


@pytest.mark.slow
def test_kill_9_midway_then_rerun_reports_every_document_once(tmp_path: Path) -> None:
    """SIGKILL the whole run (main process and workers) after the first rows; the rerun
    reports each document exactly once and reads the finished ones from the store."""
    root = tmp_path / "in"
    for i in range(6):
        folder = root / f"申报人{i:02d}"
        folder.mkdir(parents=True)
        scanned_pdf(folder / "scan.pdf", [body_lines(random.Random(i), 12)] * 2,
                    ScanStyle(dpi=200), seed=i)
    cache = tmp_path / "cache.sqlite3"
    cmd = [sys.executable, "-m", "verify", "check", str(root), "--jobs", "2", "--cache", str(cache),
           "--quiet", "-v"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=_env(), start_new_session=True)
    assert proc.stdout is not None
    first_rows = [json.loads(proc.stdout.readline())]
    os.killpg(proc.pid, signal.SIGKILL)  # the run's own process group: main and workers
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with sqlite3.connect(cache) as db:
        stored = db.execute("SELECT COUNT(*) FROM evidence").fetchone()[0]
    assert 1 <= stored < 6, "killed too late to show a resume"

    done = subprocess.run(cmd, capture_output=True, text=True, env=_env(), timeout=600)
    assert done.returncode in (0, 1), done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    paths = [r["path"] for r in rows]
    assert sorted(paths) == sorted(f"申报人{i:02d}/scan.pdf" for i in range(6))
    assert len(set(paths)) == len(paths) == 6
    assert first_rows[0]["path"] == paths[0]
    assert all(r["status"] == "ok" and r["pages"] == 2 for r in rows)
    assert f"{stored} hits, {6 - stored} misses" in done.stderr


# --------------------------------------------------------------------------- page plan


@pytest.mark.slow
def test_body_pages_of_a_long_scan_are_read_in_strips(tmp_path: Path) -> None:
    rng = random.Random(3)
    pages = [cover_lines("重金属污染土壤修复关键技术研究", "绍兴市环境监测中心站", "王芳", "SX2021-101", 2021)]
    pages += [body_lines(rng) for _ in range(5)]
    path = tmp_path / "申报人" / "report.pdf"
    path.parent.mkdir()
    scanned_pdf(path, pages, ScanStyle(), seed=3)
    (report,) = iter_reports(Options(paths=(tmp_path,), jobs=1, quiet=True))
    ev = report.evidence
    assert [p.text_scope for p in ev.pages] == ["full", "full", "strips", "strips", "strips", "full"]
    strip_page = ev.pages[3]
    from verify.text.normalize import compact

    assert "第4页共6页" in compact(strip_page.text.text)
    footer = next(s for s in strip_page.text.spans if "4" in s.text)
    assert footer.bbox[1] > 0.88  # mapped back to the bottom of the page
    assert "项目名称" in compact(ev.pages[0].text.text)
    assert len(compact(ev.pages[1].text.text)) > 200  # page 2 read in full
    # Strips hold a line or two (here the first body line lies inside the header window and is
    # read whole, not sliced), the full pages a page of text.
    assert len(compact(strip_page.text.text)) < 80
    assert (strip_page.text.mean_conf or 0) > 80  # no line sliced into garbage


# --------------------------------------------------------------------------- progress


def test_progress_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = make_progress(False, out)
    assert isinstance(progress, LineProgress)
    progress.start(2)
    ev = DocumentEvidence(InputRef("x.pdf", Path("x.pdf"), PurePosixPath("/x.pdf")), "s", Status.ok,
                          page_count=3)
    progress.update(ev, cached=False)
    progress.update(ev, cached=True)
    progress.finish()
    line = out.getvalue().strip()
    assert line.startswith("verify: 2/2 documents · 6 pages")
    assert "1 from cache" in line and "\n" not in line
    assert isinstance(make_progress(True, out), NullProgress)


def test_stdout_carries_only_rows(tmp_path: Path) -> None:
    _born_folder(tmp_path / "in", ["a.pdf", "b.pdf"])
    done = subprocess.run([sys.executable, "-m", "verify", "check", str(tmp_path / "in"), "--jobs", "2",
                           "--cache", str(tmp_path / "c.sqlite3")],
                          capture_output=True, text=True, env=_env(), timeout=300)
    assert [json.loads(line)["path"] for line in done.stdout.splitlines()] == \
        ["申报人00/a.pdf", "申报人01/b.pdf"]
    assert "verify: 2/2 documents" in done.stderr
    quiet = subprocess.run([sys.executable, "-m", "verify", "check", str(tmp_path / "in"), "--quiet",
                            "--no-cache"], capture_output=True, text=True, env=_env(), timeout=300)
    assert quiet.stderr == "" and len(quiet.stdout.splitlines()) == 2


@pytest.mark.slow
def test_line_glyphs_cross_the_worker_pool_and_come_back_from_the_store(tmp_path: Path) -> None:
    """A scanned letter read by a pool worker: its OCR'd lines' glyph strips reach the main
    process (one per text span), are stored once in the pages table, and the cached rerun's
    evidence carries the same strips."""
    folder = tmp_path / "in" / "申报人00"
    folder.mkdir(parents=True)
    scanned_pdf(folder / "letter.pdf", [LINES], numbered=False)
    born_digital_pdf(folder / "other.pdf", [[*LINES, "编号 1"]])  # a second task for the pool
    cache = tmp_path / "cache.sqlite3"
    first = list(iter_reports(Options(paths=(tmp_path / "in",), jobs=2, cache=cache, quiet=True)))
    second = list(iter_reports(Options(paths=(tmp_path / "in",), jobs=2, cache=cache, quiet=True)))
    (page,) = first[0].evidence.pages
    assert page.text.source == "ocr" and len(page.text.spans) >= 3
    assert len(page.line_glyphs) == len(page.text.spans) and sum(map(len, page.line_glyphs)) > 0
    with sqlite3.connect(cache) as db:
        (which,) = db.execute("SELECT glyph_lines FROM pages WHERE doc LIKE '%letter.pdf'").fetchone()
    assert which is not None
    assert second[0].evidence.seconds == 0.0  # from the store, not read again
    assert second[0].evidence.pages[0].line_glyphs == page.line_glyphs
