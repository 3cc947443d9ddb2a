"""DUPLICATE accuracy: near-identical pages across applicants vs. same-template documents.

    python -m bench.eval_duplicates --split dev|holdout [--count N] [--out DIR] [--jobs 2]
    python -m bench.eval_duplicates --set DIR [--cache FILE] [--jobs 1]
    python -m bench.eval_duplicates --fixture-pairs dev|holdout --seed S --count N --out DIR
    python -m bench.eval_duplicates --rescore CACHE (--set DIR | --cases FILE)
    python -m bench.eval_duplicates --glyphs CACHE --cases FILE

``--fixture-pairs`` draws single-page documents from the fixture generator (every kind and
delivery it makes) and writes each as an original, a copy as the generator makes them for
another applicant (re-scan, recompression, trimmed margins) and a *sibling*: the same template,
layout, numbers and dates, with another person's name and (covers, papers, appointments)
another title — a colleague's document, the hard negative.

``--rescore`` reruns only the duplicate search (``verify.duplicates`` and the ``DUPLICATE``
rule) on the evidence an earlier run stored in its ``--cache`` (no OCR: a second or so), and
scores it against the set's labels or the pair split's ``*-cases.json``: to compare a change of
``duplicates.py`` with the previous version on the same readings. Applicants are the first
folder of each path (as in the generated sets and pair splits).

``--glyphs`` prints, for a pair split's stored evidence, every field (differing stretch both
pages read as text) of each copy against its original (``POS``) and of each colleague's
sibling against the original (``NEG``) and against the copy (``NEG-B``), with the similarity
of its glyphs (``verify.duplicates.glyph_similarity``; ``-`` where a side has no glyphs there),
and the per-pair least similarity: what ``GLYPH_SAME`` is fitted on (a negative stays apart
if one of its fields stays under it, a copy is found if all of its fields reach it).

``--set`` scores a set written by ``fixtures.generate`` (its ``labels.jsonl``: ``DUPLICATE`` is
expected on the later copy in input order, naming the earlier one) end to end, and prints the
page comparison of every labelled pair and of every false finding.

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
from verify.duplicates import SHAKY_MARK, compare_text, prints_of
from verify.model import Applicant, DocumentEvidence
from verify.options import Options, load_manifest
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


COPY_HOWS = ("rescan", "recompress", "trim")
TITLED = {"project_cover", "paper_accepted", "paper_published", "appointment"}


def make_fixture_split(out: Path, split: str, seed: int, count: int) -> list[Case]:
    """Originals, copies and same-template siblings drawn with the fixture generator."""
    import copy

    from fixtures.gen.archive import _EXT, Item, plan_set
    from fixtures.gen.content import Pools
    from fixtures.generate import build_one

    rng = random.Random(f"dups:{split}:{seed}")
    pools = Pools(split)
    _apps, items = plan_set(split, count * 5, seed)
    single = [it for it in items if it.plan.pages_total == 1 and it.plan.blank_page is None
              and not it.delivery.clarity]
    people: set[tuple[str, str]] = set()
    chosen = []
    for it in single:  # one document per person and kind: the generator's applicants repeat
        if (it.plan.person.name, it.plan.kind) not in people:
            people.add((it.plan.person.name, it.plan.kind))
            chosen.append(it)
    cases: list[Case] = []
    for i, src in enumerate(chosen[:count]):
        how = COPY_HOWS[i % len(COPY_HOWS)]
        orig = copy.deepcopy(src)
        orig.file = f"A{i:03d}/orig.{_EXT[orig.delivery.fmt]}"
        dup = copy.deepcopy(src)
        dl = dup.delivery
        dl.seed = rng.randrange(1 << 30)
        if how == "trim":
            dl.trim = rng.uniform(0.01, 0.03)
        if dl.delivery == "born_digital" or how == "rescan":  # as fixtures.gen.archive does
            dl.delivery = "scan"
            dl.fmt = rng.choice(["pdf", "jpeg", "png"])
            dl.dpi = rng.choice([150, 200])
        dl.jpeg_q = rng.randrange(60, 85)
        dup.file = f"B{i:03d}/copy.{_EXT[dl.fmt]}"
        sib = copy.deepcopy(src)
        plan = sib.plan
        while plan.person.name == src.plan.person.name:
            plan.person = pools.person(rng)
        if plan.kind == "project_cover":
            plan.title = pools.project_title(rng)[0]
        elif plan.kind in ("paper_accepted", "paper_published"):
            plan.title = pools.paper_title(rng)
        elif plan.kind == "appointment":
            plan.title = f"聘任{plan.person.name}为{plan.rank}"
        elif plan.kind == "other":  # no person printed: another unit's letter, table or notice
            unit_rng = random.Random(f"dups-unit:{split}:{seed}:{i}")  # own stream: the other draws stay put
            while plan.unit == src.plan.unit:
                plan.unit = pools.company(unit_rng)
        sib.delivery.seed = rng.randrange(1 << 30)
        sib.file = f"C{i:03d}/other.{_EXT[sib.delivery.fmt]}"
        for it in (orig, dup, sib):
            build_one(Item(it.plan, it.delivery, it.fonts, it.layout_seed, it.file), out)
        variant = f"{src.plan.kind}/{src.delivery.delivery}/{how}"
        changed = "/title" if plan.kind in TITLED else "/unit" if plan.kind == "other" else "/name"
        cases += [Case(orig.file, "original", None, variant),
                  Case(dup.file, "positive", orig.file, variant),
                  Case(sib.file, "negative", None, variant + changed)]
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
    c = compare_text("".join(a).replace(SHAKY_MARK, ""), "".join(b).replace(SHAKY_MARK, ""))
    fields = ["|".join(f) for f in c.fields][:3]
    return (f"agreed {c.agreed:3d} of {c.text_a}/{c.text_b} (cover {c.cover_short:.2f}/{c.cover_long:.2f}) "
            f"fields {fields} slips {len(c.slips)}/{c.slip_allowance:.0f}")


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
                       f"text {_cmp(a.lines, b.lines)}")
    return out


def _labelled_original(lab: dict[str, object], labels: dict[str, dict[str, object]]) -> str | None:
    """The document a labelled duplicate should name (the other copy of its pair)."""
    if lab.get("duplicate_of"):
        return str(lab["duplicate_of"])
    return next((f for f, o in labels.items() if o.get("duplicate_of") == lab["file"]), None)


def evaluate_set(folder: Path, jobs: int, cache: Path | None) -> dict[str, object]:
    """DUPLICATE precision/recall on a generated, labelled set (document level)."""
    labels = {str(x["file"]): x for x in map(json.loads, (folder / "labels.jsonl").read_text("utf-8")
                                             .splitlines()) if x}
    manifest = load_manifest(folder / "manifest.csv") if (folder / "manifest.csv").exists() else None
    tp = fp = fn = 0
    errors: list[str] = []
    evidence: dict[str, DocumentEvidence] = {}
    found: list[tuple[str, str, int, int]] = []
    for report in iter_reports(Options(paths=(folder,), jobs=jobs, cache=cache, quiet=True,
                                       manifest=manifest)):
        display = report.evidence.ref.display
        evidence[display] = report.evidence
        lab = labels.get(display)
        dups = [dict(f.evidence) for f in report.findings if f.code == "DUPLICATE"]
        found += [(display, str(d.get("other_path")), int(str(d.get("page"))), int(str(d.get("other_page"))))
                  for d in dups]
        want = lab is not None and "DUPLICATE" in lab["expected_findings"]
        original = _labelled_original(lab, labels) if lab is not None and want else None
        names = {d.get("other_path") for d in dups}
        if want and original in names:
            tp += 1
        elif want:
            fn += 1
            errors.append(f"missed {display} (copy of {original})")
        if dups and not (want and original in names):
            fp += 1
            errors.append(f"false {display} -> {sorted(map(str, names))}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    pairs = [(f, str(_labelled_original(lab, labels))) for f, lab in labels.items()
             if lab.get("duplicate_of")]
    stats = [f"pos {a} ~ {b}: {_page_stats(evidence, a, 1, b, 1)}" for a, b in pairs]
    stats += [f"found {a} p{pa} ~ {b} p{pb}: {_page_stats(evidence, a, pa, b, pb)}"
              for a, b, pa, pb in found]
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3),
            "recall": round(recall, 3), "f1": round(f1, 3), "errors": errors, "pairs": stats}


def _page_stats(evidence: dict[str, DocumentEvidence], a: str, pa: int, b: str, pb: int) -> str:
    ea, eb = evidence.get(a), evidence.get(b)
    if ea is None or eb is None or len(ea.pages) < pa or len(eb.pages) < pb:
        return "no evidence"
    x = prints_of(ea, "A", (1, 0))[pa - 1]
    y = prints_of(eb, "B", (1, 1))[pb - 1]
    if x.phash is None or y.phash is None:
        return "no hash"
    return (f"phash {(x.phash ^ y.phash).bit_count():2d} dhash {((x.dhash or 0) ^ (y.dhash or 0)).bit_count():2d} "
            f"text {_cmp(x.lines, y.lines)}")


def stored_evidence(cache: Path) -> dict[str, DocumentEvidence]:
    """The latest stored evidence of each document in an evidence store, by display path,
    with its pages' line glyphs (stored in the pages table: ``EvidenceStore.put``); read only,
    so a store of an older version is not upgraded."""
    import pickle
    import sqlite3
    from collections import defaultdict

    from verify.cache import attach_line_glyphs, unpack_glyphs

    out: dict[str, DocumentEvidence] = {}
    with sqlite3.connect(f"file:{cache}?mode=ro", uri=True) as db:
        spans: dict[str, dict[int, tuple[bytes, ...]]] = defaultdict(dict)
        if "glyph_lines" in {row[1] for row in db.execute("PRAGMA table_info(pages)")}:
            for sha, page, blob in db.execute(
                    "SELECT sha256, page, glyphs FROM pages WHERE glyph_lines IS NOT NULL"):
                spans[sha][int(page)] = unpack_glyphs(blob)
        for (blob,) in db.execute("SELECT blob FROM evidence ORDER BY created"):
            evidence = pickle.loads(blob)
            out[evidence.ref.display] = attach_line_glyphs(evidence, spans.get(evidence.sha256, {}))
    return out


def rescore(cache: Path, truth: dict[str, str | None]) -> dict[str, object]:
    """The duplicate search and rule on stored evidence, in input (path) order; ``truth`` maps
    each document to the original its finding must name (None: no finding)."""
    from verify.duplicates import DuplicateIndex
    from verify.model import Status
    from verify.profile import load_profile
    from verify.rules import RuleContext, duplicate

    profile = load_profile("shaoxing-2022")
    evidence = stored_evidence(cache)
    docs = sorted(d for d in evidence if d in truth)
    index = DuplicateIndex()
    prints = {}
    for i, d in enumerate(docs):
        ev = evidence[d]
        prints[d] = prints_of(ev, d.split("/")[0], (1, i)) if ev.status is Status.ok else []
        index.add(prints[d])
    tp = fp = fn = 0
    errors: list[str] = []
    for d in docs:
        hits = index.find(prints[d])
        ctx = RuleContext(evidence[d], Applicant(d.split("/")[0], None, None), (), hits)
        names = {str(h.values.get("other_path")) for h in duplicate(ctx, profile)}
        want = truth[d]
        if want is not None and want in names:
            tp += 1
        elif want is not None:
            fn += 1
            errors.append(f"missed {d} (copy of {want})")
        if names and not (want is not None and want in names):
            fp += 1
            errors.append(f"false {d} -> {sorted(names)}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3),
            "recall": round(recall, 3), "f1": round(f1, 3), "errors": errors}


def glyph_fields(cache: Path, cases: list[dict[str, object]]) -> list[str]:
    """One line per field of each positive and negative pair (see ``--glyphs``)."""
    from verify.duplicates import compare_text, glyph_similarity

    evidence = stored_evidence(cache)
    prints = {d: prints_of(e, d.split("/")[0], (1, 0)) for d, e in evidence.items()}
    first = {str(c["display"])[:4]: str(c["display"]) for c in cases}
    out = []
    for c in cases:
        d = str(c["display"])
        pairs = {"positive": [("POS", "A")], "negative": [("NEG", "A"), ("NEG-B", "B")]}.get(str(c["kind"]), [])
        for label, side in pairs:
            o = first.get(side + d[1:4])
            if not o or not prints.get(o) or not prints.get(d):
                continue
            a, b = prints[o][0], prints[d][0]
            if a.exact and b.exact:
                continue  # text layers: no field is a misreading, glyphs are not looked at
            t = compare_text(a.text, b.text, False, a.shaky, b.shaky, a.line_starts, b.line_starts)
            sims = [glyph_similarity(a, b, at) for at in t.field_at]
            for f, sim in zip(t.fields, sims, strict=True):
                out.append(f"{label}\t{d}\t{c['variant']}\t{'-' if sim is None else f'{sim:.3f}'}\t{f[0]} / {f[1]}")
            if sims:
                least = min(x if x is not None else -1.0 for x in sims)
                out.append(f"{label}-PAIR\t{d}\t{c['variant']}\t{'-' if least < 0 else f'{least:.3f}'}")
    return out


def _set_truth(folder: Path) -> dict[str, str | None]:
    labels = {str(x["file"]): x for x in map(json.loads, (folder / "labels.jsonl").read_text("utf-8")
                                             .splitlines()) if x}
    return {f: _labelled_original(lab, labels) if "DUPLICATE" in lab["expected_findings"] else None
            for f, lab in labels.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=sorted(SEEDS), default="holdout")
    parser.add_argument("--count", type=int, default=20, help="source pages (3 documents each)")
    parser.add_argument("--out", type=Path, default=None, help="folder (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--set", type=Path, default=None, help="a labelled set from fixtures.generate")
    parser.add_argument("--cache", type=Path, default=None, help="evidence store for --set")
    parser.add_argument("--fixture-pairs", choices=sorted(SEEDS), default=None,
                        help="pairs drawn with the fixture generator (pools of this split)")
    parser.add_argument("--seed", type=int, default=1, help="for --fixture-pairs")
    parser.add_argument("--rescore", type=Path, default=None,
                        help="an evidence store: rerun only the duplicate search on it")
    parser.add_argument("--cases", type=Path, default=None, help="for --rescore: a pair split's *-cases.json")
    parser.add_argument("--glyphs", type=Path, default=None,
                        help="an evidence store: print the glyph similarity of every field (with --cases)")
    args = parser.parse_args()
    if args.glyphs is not None:
        if args.cases is None:
            parser.error("--glyphs needs --cases")
        print("\n".join(glyph_fields(args.glyphs, json.loads(args.cases.read_text()))))
        return
    if args.rescore is not None:
        if args.cases is not None:
            truth = {c["display"]: c["original"] if c["kind"] == "positive" else None
                     for c in json.loads(args.cases.read_text())}
        elif args.set is not None:
            truth = _set_truth(args.set)
        else:
            parser.error("--rescore needs --set or --cases")
        print(json.dumps({"rescore": str(args.rescore), **rescore(args.rescore, truth)},
                         ensure_ascii=False, indent=1))
        return
    if args.set is not None:
        result = evaluate_set(args.set, args.jobs, None if args.no_cache else args.cache)
        print(json.dumps({"set": str(args.set), **result}, ensure_ascii=False, indent=1))
        return
    out = args.out or Path(tempfile.mkdtemp(prefix="verify-dups-"))
    name = f"fx-{args.fixture_pairs}-{args.seed}" if args.fixture_pairs else args.split
    folder = out / name
    saved = out / f"{name}-cases.json"
    if saved.exists():  # regenerating would change the bytes (PDF timestamps): reuse
        cases = [Case(**c) for c in json.loads(saved.read_text())]
    elif args.fixture_pairs:
        cases = make_fixture_split(folder, args.fixture_pairs, args.seed, args.count)
        saved.write_text(json.dumps([c.__dict__ for c in cases], ensure_ascii=False))
    else:
        cases = make_split(folder, args.split, args.count)
        saved.write_text(json.dumps([c.__dict__ for c in cases], ensure_ascii=False))
    cache = None if args.no_cache else out / f"{name}.sqlite3"
    result = evaluate(folder, cases, args.jobs, cache)
    print(json.dumps({"split": name, "sources": args.count, **result}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
