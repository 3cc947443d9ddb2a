"""Fit and measure the seal detector.

    # fit the candidate classifier on dev pages (writes models/seals/seal_classifier.json)
    PYTHONPATH=. python bench/eval_seals.py fit --count 240
    # measure on holdout pages (never used for fitting or tuning) and on the real-world set
    PYTHONPATH=. python bench/eval_seals.py eval --count 200 [--realworld ../shared/realworld]
    [--text]  # also OCR the seal text (RapidOCR) and report the CER on clean red round seals
    # seal text per delivery (born-digital / scan / photo) and time per seal on a fixtures set
    PYTHONPATH=. python bench/eval_seals.py fixtures /tmp/fx-set --text [--dump-strips DIR]

Synthetic pages come from ``bench/seal_synth.py`` (dev and holdout share no fonts or unit
names). Document = page here; a document "has a seal" when any accepted seal exists. A seal
is matched when IoU ≥ 0.5 with a truth box.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.seal_synth import SynthPage, SynthSeal, cached_page  # noqa: E402
from verify.checks import seals as seals_mod  # noqa: E402
from verify.checks.seal_geometry import FEATURE_NAMES, build_maps  # noqa: E402
from verify.checks.seal_text import (  # noqa: E402
    read_strip_text,
    seal_strip,
    seal_text_cer,
)
from verify.model import InputRef, Seal  # noqa: E402
from verify.pages import Page, open_document  # noqa: E402

IOU_MATCH = 0.5


def _page_from_array(img: np.ndarray) -> Page:
    h, w = img.shape[:2]
    return Page(number=1, image=img, dpi=200.0, width_pt=w * 72 / 200, height_pt=h * 72 / 200,
                effective_dpi=200.0, origin="image")


# --------------------------------------------------------------------------- fitting


def _candidate_rows(page: SynthPage) -> tuple[list[np.ndarray], list[int], list[str]]:
    """Features, truth (1 = a seal) and model family of the page's candidates that pass the
    gates (the models only ever see those)."""
    m = build_maps(page.image)
    rows, labels, families = [], [], []
    for p, g, f in seals_mod._measure(m, seals_mod.propose(m)):
        if not seals_mod.passes_gates(f):
            continue
        bbox = seals_mod._bbox_frac(g, m)
        pos = any(seals_mod._iou(bbox, s.bbox) >= IOU_MATCH and (g.square == (s.shape == "square"))
                  for s in page.seals)
        rows.append(f)
        labels.append(int(pos))
        families.append(seals_mod.model_family(p.mode))
    return rows, labels, families


def _fixture_pages(folder: Path) -> list[SynthPage]:
    """Every page of a ``fixtures.generate`` set as a SynthPage (image + truth seals)."""
    out = []
    for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        path = folder / d["file"]
        try:
            doc = open_document(InputRef(d["file"], path, PurePosixPath(str(path.resolve()))))
        except Exception:
            continue
        for i in range(doc.page_count):
            truth = [SynthSeal(tuple(s["bbox"]), s["shape"], s["color"], s["text"], s["faint"])
                     for s in d["seals"] if s["page"] == i + 1]
            out.append(SynthPage(f"{d['file']}#{i + 1}", doc.page(i).image, truth,
                                 d["delivery"], ",".join(d["traps"]) or None))
        doc.close()
    return out


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 60
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """L2-regularised logistic regression by Newton's method (IRLS), balanced classes."""
    mean = x.mean(axis=0)
    std = x.std(axis=0) + 1e-6
    z = (x - mean) / std
    zb = np.hstack([z, np.ones((len(z), 1))])
    pos = y.mean()
    sw = np.where(y == 1, 0.5 / max(pos, 1e-6), 0.5 / max(1 - pos, 1e-6))
    w = np.zeros(zb.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(zb @ w)))
        grad = zb.T @ (sw * (p - y)) + l2 * np.r_[w[:-1], 0]
        hess = (zb * (sw * p * (1 - p))[:, None]).T @ zb + l2 * np.diag(np.r_[np.ones(len(w) - 1), 0])
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return mean, std, w[:-1], float(w[-1])


