"""Measure kind and achievement-date accuracy on a generated split (or the real-world set).

    OMP_THREAD_LIMIT=1 python -m bench.eval_understanding --data /tmp/holdout --limit 60

reads ``labels.jsonl`` of a fixture-generator output, takes a sample stratified by kind (at
most ``--limit`` documents), reads the first ``--pages`` pages of each the way the pipeline does
(text layer for born-digital pages, real Tesseract otherwise), runs ``understand_document`` and
prints accuracy of kind, achievement date (exact, at the printed precision), cover_missing and
title, overall and by kind and by delivery, followed by every failure. Page text is cached in
``--cache`` (keyed by file and page) so that a rerun after a code change does not re-OCR;
``--realworld DIR`` evaluates kind only on the labelled real images instead.

With ``--pipeline --limit 1000`` (every document, read as ``verify.pipeline`` reads it) it also
prints document-level P/R/F1 of NOT_PUBLISHED, BEFORE_APPOINTMENT, AFTER_CUTOFF, COVER_MISSING and
DATE_MISSING from ``verify.rules`` (each applicant folder judged together, dates from the
manifest). ``--delivery`` keeps one delivery only (e.g. ``grey_scan``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path, PurePosixPath
from typing import Any

from verify.checks.understanding import (
    Understanding,
    same_paper,
    understand_document,
    wants_reread,
)
from verify.model import (
    Applicant,
    DocumentEvidence,
    InputRef,
    PageEvidence,
    PageText,
    PartialDate,
    Seal,
    Status,
    TextSpan,
)
from verify.pages import open_document
from verify.profile import load_profile
from verify.rules import (
    RuleContext,
    after_cutoff,
    before_appointment,
    cover_missing,
    date_missing,
    not_published,
)
from verify.text.ocr import OcrEngine, make_engine
from verify.text.read import read_page_text, read_second

log = logging.getLogger("eval_understanding")


def _page_texts(path: Path, pages: int, engine: OcrEngine,
                cache: Path | None) -> list[dict[str, Any]]:
    key = cache / (str(path.resolve()).replace("/", "_") + f".p{pages}.json") if cache else None
    if key is not None and key.exists():
        cached: list[dict[str, Any]] = json.loads(key.read_text(encoding="utf-8"))
        return cached
    ref = InputRef(path.name, path, PurePosixPath(str(path.resolve())))
    doc = open_document(ref)
    out = []
    try:
        for i in range(min(pages, doc.page_count)):
            page, text = read_page_text(doc.page(i), engine)
            out.append({
                "number": i + 1, "width_pt": page.width_pt, "height_pt": page.height_pt,
                "origin": page.origin, "effective_dpi": page.effective_dpi,
                "source": text.source, "mean_conf": text.mean_conf, "rotation": text.rotation,
                "spans": [[s.text, list(s.bbox), s.conf] for s in text.spans],
            })
    finally:
        doc.close()
    if key is not None:
        key.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return out


def _pipeline_pages(path: Path, worker: Any, cache: Path | None) -> list[dict[str, Any]]:
    """Page text as the pipeline reads it (every page; seal ink whitened inside seal boxes)."""
    from verify.pipeline import check_document

    key = cache / (str(path.resolve()).replace("/", "_") + ".pipeline2.json") if cache else None
    if key is not None and key.exists():
        cached: list[dict[str, Any]] = json.loads(key.read_text(encoding="utf-8"))
        return cached
    ev = check_document(InputRef(path.name, path, PurePosixPath(str(path.resolve()))), worker)
    out = [{"number": p.number, "width_pt": p.width_pt, "height_pt": p.height_pt,
            "origin": p.origin, "effective_dpi": p.effective_dpi, "source": p.text.source,
            "mean_conf": p.text.mean_conf, "rotation": p.text.rotation,
            "spans": [[s.text, list(s.bbox), s.conf] for s in p.text.spans],
            "seals": [[list(s.bbox), s.color] for s in p.seals]} for p in ev.pages]
    if key is not None:
        key.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return out


def _red_texts(path: Path, raw_pages: list[dict[str, Any]], engine: OcrEngine,
               cache: Path | None, tag: str = "") -> dict[int, PageText]:
    """The second reading of the image pages: the pipeline's own ``read_second`` (what
    ``check_document`` does for a document that ``wants_reread``; seals known only with
    ``--pipeline``), with a cache of the readings (``--tag`` names a variant) so reruns after
    a code change elsewhere are cheap.
    """
    suffix = f"-{tag}" if tag else ""
    key = (cache / (str(path.resolve()).replace("/", "_") + f".red-{engine.name}{suffix}.json")
           if cache else None)
    if key is not None and key.exists():
        raw: dict[str, Any] = json.loads(key.read_text(encoding="utf-8"))
    else:
        raw = {}
        doc = open_document(InputRef(path.name, path, PurePosixPath(str(path.resolve()))))
        try:
            for rec in raw_pages:
                if rec["origin"] == "born_digital":
                    continue
                page = doc.page(rec["number"] - 1).rotated(rec["rotation"])
                seals = [Seal(rec["number"], (b[0], b[1], b[2], b[3]), "round", color, "", 1.0)
                         for b, color in rec.get("seals", [])]
                text = read_second(page, seals, engine, rec["rotation"])
                raw[str(rec["number"])] = [[sp.text, list(sp.bbox), sp.conf] for sp in text.spans]
        finally:
            doc.close()
        if key is not None:
            key.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    out = {}
    for n, spans in raw.items():
        ts = tuple(TextSpan(t, (b[0], b[1], b[2], b[3]), c) for t, b, c in spans)
        out[int(n)] = PageText("\n".join(x.text for x in ts), ts, source="ocr")
    return out


def _evidence(raw: list[dict[str, Any]]) -> tuple[PageEvidence, ...]:
    pages = []
    for p in raw:
        spans = tuple(TextSpan(t, (b[0], b[1], b[2], b[3]), c) for t, b, c in p["spans"])
        text = PageText("\n".join(s.text for s in spans), spans, source=p["source"],
                        mean_conf=p["mean_conf"], rotation=p["rotation"])
        pages.append(PageEvidence(p["number"], p["width_pt"], p["height_pt"], p["origin"],
                                  p["effective_dpi"], text))
    return tuple(pages)


def _sample(labels: list[dict[str, Any]], limit: int, seed: int) -> list[dict[str, Any]]:
    """Round-robin over kinds (shuffled within each) so that every kind is represented."""
    rng = random.Random(seed)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for lab in labels:
        by_kind[lab["kind"]].append(lab)
    for docs in by_kind.values():
        rng.shuffle(docs)
    out: list[dict[str, Any]] = []
    while len(out) < limit and any(by_kind.values()):
        for kind in sorted(by_kind):
            if by_kind[kind] and len(out) < limit:
                out.append(by_kind[kind].pop())
    return out


def _date(u: Understanding) -> str | None:
    return str(u.achievement_date.value) if u.achievement_date else None


class Tally:
    def __init__(self) -> None:
        self.n: dict[str, int] = defaultdict(int)
        self.ok: dict[str, int] = defaultdict(int)

    def add(self, group: str, ok: bool) -> None:
        self.n[group] += 1
        self.ok[group] += int(ok)

    def lines(self, title: str) -> list[str]:
        out = [f"{title}"]
        for g in sorted(self.n):
            out.append(f"  {g:<28} {self.ok[g]:>3}/{self.n[g]:<3} {self.ok[g] / self.n[g]:.3f}")
        return out


RULE_CODES = ("NOT_PUBLISHED", "BEFORE_APPOINTMENT", "AFTER_CUTOFF", "COVER_MISSING",
              "DATE_MISSING")


def _applicants(data: Path) -> dict[str, Applicant]:
    out = {}
    manifest = data / "manifest.csv"
    for line in manifest.read_text("utf-8").splitlines()[1:]:
        folder, appointed, cutoff = [*line.split(","), "", ""][:3]
        out[folder] = Applicant(folder, PartialDate.parse(appointed) if appointed else None,
                                PartialDate.parse(cutoff) if cutoff else None,
                                "manifest" if appointed else "none")
    return out


def _rule_lines(data: Path, docs: list[tuple[dict[str, Any], DocumentEvidence]]) -> list[str]:
    """Document-level P/R/F1 of the understanding rules, each applicant's sampled documents
    being its folder (sample every document, ``--limit 1000``, for the true folder context)."""
    profile = load_profile("shaoxing-2022")
    applicants = _applicants(data)
    counts: dict[str, dict[str, int]] = {c: defaultdict(int) for c in RULE_CODES}
    errors: list[str] = []
    for lab, doc in docs:
        folder = lab["applicant"]
        siblings = tuple(d for o, d in docs if o["applicant"] == folder and d is not doc)
        ctx = RuleContext(doc, applicants.get(folder, Applicant(folder, None, None)), siblings)
        got = {h.code for rule in (cover_missing, not_published, before_appointment,
                                   after_cutoff, date_missing) for h in rule(ctx, profile)}
        want = set(lab["expected_findings"]) & set(RULE_CODES)
        for code in RULE_CODES:
            key = ("tp" if code in got and code in want else "fp" if code in got
                   else "fn" if code in want else None)
            if key:
                counts[code][key] += 1
                if key != "tp":
                    errors.append(f"  {key.upper()} {code:18} {lab['file']} "
                                  f"[{lab['kind']}/{lab.get('delivery')}] got kind="
                                  f"{doc.understanding.kind.value} date="
                                  f"{doc.understanding.achievement_date and doc.understanding.achievement_date.value} "
                                  f"title={doc.understanding.title!r} want title={lab.get('title')!r}")
    out = [f"{'rule':20} {'TP':>4} {'FP':>4} {'FN':>4} {'P':>6} {'R':>6} {'F1':>6}"]
    for code in RULE_CODES:
        c = counts[code]
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out.append(f"{code:20} {tp:4} {fp:4} {fn:4} {p:6.3f} {r:6.3f} {f:6.3f}")
    return [*out, "rule errors:", *errors]


def evaluate_generated(data: Path, limit: int, pages: int, seed: int,
                       cache: Path | None, reread: str | None = "rapidocr",
                       pipeline: bool = False, tag: str = "",
                       delivery: str | None = None) -> int:
    labels = [json.loads(line) for line in (data / "labels.jsonl").read_text("utf-8").splitlines()
              if line.strip()]
    if delivery:
        labels = [lab for lab in labels if lab.get("delivery") == delivery]
    sample = _sample(labels, limit, seed)
    engine = make_engine("tesseract")
    # as ``verify.pipeline.Worker.reread_engine``: the detector's input capped at 960 px (its
    # readings differ from RapidOCR's default, and the date lines read again depend on them)
    reread_engine = make_engine(reread, det_max_side=960) if reread else None
    worker = None
    if pipeline:
        from verify.options import Options
        from verify.pipeline import Worker

        worker = Worker(Options(paths=(data,), jobs=1))
    rereads = 0
    kind_t, date_t, cover_t, title_t, plain_t = Tally(), Tally(), Tally(), Tally(), Tally()
    failures: list[str] = []
    judged: list[tuple[dict[str, Any], DocumentEvidence]] = []
    t0 = time.monotonic()
    for i, lab in enumerate(sample, 1):
        raw = (_pipeline_pages(data / lab["file"], worker, cache) if worker is not None
               else _page_texts(data / lab["file"], pages, engine, cache))
        evidence = _evidence(raw)
        u = understand_document(evidence)
        plain_date_ok = _date(u) == lab.get("achievement_date")
        if reread_engine and wants_reread(u) and any(p["origin"] != "born_digital" for p in raw):
            # The date of a cover, letter or certificate is on its first page; a journal's may
            # be on any page read.
            # (as ``verify.pipeline.reread_pages``: also a poorly read document of no kind)
            again = raw[:3] if u.kind.value in ("paper_published", "other") else raw[:1]
            u = understand_document(
                evidence, _red_texts(data / lab["file"], again, reread_engine, cache, tag))
            rereads += 1
        path = data / lab["file"]
        judged.append((lab, DocumentEvidence(
            InputRef(lab["file"], path, PurePosixPath(str(path.resolve()))), None, Status.ok,
            page_count=len(evidence), pages=evidence, understanding=u)))
        delivery = lab.get("delivery", "?")
        want_date = lab.get("achievement_date")
        got_date = _date(u)
        kind_ok = u.kind.value == lab["kind"]
        date_ok = got_date == want_date
        for group in ("ALL", f"kind={lab['kind']}", f"delivery={delivery}"):
            kind_t.add(group, kind_ok)
            date_t.add(group, date_ok)
            plain_t.add(group, plain_date_ok)
        if lab["kind"] == "project_cover":
            cover_t.add("ALL", u.cover_missing == bool(lab.get("cover_missing")))
        if lab.get("title") and lab["kind"] in ("paper_accepted", "paper_published"):
            title_t.add(f"kind={lab['kind']}", same_paper(u.title, lab["title"]))
        if not (kind_ok and date_ok):
            failures.append(
                f"{lab['file']} [{lab['kind']}/{delivery}/{lab.get('template', '')}] "
                f"kind={u.kind.value} date={got_date} want={want_date} "
                f"cover_missing={u.cover_missing} reason={u.kind_reason} "
                f"dates={[(d.text, str(d.value), d.role.value) for d in u.dates]}")
        log.info("%d/%d %s %.0fs", i, len(sample), lab["file"], time.monotonic() - t0)
    how = "every page, read by verify.pipeline" if pipeline else f"first {pages} pages each"
    report = [f"documents: {len(sample)} from {data} ({how}), "
              f"{time.monotonic() - t0:.0f}s"]
    report += kind_t.lines("kind accuracy")
    report += plain_t.lines("achievement date exact accuracy, first reading only")
    report += date_t.lines("achievement date exact accuracy"
                           + (f" (red channel re-read by {reread} when missing: "
                              f"{rereads} documents)" if reread else ""))
    report += cover_t.lines("cover_missing accuracy (project evidence)")
    report += title_t.lines("title matches the labelled title (same_paper)")
    report += _rule_lines(data, judged)
    report += ["failures:"] + [f"  {f}" for f in failures]
    sys.stdout.write("\n".join(report) + "\n")
    return 0


def evaluate_realworld(folder: Path, cache: Path | None) -> int:
    engine = make_engine("tesseract")
    tally = Tally()
    failures = []
    for line in (folder / "labels.jsonl").read_text("utf-8").splitlines():
        lab = json.loads(line)
        u = understand_document(_evidence(_page_texts(folder / lab["file"], 1, engine, cache)))
        ok = u.kind.value == lab["kind"]
        tally.add("ALL", ok)
        tally.add(f"kind={lab['kind']}", ok)
        if not ok:
            failures.append(f"  {lab['file']} want={lab['kind']} got={u.kind.value} "
                            f"{u.kind_reason}")
    sys.stdout.write("\n".join(tally.lines("real-world kind accuracy") + failures) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--data", type=Path, help="fixture generator output (labels.jsonl)")
    ap.add_argument("--realworld", type=Path, help="folder of labelled real images")
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--pages", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--cache", type=Path, default=None, help="folder to cache page text in")
    ap.add_argument("--reread", default="rapidocr", choices=["rapidocr", "tesseract", "none"],
                    help="engine re-reading the red channel of pages whose date is missing")
    ap.add_argument("--pipeline", action="store_true",
                    help="read pages with verify.pipeline.check_document (seal-ink suppression, "
                         "every page) instead of the first --pages pages with plain Tesseract")
    ap.add_argument("--tag", default="",
                    help="names the cached second readings (a new tag after changing read_second)")
    ap.add_argument("--delivery", default=None,
                    help="only documents of this delivery (born_digital, scan, grey_scan, photo)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        stream=sys.stderr, format="%(message)s")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if args.cache:
        args.cache.mkdir(parents=True, exist_ok=True)
    if args.realworld:
        return evaluate_realworld(args.realworld, args.cache)
    if not args.data:
        ap.error("--data or --realworld is required")
    return evaluate_generated(args.data, args.limit, args.pages, args.seed, args.cache,
                              reread=None if args.reread == "none" else args.reread,
                              pipeline=args.pipeline, tag=args.tag,
                              delivery=args.delivery)


if __name__ == "__main__":
    raise SystemExit(main())
