"""DUPLICATE accuracy: near-identical pages across applicants vs. same-template documents.

    python -m bench.eval_duplicates --split dev|holdout [--count N] [--out DIR] [--jobs 2]

For each of ``count`` source pages (a project cover from one company template, a report body
page, or a born-digital letter page) the split holds:

* ``A`` applicant: the original (a 300-DPI scan, or the born-digital PDF);
* ``B`` applicant: a near-duplicate, cycling through re-scan (new noise, 0.3–0.8° skew, shift),
  recompression (JPEG q30), slight crop (2–4 % a side, saved as PNG), downscale to 200 DPI,
  and print-and-scan of a born-digital page;
* ``C`` applicant: a negative — the same template with another title, leader and number
  (covers), or another body page of the same report layout.

The whole split goes through ``verify`` (real OCR, the real pipeline, rules included) and the
``DUPLICATE`` findings are scored: a true positive names the right original; any finding on
a negative, or naming a wrong document, is a false positive. dev is for tuning the thresholds
in ``verify/duplicates.py``; holdout (other seeds, titles and damage) is what is reported.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from verify.bench import (
    NAMES,
    UNITS,
    ScanStyle,
    body_lines,
    born_digital_pdf,
    cover_lines,
    jpeg_bytes,
    project_title,
    scan_image,
    scanned_pdf,
)
from verify.duplicates import compare_text, prints_of
from verify.model import DocumentEvidence
from verify.options import Options
from verify.pipeline import iter_reports

SEEDS = {"dev": 101, "holdout": 202}
VARIANTS = ("rescan", "recompress", "crop", "downscale", "print_scan")


@dataclass(frozen=True)
class Case:
    display: str  # path relative to the split folder
    kind: str  # "positive" | "negative" | "original"
    original: str | None  # display path of the original a positive copies
    variant: str


def _write_image(path: Path, img: np.ndarray, quality: int | None) -> None:
    if quality is None:
        cv2.imwrite(str(path), img)
    else:
        path.write_bytes(jpeg_bytes(img, quality))


def make_split(out: Path, split: str, count: int) -> list[Case]:
    rng = random.Random(SEEDS[split])
    cases: list[Case] = []
    for i in range(count):
        variant = VARIANTS[i % len(VARIANTS)]
        unit, leader = rng.choice(UNITS), rng.choice(NAMES)
        year = rng.choice((2019, 2020, 2021, 2022))
        if variant == "print_scan" or i % 3 == 2:
            source = ["关于" + project_title(rng) + "的工作函", "", *body_lines(rng, 9), "", unit,
                      f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"]
            negative = ["关于" + project_title(rng) + "的工作函", "", *body_lines(rng, 9), "", unit,
                        f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"]
        elif i % 3 == 0:
            source = cover_lines(project_title(rng), unit, leader, f"SX{year}-{rng.randint(100, 999)}", year)
            other_title = project_title(rng)
            while other_title in source[5]:
                other_title = project_title(rng)
            negative = cover_lines(other_title, unit, rng.choice(NAMES),
                                   f"SX{year}-{rng.randint(100, 999)}", year)
        else:
            source = body_lines(rng)
            negative = body_lines(rng)
        a, b, c = (out / f"{g}{i:03d}" for g in ("A", "B", "C"))
        for folder in (a, b, c):
            folder.mkdir(parents=True, exist_ok=True)
        seed = SEEDS[split] * 1000 + i
        if variant == "print_scan":
            born_digital_pdf(a / "original.pdf", [source], numbered=False)
        else:
            scanned_pdf(a / "original.pdf", [source], ScanStyle(), numbered=False, seed=seed)
        original = f"A{i:03d}/original.pdf"
        cases.append(Case(original, "original", None, variant))
        angle = rng.uniform(0.3, 0.8) * rng.choice((-1, 1))
        if variant == "rescan":
            scanned_pdf(b / "copy.pdf", [source], ScanStyle(angle=angle, noise=6.0,
                        shift=(rng.randint(-40, 40), rng.randint(-40, 40)), jpeg_quality=70),
                        numbered=False, seed=seed + 7)
            name = "copy.pdf"
        elif variant == "recompress":
            img = scan_image(source, None, ScanStyle(), seed)  # the same scan, saved again worse
            _write_image(b / "copy.jpg", img, 30)
            name = "copy.jpg"
        elif variant == "crop":
            img = scan_image(source, None, ScanStyle(crop=rng.uniform(0.02, 0.04)), seed)
            _write_image(b / "copy.png", img, None)
            name = "copy.png"
        elif variant == "downscale":
            img = scan_image(source, None, ScanStyle(dpi=200), seed)
            _write_image(b / "copy.jpg", img, 75)
            name = "copy.jpg"
        else:
            scanned_pdf(b / "copy.pdf", [source], ScanStyle(angle=angle, noise=5.0), numbered=False,
                        seed=seed + 7)
            name = "copy.pdf"
        cases.append(Case(f"B{i:03d}/{name}", "positive", original, variant))
        scanned_pdf(c / "other.pdf", [negative], ScanStyle(angle=angle / 2), numbered=False, seed=seed + 13)
        cases.append(Case(f"C{i:03d}/other.pdf", "negative", None, variant))
    return cases


def evaluate(folder: Path, cases: list[Case], jobs: int, cache: Path | None) -> dict[str, object]:
    truth = {c.display: c for c in cases}
    tp = fp = fn = 0
    errors: list[str] = []
    evidence: dict[str, DocumentEvidence] = {}
    for report in iter_reports(Options(paths=(folder,), jobs=jobs, cache=cache, quiet=True)):
        display = report.evidence.ref.display
        evidence[display] = report.evidence
        case = truth[display]
        dups = [dict(f.evidence) for f in report.findings if f.code == "DUPLICATE"]
        if case.kind == "positive":
            right = [d for d in dups if d.get("other_path") == case.original]
            if right:
                tp += 1
            else:
                fn += 1
                errors.append(f"missed {display} ({case.variant})")
            wrong = [d for d in dups if d.get("other_path") != case.original]
            fp += len(wrong)
            errors += [f"wrong match {display} -> {d.get('other_path')}" for d in wrong]
        else:
            fp += len(dups)
            errors += [f"false {display} ({case.variant}) -> {d.get('other_path')} "
                       f"p{d.get('page')}/{d.get('other_page')} sim {d.get('similarity')}" for d in dups]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3),
            "recall": round(recall, 3), "f1": round(f1, 3), "errors": errors,
            "pairs": pair_stats(cases, evidence)}


def _cmp(a: tuple[str, ...], b: tuple[str, ...]) -> str:
    c = compare_text("".join(a), "".join(b))
    return f"ratio {c.ratio:.2f} distinct {c.distinct:3d}/{c.allowance:4.1f}"


def pair_stats(cases: list[Case], evidence: dict[str, DocumentEvidence]) -> list[str]:
    """pHash/dHash bits and text similarity of each copy and each negative to its original
    (what the thresholds are tuned on)."""
    out = []
    originals = [c for c in cases if c.kind == "original"]
    for orig, pos, neg in zip(originals, [c for c in cases if c.kind == "positive"],
                              [c for c in cases if c.kind == "negative"], strict=True):
        a = prints_of(evidence[orig.display], "A", (0, 0))[0]
        for other in (pos, neg):
            ev = evidence.get(other.display)
            if ev is None or not ev.pages or a.phash is None:
                continue
            b = prints_of(ev, "B", (1, 0))[0]
            if b.phash is None:
                continue
            out.append(f"{other.kind[:3]} {orig.variant:10s} phash {(a.phash ^ b.phash).bit_count():2d} "
                       f"dhash {((a.dhash or 0) ^ (b.dhash or 0)).bit_count():2d} "
                       f"text {_cmp(a.lines, b.lines)} "
                       f"chars {sum(map(len, a.lines))}/{sum(map(len, b.lines))}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=sorted(SEEDS), default="holdout")
    parser.add_argument("--count", type=int, default=20, help="source pages (3 documents each)")
    parser.add_argument("--out", type=Path, default=None, help="folder (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="verify-dups-"))
    folder = out / args.split
    saved = out / f"{args.split}-cases.json"
    if saved.exists():  # regenerating would change the bytes (PDF timestamps): reuse
        cases = [Case(**c) for c in json.loads(saved.read_text())]
    else:
        cases = make_split(folder, args.split, args.count)
        saved.write_text(json.dumps([c.__dict__ for c in cases], ensure_ascii=False))
    cache = None if args.no_cache else out / f"{args.split}.sqlite3"
    result = evaluate(folder, cases, args.jobs, cache)
    print(json.dumps({"split": args.split, "sources": args.count, **result}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