def _best_split(x: np.ndarray, g: np.ndarray, h: np.ndarray, cuts: list[np.ndarray],
                lam: float) -> tuple[int, float, float]:
    """(feature, threshold, gain) of the best second-order split of one node."""
    best = (0, float("inf"), -1.0)
    G, H = g.sum(), h.sum()
    for j, cj in enumerate(cuts):
        right = x[:, j][:, None] > cj[None, :]
        gr = (g[:, None] * right).sum(axis=0)
        hr = (h[:, None] * right).sum(axis=0)
        gain = gr**2 / (hr + lam) + (G - gr) ** 2 / (H - hr + lam) - G**2 / (H + lam)
        k = int(np.argmax(gain))
        if gain[k] > best[2]:
            best = (j, float(cj[k]), float(gain[k]))
    return best


def fit_boosted(x: np.ndarray, y: np.ndarray, rounds: int = 120, rate: float = 0.15,
                lam: float = 5.0, min_leaf: float = 2.0) -> dict[str, object]:
    """Depth-2 gradient boosting on the logistic loss (XGBoost-style leaves), balanced."""
    pos = y.mean()
    sw = np.where(y == 1, 0.5 / max(pos, 1e-6), 0.5 / max(1 - pos, 1e-6))
    cuts = [np.unique(np.quantile(x[:, j], np.linspace(0.03, 0.97, 24))) for j in range(x.shape[1])]
    base = 0.0
    z = np.full(len(y), base)
    feats, thrs, leaves = [], [], []
    for _ in range(rounds):
        p = 1 / (1 + np.exp(-z))
        g, h = sw * (p - y), sw * np.maximum(p * (1 - p), 1e-6)
        fr, tr, _ = _best_split(x, g, h, cuts, lam)
        r = x[:, fr] > tr
        kids = []
        for side in (~r, r):
            if h[side].sum() < 2 * min_leaf:
                kids.append((0, float("inf")))
                continue
            fc, tc, _ = _best_split(x[side], g[side], h[side], cuts, lam)
            kids.append((fc, tc))
        leaf_vals = []
        masks = [~r & ~(x[:, kids[0][0]] > kids[0][1]), ~r & (x[:, kids[0][0]] > kids[0][1]),
                 r & ~(x[:, kids[1][0]] > kids[1][1]), r & (x[:, kids[1][0]] > kids[1][1])]
        for msk in masks:
            leaf_vals.append(float(-g[msk].sum() / (h[msk].sum() + lam)) * rate)
        for v, msk in zip(leaf_vals, masks, strict=True):
            z[msk] += v
        feats.append([fr, kids[0][0], kids[1][0]])
        thrs.append([tr, min(kids[0][1], 1e9), min(kids[1][1], 1e9)])
        leaves.append(leaf_vals)
    return {"tree_features": feats, "tree_thresholds": np.round(thrs, 6).tolist(),
            "tree_leaves": np.round(leaves, 6).tolist(), "base": base}


# The 17 features the models were first fitted on (before inner_ring, star, centre_solid and
# flat_colour were measured): the default, so the card's rebuild commands stay exact.
FIT_FEATURES_V1 = FEATURE_NAMES[:FEATURE_NAMES.index("ring_peak") + 1]


def _fit_feature_names(spec: str) -> tuple[str, ...]:
    """``--features``: "v1" (the first 17), "all", or a comma list of FEATURE_NAMES."""
    if spec == "v1":
        return tuple(FIT_FEATURES_V1)
    if spec == "all":
        return tuple(FEATURE_NAMES)
    names = tuple(dict.fromkeys(  # "v1,inner_ring": the first 17 and more
        m for n in spec.split(",") if n.strip()
        for m in (FIT_FEATURES_V1 if n.strip() == "v1" else (n.strip(),))))
    unknown = [n for n in names if n not in FEATURE_NAMES]
    if unknown:
        raise SystemExit(f"unknown features {unknown}")
    return names


