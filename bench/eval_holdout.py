"""End-to-end accuracy of ``verify check`` on a generated, labelled set it was not tuned on.

    python -m fixtures.generate --out out/holdout --split holdout --count 120
    python -m bench.eval_holdout out/holdout [--results out/holdout.jsonl] [--jobs 2]

Runs the real CLI over the set (or reads ``--results`` if it exists), joins rows to
``labels.jsonl`` by path and prints: per finding code precision/recall/F1 at document level
(``expected_findings`` vs the codes reported), kind accuracy and achievement-date exact
accuracy by delivery and by kind (each wrong kind or date is listed with the errors),
document-level seal presence by delivery, seals on trap documents, and the share of normal
documents with no clarity finding.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

CLARITY = ("BLURRY", "LOW_RESOLUTION", "SKEWED", "LOW_CONTRAST", "CROPPED", "BLANK_PAGE")


def run_verify(set_dir: Path, out: Path, jobs: int) -> None:
    cmd = [sys.executable, "-m", "verify", "check", str(set_dir), "--manifest",
           str(set_dir / "manifest.csv"), "--jobs", str(jobs), "--quiet", "--no-cache"]
    with out.open("w", encoding="utf-8") as f:
        subprocess.run(cmd, stdout=f, check=False)


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("set_dir", type=Path)
    ap.add_argument("--results", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--labels", type=Path, help="truth file (default SET_DIR/labels.jsonl)")
    args = ap.parse_args()
    results = args.results or args.set_dir.with_suffix(".verify.jsonl")
    if not results.exists():
        run_verify(args.set_dir, results, args.jobs)
    labels = {json.loads(x)["file"]: json.loads(x)
              for x in (args.labels or args.set_dir / "labels.jsonl").read_text("utf-8").splitlines()
              if x.strip()}
    rows = {r["path"]: r for r in map(json.loads, results.read_text("utf-8").splitlines()) if r}
    missing = sorted(set(labels) - set(rows))
    print(f"documents: {len(labels)} labelled, {len(rows)} rows, {len(missing)} without a row")

    codes = sorted({c for lab in labels.values() for c in lab["expected_findings"]} | set(CLARITY))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    kind_ok: Counter[str] = Counter()
    kind_n: Counter[str] = Counter()
    date_ok: Counter[str] = Counter()
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)  # labelled kind → n, kind, date
    seal: dict[str, Counter[str]] = defaultdict(Counter)
    trap_fp: list[str] = []
    normal_n = normal_clean = 0
    errors: list[str] = []
    for path, lab in labels.items():
        row = rows.get(path)
        if row is None:
            continue
        got = {f["code"] for f in row["findings"]}
        want = set(lab["expected_findings"])
        for code in codes:
            key = "tp" if code in got and code in want else "fp" if code in got else \
                  "fn" if code in want else None
            if key:
                counts[code][key] += 1
                if key != "tp" and len(errors) < 400:
                    errors.append(f"{key.upper()} {code:18} {path} ({lab['kind']}, {lab['delivery']})")
        if "UNREADABLE" in want:
            continue
        d = lab["delivery"]
        kind_n[d] += 1
        kind_ok[d] += row["kind"] == lab["kind"]
        date_ok[d] += row["achievement_date"] == lab["achievement_date"]
        k = by_kind[lab["kind"]]
        k["n"] += 1
        k["kind"] += row["kind"] == lab["kind"]
        k["date"] += row["achievement_date"] == lab["achievement_date"]
        if (row["kind"], row["achievement_date"]) != (lab["kind"], lab["achievement_date"]) \
                and len(errors) < 400:
            errors.append(f"{'KIND' if row['kind'] != lab['kind'] else 'DATE'} "
                          f"{row['kind'] + ' ' + str(row['achievement_date']):30} {path} "
                          f"(want {lab['kind']} {lab['achievement_date']}, {lab['delivery']})")
        has, found = bool(lab["seals"]), bool(row["seals"])
        seal[d]["tp" if has and found else "fp" if found else "fn" if has else "tn"] += 1
        if lab["traps"] and not has and found:
            trap_fp.append(f"{path} traps={lab['traps']}")
        if not lab["clarity"]:
            normal_n += 1
            normal_clean += not (got & set(CLARITY))

    print(f"\n{'code':20} {'TP':>4} {'FP':>4} {'FN':>4} {'P':>6} {'R':>6} {'F1':>6}")
    f1s = []
    for code in codes:
        c = counts[code]
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        if code in CLARITY:
            f1s.append(f)
        print(f"{code:20} {c['tp']:4} {c['fp']:4} {c['fn']:4} {p:6.3f} {r:6.3f} {f:6.3f}")
    print(f"clarity macro F1: {sum(f1s) / len(f1s):.3f}")
    print(f"normal documents with no clarity finding: {normal_clean}/{normal_n}"
          f" = {normal_clean / max(normal_n, 1):.3f}")

    print(f"\n{'delivery':14} {'n':>4} {'kind acc':>9} {'date acc':>9} {'seal P':>7} {'seal R':>7}")
    tot: Counter[str] = Counter()
    for d in sorted(kind_n):
        s = seal[d]
        tot.update(s)
        p, r, _ = prf(s["tp"], s["fp"], s["fn"])
        print(f"{d:14} {kind_n[d]:4} {kind_ok[d] / kind_n[d]:9.3f} {date_ok[d] / kind_n[d]:9.3f}"
              f" {p:7.3f} {r:7.3f}")
    n = sum(kind_n.values())
    p, r, _ = prf(tot["tp"], tot["fp"], tot["fn"])
    print(f"{'all':14} {n:4} {sum(kind_ok.values()) / n:9.3f} {sum(date_ok.values()) / n:9.3f}"
          f" {p:7.3f} {r:7.3f}")
    print(f"\n{'labelled kind':16} {'n':>4} {'kind acc':>9} {'date acc':>9}")
    for kind in sorted(by_kind):
        k = by_kind[kind]
        print(f"{kind:16} {k['n']:4} {k['kind'] / k['n']:9.3f} {k['date'] / k['n']:9.3f}")
    print(f"\nseals reported on trap documents without a seal: {len(trap_fp)}")
    for t in trap_fp:
        print("  " + t)
    print("\nerrors (first 400):")
    for e in errors:
        print("  " + e)


if __name__ == "__main__":
    main()