def cmd_fit(args: argparse.Namespace) -> None:
    t0 = time.time()
    xs, ys, fams, page_of = [], [], [], []
    pages = [cached_page("dev", i, args.cache) for i in range(args.count)]
    for folder in args.fixtures or []:
        pages += list(_fixture_pages(Path(folder)))
    cache = Path(args.rows_cache) if args.rows_cache else None
    key = f"{args.count}|{args.fixtures}|" + "|".join(pg.name for pg in pages)
    if cache is not None and cache.exists() and str(np.load(cache)["key"]) == key:
        # the same pages measured by the same code give the same rows: only for trying fits
        d = np.load(cache)
        xs, ys, fams, page_of = list(d["x"]), list(d["y"]), list(d["fam"]), list(d["page"])
    else:
        for k, pg in enumerate(pages):
            r, lab, fam = _candidate_rows(pg)
            xs += r
            ys += lab
            fams += fam
            page_of += [k] * len(r)
        if cache is not None:
            np.savez(cache, key=key, x=np.stack(xs), y=np.array(ys), fam=np.array(fams),
                     page=np.array(page_of))
    print(f"{len(pages)} dev pages, {len(xs)} candidates passing the gates; "
          f"{time.time() - t0:.0f}s")
    names = _fit_feature_names(args.features)
    cols = [FEATURE_NAMES.index(n) for n in names]
    for family in args.family.split(","):
        # "all": every candidate, written as the colour model (how the colour model in use
        # was fitted, before grey rings got their own model)
        sel = np.array(fams) == family if family != "all" else np.ones(len(fams), bool)
        _fit_family(args, family, pages, np.stack(xs)[sel][:, cols].astype(np.float64),
                    np.array(ys, dtype=np.float64)[sel], np.array(page_of)[sel], names)


def _fit_family(args: argparse.Namespace, family: str, pages: list[SynthPage], x: np.ndarray,
                y: np.ndarray, page_of_arr: np.ndarray, names: tuple[str, ...]) -> None:
    parts = fit_boosted(x, y, rounds=args.rounds)
    trees = seals_mod.BoostedTrees(np.asarray(parts["tree_features"]),
                                   np.asarray(parts["tree_thresholds"], np.float32),
                                   np.asarray(parts["tree_leaves"], np.float32), 0.0)
    scores = trees.score(x.astype(np.float32))
    used: dict[str, int] = defaultdict(int)
    for fs in parts["tree_features"]:  # type: ignore[union-attr]
        for j in fs:
            used[names[j]] += 1
    print(f"{family}: features used by the trees:",
          dict(sorted(used.items(), key=lambda t: -t[1])))
    # Threshold: the lowest (≥ 0.5) that keeps dev false-seal pages at or under
    # --max-fp-share of the seal-free dev pages, plus --margin. One odd dev page must not
    # set it (as the strict "no false page at all" rule did, at a recall cost).
    neg_pages = [k for k, pg in enumerate(pages) if not pg.seals]
    neg_max = np.sort([scores[page_of_arr == k].max() for k in neg_pages
                       if (page_of_arr == k).any()])[::-1]
    allowed = int(args.max_fp_share * len(neg_pages))
    level = float(neg_max[allowed]) if len(neg_max) > allowed else 0.5
    thr = float(min(0.95, max(0.5, level + args.margin)))
    neg_max_top = float(neg_max[0]) if len(neg_max) else 0.0
    model = {
        "features": list(names), **parts, "threshold": round(thr, 4),
        "candidates": len(y), "positives": int(y.sum()),
        "fitted_on": f"bench/seal_synth.py dev pages 0..{args.count - 1}"
                     + "".join(f" + fixtures set {Path(f).name}" for f in args.fixtures or []),
        "family": family,
        "rebuild": f"PYTHONPATH=. python bench/eval_seals.py fit --family {args.family} "
                   f"--count {args.count} "
                   f"--margin {args.margin} --rounds {args.rounds} "
                   f"--max-fp-share {args.max_fp_share}"
                   + (f" --features {args.features}" if args.features != "v1" else "")
                   + "".join(" --fixtures DIR" for _ in args.fixtures or []),
    }
    out = seals_mod.MODEL_PATHS["colour" if family == "all" else family]
    out.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    seals_mod.load_model.cache_clear()
    print(f"{family}: {len(y)} candidates ({int(y.sum())} positive); top seal-free page "
          f"scores {neg_max[:3].round(3)} (max {neg_max_top:.3f}), {allowed} allowed -> "
          f"threshold {thr:.3f}")


# --------------------------------------------------------------------------- evaluation


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, truth: bool, found: bool) -> None:
        if truth and found:
            self.tp += 1
        elif truth:
            self.fn += 1
        elif found:
            self.fp += 1
        else:
            self.tn += 1

    def row(self, name: str) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")
        return (f"| {name:28s} | {self.tp + self.fn:4d} | {self.fp + self.tn:4d} | {p:6.3f} | "
                f"{r:6.3f} | {self.fp:3d} | {self.fn:3d} |")


def _match(found: list[tuple[float, float, float, float]], truth: list[SynthSeal]
           ) -> tuple[int, int, int]:
    used: set[int] = set()
    tp = 0
    for t in truth:
        best, bi = 0.0, -1
        for i, f in enumerate(found):
            if i in used:
                continue
            iou = seals_mod._iou(f, t.bbox)
            if iou > best:
                best, bi = iou, i
        if best >= IOU_MATCH:
            used.add(bi)
            tp += 1
    return tp, len(found) - tp, len(truth) - tp


HEADER = ("| group                        | pos  | neg  | prec   | recall | FP  | FN  |\n"
          "|---|---|---|---|---|---|---|")


def timing_line(times: list[float]) -> str:
    """CPU time of find_seals per page; an empty run (``--count 0``, e.g. realworld only)
    has no pages to time."""
    if not times:
        return "find_seals CPU time: no pages"
    arr = np.array(times)
    return (f"find_seals CPU time: mean {arr.mean():.3f} s/page, median {np.median(arr):.3f}, "
            f"p95 {np.percentile(arr, 95):.3f}, max {arr.max():.3f}")


def cmd_eval(args: argparse.Namespace) -> None:
    engine = None
    if args.text:
        from verify.text.ocr import make_engine
        engine = make_engine(args.engine)
    groups: dict[str, Tally] = defaultdict(Tally)
    seal_tp = seal_fp = seal_fn = 0
    times: list[float] = []
    cers: list[float] = []
    failures: list[str] = []
    for i in range(args.start, args.start + args.count):
        pg = cached_page(args.split, i, args.cache)
        page = _page_from_array(pg.image)
        t = time.process_time()  # CPU time: the machine is shared, wall time is noisy
        found = seals_mod.find_seals(page)
        times.append(time.process_time() - t)
        has = bool(pg.seals)
        hit = bool(found)
        groups["all documents"].add(has, hit)
        groups[f"delivery {pg.delivery}"].add(has, hit)
        if not has:
            groups[f"trap {pg.trap}"].add(False, hit)
        for s in pg.seals:
            groups[f"seal {s.shape}/{s.color}{'/faint' if s.faint else ''}"].add(
                True, any(seals_mod._iou(f.bbox, s.bbox) >= IOU_MATCH for f in found))
        tp, fp, fn = _match([f.bbox for f in found], pg.seals)
        seal_tp, seal_fp, seal_fn = seal_tp + tp, seal_fp + fp, seal_fn + fn
        if has != hit or fp or fn:
            failures.append(f"{pg.name}: truth {len(pg.seals)} found {len(found)} "
                            f"(fp {fp}, fn {fn}) scores {[round(f.score, 2) for f in found]}")
        if engine is not None and pg.delivery in ("clean", "colour_scan"):
            for s in pg.seals:
                if s.shape == "round" and s.color == "red" and not s.faint:
                    f = [f for f in found if seals_mod._iou(f.bbox, s.bbox) >= IOU_MATCH]
                    if f:
                        text = seals_mod.find_seals(page, engine)
                        got = max(text, key=lambda z: seals_mod._iou(z.bbox, s.bbox)).text
                        cers.append(seal_text_cer(s.text, got))
                        if args.verbose:
                            print(f"  text {s.text} -> {got} cer {cers[-1]:.2f}")
    print(f"\n## Synthetic {args.split} pages {args.start}..{args.start + args.count - 1}\n")
    print(HEADER)
    for name in sorted(groups, key=lambda n: (n != "all documents", n)):
        print(groups[name].row(name))
    sp = seal_tp / max(seal_tp + seal_fp, 1)
    sr = seal_tp / max(seal_tp + seal_fn, 1)
    print(f"\nseal-level (IoU ≥ {IOU_MATCH}): precision {sp:.3f} recall {sr:.3f} "
          f"(tp {seal_tp}, fp {seal_fp}, fn {seal_fn})")
    grey = Tally()
    for name, tal in groups.items():
        if name in ("delivery grey_scan", "delivery bw_scan"):
            grey.tp += tal.tp
            grey.fn += tal.fn
            grey.fp += tal.fp
            grey.tn += tal.tn
    print("greyscale + black-and-white documents:\n" + HEADER + "\n" + grey.row("grey+bw"))
    print("\n" + timing_line(times))
    if cers:
        print(f"seal text CER on clean red round seals: mean {np.mean(cers):.3f} over {len(cers)} "
              f"seals; exact {sum(c == 0 for c in cers)}/{len(cers)}")
    if args.verbose:
        print("\nfailures:\n" + "\n".join(failures))
    if args.realworld:
        eval_realworld(Path(args.realworld), engine)


def eval_realworld(folder: Path, engine: object | None = None) -> None:
    docs = Tally()
    seal_tp = seal_fp = seal_fn = 0
    times = []
    print(f"\n## Real-world set {folder}\n\n| file | truth | found | IoU | scores | s |\n"
          "|---|---|---|---|---|---|")
    for line in (folder / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        p = folder / d["file"]
        page = open_document(InputRef(d["file"], p, PurePosixPath(str(p)))).page(0)
        t = time.process_time()
        found = seals_mod.find_seals(page, engine)  # type: ignore[arg-type]
        times.append(time.process_time() - t)
        truth = [SynthSeal(tuple(s["bbox"]), s["shape"], s["color"], "") for s in d["seals"]]
        docs.add(bool(truth), bool(found))
        tp, fp, fn = _match([f.bbox for f in found], truth)
        seal_tp, seal_fp, seal_fn = seal_tp + tp, seal_fp + fp, seal_fn + fn
        ious = [round(max((seals_mod._iou(f.bbox, t.bbox) for f in found), default=0), 2)
                for t in truth]
        status = "ok" if bool(truth) == bool(found) and not fp and not fn else "FAIL"
        print(f"| {d['file']} | {len(truth)} | {len(found)} ({status}) | {ious} | "
              f"{[(round(f.score, 2), f.shape, f.color, f.text) for f in found]} | "
              f"{times[-1]:.2f} |")
    print("\n" + HEADER + "\n" + docs.row("realworld documents"))
    print(f"seal-level: precision {seal_tp / max(seal_tp + seal_fp, 1):.3f} recall "
          f"{seal_tp / max(seal_tp + seal_fn, 1):.3f} (tp {seal_tp}, fp {seal_fp}, fn {seal_fn}); "
          f"mean {np.mean(times):.3f} s/page")


def cmd_fixtures(args: argparse.Namespace) -> None:
    """Measure on a set written by ``python -m fixtures.generate`` (every page of every
    document; a document has a seal when any page has one)."""
    folder = Path(args.dir)
    labels = [json.loads(x) for x in (folder / "labels.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    groups: dict[str, Tally] = defaultdict(Tally)
    seal_tp = seal_fp = seal_fn = 0
    times: list[float] = []
    failures: list[str] = []
    cers: list[float] = []
    cer_by_delivery: dict[str, list[float]] = defaultdict(list)
    text_missed: dict[str, int] = defaultdict(int)
    text_times: list[float] = []
    blue_cers: list[float] = []
    # characters substituted / dropped / inserted, and the truth's length, per delivery
    edits_by_delivery: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    strips: list[tuple[float, str, str, str, str, np.ndarray]] = []
    engine = None
    if args.text:
        from verify.text.ocr import make_engine
        engine = make_engine("rapidocr")
    for d in labels:
        path = folder / d["file"]
        ref = InputRef(d["file"], path, PurePosixPath(str(path.resolve())))
        try:
            doc = open_document(ref)
        except Exception as exc:  # unreadable documents are the ingest stage's business
            failures.append(f"{d['file']}: cannot open ({exc})")
            continue
        found_doc: list[tuple[int, Seal]] = []
        for i in range(doc.page_count):
            page = doc.page(i)
            t = time.process_time()
            found = seals_mod.find_seals(page)
            times.append(time.process_time() - t)
            found_doc += [(i + 1, f) for f in found]
            truth = [SynthSeal(tuple(s["bbox"]), s["shape"], s["color"], s["text"], s["faint"])
                     for s in d["seals"] if s["page"] == i + 1]
            clean = [s for s in truth if s.shape == "round" and s.color == "red" and not s.faint]
            # blue round seals (the generator's "other" colour outside grey scans), apart
            clean += [s for s in truth if s.shape == "round" and s.color == "other"
                      and not s.faint and d["delivery"] != "grey_scan"]
            if engine is not None and clean:
                # The text is read on the detector's own box (as the pipeline does); seals the
                # detector missed are counted apart, not as CER 1.
                for s in clean:
                    hit = [f for f in found if seals_mod._iou(f.bbox, s.bbox) >= IOU_MATCH]
                    if not hit:
                        text_missed[d["delivery"]] += 1
                        continue
                    t = time.perf_counter()
                    others = tuple(f.bbox for f in found
                                   if f is not hit[0] and f.shape != "square")
                    strip = seal_strip(page, hit[0].bbox, others)  # = read_seal_text, 2 steps
                    got = "" if strip is None else read_strip_text(strip, engine)
                    text_times.append(time.perf_counter() - t)
                    if s.color != "red":
                        blue_cers.append(seal_text_cer(s.text, got))
                        print(f"  text [{d['delivery']}, blue] {s.text} -> {got} "
                              f"cer {blue_cers[-1]:.2f}")
                        continue
                    cers.append(seal_text_cer(s.text, got))
                    cer_by_delivery[d["delivery"]].append(cers[-1])
                    for kind, count in _edit_kinds(s.text, got).items():
                        edits_by_delivery[d["delivery"]][kind] += count
                    print(f"  text [{d['delivery']}] {s.text} -> {got} cer {cers[-1]:.2f}")
                    if args.dump_strips and strip is not None:
                        strips.append((cers[-1], d["delivery"], f"{d['file']} p{i + 1}",
                                       s.text, got, strip))
            tp, fp, fn = _match([f.bbox for f in found], truth)
            seal_tp, seal_fp, seal_fn = seal_tp + tp, seal_fp + fp, seal_fn + fn
            for s in truth:
                hit = any(seals_mod._iou(f.bbox, s.bbox) >= IOU_MATCH for f in found)
                groups[f"seal {s.shape}/{s.color}{'/faint' if s.faint else ''}"].add(True, hit)
            if fp or fn:
                failures.append(f"{d['file']} p{i + 1} ({d['delivery']}, {d['kind']}, traps "
                                f"{d['traps']}): truth {len(truth)} found {len(found)} "
                                f"(fp {fp}, fn {fn}) {[round(f.score, 2) for f in found]}")
        doc.close()
        has, hit = bool(d["seals"]), bool(found_doc)
        groups["all documents"].add(has, hit)
        groups[f"delivery {d['delivery']}"].add(has, hit)
        if not has:
            for trap in d["traps"] or ["none"]:
                groups[f"trap {trap} (no seal)"].add(False, hit)
        else:
            for trap in d["traps"]:
                groups[f"trap {trap} (with seal)"].add(True, hit)
    print(f"\n## fixtures set {folder} ({len(labels)} documents, {len(times)} pages)\n")
    print(HEADER)
    for name in sorted(groups, key=lambda n: (n != "all documents", n)):
        print(groups[name].row(name))
    print(f"\nseal-level (IoU ≥ {IOU_MATCH}): precision {seal_tp / max(seal_tp + seal_fp, 1):.3f}"
          f" recall {seal_tp / max(seal_tp + seal_fn, 1):.3f} (tp {seal_tp}, fp {seal_fp}, "
          f"fn {seal_fn})")
    print(timing_line(times))
    if cers:
        print(f"seal text CER on clean red round seals (detected ones): mean "
              f"{np.mean(cers):.3f}, median {np.median(cers):.3f} over {len(cers)} seals; exact "
              f"{sum(c == 0 for c in cers)}/{len(cers)}; read_seal_text "
              f"{np.mean(text_times):.3f} s/seal wall")
        for delivery in sorted(cer_by_delivery):
            c = cer_by_delivery[delivery]
            print(f"  {delivery}: CER mean {np.mean(c):.3f}, median {np.median(c):.3f}, "
                  f"≤ 0.10 on {sum(x <= 0.1 for x in c)}/{len(c)}, exact "
                  f"{sum(x == 0 for x in c)}/{len(c)}; not detected {text_missed[delivery]}")
            e = edits_by_delivery[delivery]
            print(f"    of {e['chars']} characters: {e['sub']} wrong, {e['del']} dropped, "
                  f"{e['ins']} inserted")
    if blue_cers:
        print(f"  blue round seals (all deliveries but grey scans): CER mean "
              f"{np.mean(blue_cers):.3f} over {len(blue_cers)}, exact "
              f"{sum(x == 0 for x in blue_cers)}/{len(blue_cers)}")
    if strips:
        _dump_strips(Path(args.dump_strips), strips)
    if args.verbose:
        print("\nfailures:\n" + "\n".join(failures))


def _edit_kinds(truth: str, read: str) -> dict[str, int]:
    """Characters of a seal reading substituted, dropped and inserted against the truth
    (an alignment by ``difflib``; a replaced run counts its overlap as substituted), and the
    truth's length ("chars"): which errors dominate."""
    from difflib import SequenceMatcher

    from verify.checks.seal_text import _clean

    t, r = _clean(truth), _clean(read)
    kinds = {"sub": 0, "del": 0, "ins": 0, "chars": len(t)}
    for op, a0, a1, b0, b1 in SequenceMatcher(None, t, r, autojunk=False).get_opcodes():
        if op == "replace":
            both = min(a1 - a0, b1 - b0)
            kinds["sub"] += both
            kinds["del"] += a1 - a0 - both
            kinds["ins"] += b1 - b0 - both
        elif op == "delete":
            kinds["del"] += a1 - a0
        elif op == "insert":
            kinds["ins"] += b1 - b0
    return kinds


def _dump_strips(out: Path, strips: list[tuple[float, str, str, str, str, np.ndarray]]) -> None:
    """Every unwrapped strip as a PNG named worst first (``000_0.88_scan.png``) and
    ``strips.tsv``: CER, delivery, page, truth, reading, file."""
    import cv2

    out.mkdir(parents=True, exist_ok=True)
    rows = ["cer\tdelivery\tpage\ttruth\tread\tfile"]
    for k, (cer, delivery, where, truth, got, strip) in enumerate(
            sorted(strips, key=lambda x: -x[0])):
        name = f"{k:03d}_{cer:.2f}_{delivery}.png"
        cv2.imwrite(str(out / name), strip)
        rows.append(f"{cer:.3f}\t{delivery}\t{where}\t{truth}\t{got}\t{name}")
    (out / "strips.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"strips written to {out} (worst first)")


def cmd_grey_fixtures(args: argparse.Namespace) -> None:
    """A ``fixtures.generate`` set where most documents are greyscale or black-and-white
    scans (the generator's own mix has ~14 %: too few grey seals to fit or measure on). Only
    the delivery shares change; everything else is the generator's, seeded as given."""
    import fixtures.gen.archive as archive
    from fixtures import generate

    archive.DELIVERY_SHARE = [("born_digital", 0.05), ("scan", 0.05), ("grey_scan", 0.85),
                              ("photo", 0.05)]
    generate.main(["--out", args.out, "--split", args.split, "--count", str(args.count),
                   "--seed", str(args.seed), "--quiet"])


def cmd_photo_fixtures(args: argparse.Namespace) -> None:
    """A ``fixtures.generate`` set where every document is a phone photo (the generator's own
    mix has ~20 %), seals as the generator draws them: to measure photo recall on its own."""
    import fixtures.gen.archive as archive
    from fixtures import generate

    archive.DELIVERY_SHARE = [("photo", 1.0)]
    generate.main(["--out", args.out, "--split", args.split, "--count", str(args.count),
                   "--seed", str(args.seed), "--quiet"])


def cmd_faint_fixtures(args: argparse.Namespace) -> None:
    """A ``fixtures.generate`` set where every seal is faint (the generator draws 15 % faint)
    and no document is a greyscale scan: faint red seals on born-digital pages (raster and
    vector), colour scans and photos, to measure the faint class on its own. Only the
    delivery shares and the seal's faintness change; the seal labels' ``faint`` follow."""
    import fixtures.gen.archive as archive
    import fixtures.gen.layouts as layouts
    from fixtures import generate

    plain = layouts.seal_for_unit

    def faint_seal(*a: object, **kw: object) -> object:
        if len(a) > 5:
            a = (*a[:5], True, *a[6:])
        else:
            kw["faint"] = True
        return plain(*a, **kw)  # type: ignore[arg-type]

    layouts.seal_for_unit = faint_seal  # type: ignore[assignment]
    archive.DELIVERY_SHARE = [("born_digital", 0.4), ("scan", 0.3), ("grey_scan", 0.0),
                              ("photo", 0.3)]
    if args.low_contrast_photos:  # the hardest case: a faint seal on a washed-out photo
        archive.DELIVERY_SHARE = [("photo", 1.0)]
        archive.RASTER_CODES = ["LOW_CONTRAST"]
    generate.main(["--out", args.out, "--split", args.split, "--count", str(args.count),
                   "--seed", str(args.seed), "--quiet"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fit")
    f.add_argument("--count", type=int, default=240)
    f.add_argument("--margin", type=float, default=0.02)
    f.add_argument("--l2", type=float, default=1.0)
    f.add_argument("--rounds", type=int, default=120)
    f.add_argument("--max-fp-share", type=float, default=0.01)
    f.add_argument("--features", default="v1",
                   help='"v1" (the first 17 FEATURE_NAMES), "all", or a comma list (may hold "v1")')
    f.add_argument("--rows-cache", default="",
                   help="npz of the measured candidates, reused when the pages are the same")
    f.add_argument("--fixtures", action="append",
                   help="also fit on every page of this fixtures.generate --split dev set")
    f.add_argument("--cache", default="/tmp/seal_synth_cache", help="PNG cache ('' = none)")
    f.add_argument("--family", default="colour,grey",
                   help="models to fit: colour (colour-map candidates), grey (grey rings), "
                        "all (every candidate, written as the colour model)")
    e = sub.add_parser("eval")
    e.add_argument("--split", default="holdout")
    e.add_argument("--start", type=int, default=0)
    e.add_argument("--count", type=int, default=200)
    e.add_argument("--realworld", default=None)
    e.add_argument("--text", action="store_true")
    e.add_argument("--engine", default="rapidocr")
    e.add_argument("--verbose", "-v", action="store_true")
    e.add_argument("--cache", default="/tmp/seal_synth_cache", help="PNG cache ('' = none)")
    fx = sub.add_parser("fixtures", help="measure on a fixtures.generate set")
    fx.add_argument("dir")
    fx.add_argument("--verbose", "-v", action="store_true")
    fx.add_argument("--text", action="store_true", help="also OCR seal text (RapidOCR)")
    fx.add_argument("--dump-strips", metavar="DIR",
                    help="with --text: write every unwrapped strip and its reading here")

    def fixture_set_parser(name: str, help_: str, split: str, count: int) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_)
        sp.add_argument("--out", required=True)
        sp.add_argument("--split", default=split)
        sp.add_argument("--count", type=int, default=count)
        sp.add_argument("--seed", type=int, required=True)
        return sp

    fixture_set_parser("grey-fixtures", "write a fixtures set of mostly grey scans", "dev", 120)
    ff = fixture_set_parser("faint-fixtures", "write a fixtures set where every seal is faint", "dev", 60)
    ff.add_argument("--low-contrast-photos", action="store_true",
                    help="phone photos only; every damaged one is LOW_CONTRAST (~20 %%)")
    fixture_set_parser("photo-fixtures", "write a fixtures set of phone photos only", "holdout", 80)
    args = ap.parse_args()
    {"fit": cmd_fit, "eval": cmd_eval, "fixtures": cmd_fixtures,
     "grey-fixtures": cmd_grey_fixtures, "faint-fixtures": cmd_faint_fixtures,
     "photo-fixtures": cmd_photo_fixtures}[args.cmd](args)


if __name__ == "__main__":
    main()
