"""Evaluate the clarity measurements against the proposed profile thresholds.

Pages are rendered from real Chinese text (the 2022 Shaoxing notice) with real fonts, then
degraded the way scans and phone photos are (resolution, blur, motion, skew, contrast,
cropping, blank pages with show-through and specks). Splits differ in fonts, text half and
random seed: tune on ``dev``, report on ``holdout``. When the fixture generator's output is
given (``--fixtures DIR`` with ``labels.jsonl``) its per-page clarity codes are used instead.

    PYTHONPATH=. python bench/eval_clarity.py --split holdout --count 120
    PYTHONPATH=. python bench/eval_clarity.py --realworld /work/shared/realworld

Prints per-code precision/recall/F1, the macro F1, the false-alarm rate on normal pages, the
seconds per page of ``measure_clarity``, and (``--dump``) every measurement as JSON lines.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from verify.checks.clarity import measure_clarity
from verify.model import InputRef, Measurement, PageText, TextSpan
from verify.pages import Page, open_document

ROOT = Path(__file__).resolve().parents[1]
THRESHOLDS = ROOT / "models" / "clarity" / "profile-thresholds.json"
NOTICE = Path("/work/shared/notice-2022-shaoxing.txt")
CODES = ("BLURRY", "LOW_RESOLUTION", "SKEWED", "LOW_CONTRAST", "CROPPED", "BLANK_PAGE")

NOTO = "/usr/share/fonts/opentype/noto/"
FONTS = {
    "dev": [(NOTO + "NotoSerifCJK-Regular.ttc", 2), (NOTO + "NotoSansCJK-Regular.ttc", 2),
            ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
            ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0)],
    "holdout": [("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
                ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
                (NOTO + "NotoSerifCJK-Bold.ttc", 2), (NOTO + "NotoSansCJK-Bold.ttc", 2)],
}
SEEDS = {"dev": 1000, "holdout": 7000}
RENDER_DPI = 300
A4_PX = (2480, 3508)


# ----------------------------------------------------------------------------- rendering


def _lines(split: str) -> list[str]:
    text = NOTICE.read_text(encoding="utf-8")
    paras = [p.strip() for p in text.splitlines() if len(p.strip()) > 6]
    half = len(paras) // 2
    return paras[:half] if split == "dev" else paras[half:]


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    out, cur = [], ""
    for ch in text:
        if font.getlength(cur + ch) > width:
            out.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


def render_page(rng: np.random.Generator, split: str, layout: str, page_no: int = 1,
                total: int = 1) -> tuple[Image.Image, int]:
    """A clean A4 page at 300 DPI: a title, body paragraphs (or a sparse certificate), footer."""
    img = Image.new("L", A4_PX, 255)
    draw = ImageDraw.Draw(img)
    path, index = FONTS[split][int(rng.integers(len(FONTS[split])))]
    pt = float(rng.choice([10.5, 12.0, 14.0])) if layout == "dense" else float(rng.uniform(16, 24))
    px = round(pt * RENDER_DPI / 72)
    body = ImageFont.truetype(path, px, index=index)
    head = ImageFont.truetype(path, round(px * 1.6), index=index)
    margin = int(rng.uniform(0.09, 0.14) * A4_PX[0])
    y = int(rng.uniform(0.07, 0.11) * A4_PX[1])
    paras = _lines(split)
    start = int(rng.integers(len(paras)))
    title = "关于做好职称评审工作的通知" if layout == "dense" else "荣 誉 证 书"
    tw = head.getlength(title)
    draw.text(((A4_PX[0] - tw) / 2, y), title, font=head, fill=0)
    y += int(px * 3)
    width = A4_PX[0] - 2 * margin
    bottom = A4_PX[1] - int(0.1 * A4_PX[1])
    if layout == "dense":
        i = start
        while y < bottom - px * 2:
            for line in _wrap("　　" + paras[i % len(paras)], body, width):
                if y >= bottom - px * 2:
                    break
                draw.text((margin, y), line, font=body, fill=0)
                y += int(px * 1.6)
            i += 1
    else:
        y += int(0.1 * A4_PX[1])
        for line in _wrap(paras[start % len(paras)][:60], body, width)[:4]:
            draw.text((margin, y), line, font=body, fill=0)
            y += int(px * 2)
        y += int(0.08 * A4_PX[1])
        draw.text((A4_PX[0] - margin - body.getlength("二〇二二年五月"), y), "二〇二二年五月",
                  font=body, fill=0)
    footer = f"第 {page_no} 页 共 {total} 页"
    small = ImageFont.truetype(path, round(9 * RENDER_DPI / 72), index=index)
    draw.text(((A4_PX[0] - small.getlength(footer)) / 2, A4_PX[1] - int(0.06 * A4_PX[1])),
              footer, font=small, fill=0)
    return img, px


# ----------------------------------------------------------------------------- degrading


def _resample(img: np.ndarray, dpi: float) -> np.ndarray:
    f = dpi / RENDER_DPI
    h, w = img.shape[:2]
    size = (max(8, round(w * f)), max(8, round(h * f)))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


def _rotate(img: np.ndarray, deg: float, fill: int = 255) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), deg, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=fill)


def _motion(img: np.ndarray, length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1.0
    k = _rotate(k, angle, 0).astype(np.float32)
    k /= max(k.sum(), 1e-6)
    return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REPLICATE)


def _tone(img: np.ndarray, paper: float, ink: float) -> np.ndarray:
    """Map 255 → paper level, 0 → ink level."""
    f = img.astype(np.float32) / 255.0
    return np.clip(ink + f * (paper - ink), 0, 255).astype(np.uint8)


def _noise(rng: np.random.Generator, img: np.ndarray, sd: float) -> np.ndarray:
    return np.clip(img.astype(np.float32) + rng.normal(0, sd, img.shape), 0, 255).astype(np.uint8)


def _specks(rng: np.random.Generator, img: np.ndarray, n: int) -> np.ndarray:
    out = img.copy()
    h, w = out.shape[:2]
    for _ in range(n):
        cv2.circle(out, (int(rng.integers(w)), int(rng.integers(h))), int(rng.integers(1, 3)),
                   int(rng.integers(40, 160)), -1)
    return out


def _show_through(rng: np.random.Generator, split: str, paper: np.ndarray,
                  depth: float) -> np.ndarray:
    back = np.asarray(render_page(rng, split, "dense")[0], dtype=np.float32)[:, ::-1]
    back = cv2.GaussianBlur(back, (0, 0), 3)
    return np.clip(paper.astype(np.float32) - depth * (1 - back / 255.0), 0, 255).astype(np.uint8)


def _photo(rng: np.random.Generator, page: np.ndarray) -> np.ndarray:
    """The page lying on a desk, photographed at an angle, with uneven light."""
    h, w = page.shape[:2]
    scale = float(rng.uniform(0.55, 0.8))
    W, H = int(w * 1.25), int(h * 1.2)
    desk = np.full((H, W), int(rng.integers(40, 110)), np.uint8)
    desk = _noise(rng, desk, 6)
    pw, ph = w * scale, h * scale
    cx, cy = W / 2 + rng.uniform(-0.05, 0.05) * W, H / 2 + rng.uniform(-0.04, 0.04) * H
    corners = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    jitter = rng.uniform(-0.05, 0.05, (4, 2)) * np.array([pw, ph])
    t = math.radians(float(rng.uniform(-2, 2)))  # a tilted sheet (≥ 4°) is SKEWED, as in fixtures
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    dst = (corners + jitter) @ rot.T + np.array([cx, cy])
    src = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(page, m, (W, H), flags=cv2.INTER_AREA, borderValue=0)
    inside = cv2.warpPerspective(np.full_like(page, 255), m, (W, H), borderValue=0) > 128
    out = np.where(inside, warped, desk)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    slope = float(rng.uniform(0.1, 0.3))
    light = 1.0 - slope * (xx / W * rng.uniform(0.3, 1) + yy / H * rng.uniform(0.3, 1)) / 2
    out = np.clip(out.astype(np.float32) * light, 0, 255).astype(np.uint8)
    return cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.3, 0.8)))


@dataclass(frozen=True)
class Sample:
    name: str
    codes: frozenset[str]
    delivery: str  # "scan" | "photo"
    data: bytes  # JPEG


def make_sample(rng: np.random.Generator, split: str, idx: int) -> Sample:
    """One page with zero or one clarity defect (the label), mostly normal."""
    kind = str(rng.choice(
        ["normal_scan", "normal_scan", "normal_photo", "BLURRY", "LOW_RESOLUTION", "SKEWED",
         "LOW_CONTRAST", "CROPPED", "BLANK_PAGE"],
    ))
    layout = "sparse" if rng.random() < 0.25 else "dense"
    em = 50  # body text size (px at 300 DPI) of a blank page: unused
    if kind == "BLANK_PAGE":
        clean = np.full((A4_PX[1], A4_PX[0]), 255, np.uint8)
        if rng.random() < 0.6:
            clean = _show_through(rng, split, clean, float(rng.uniform(8, 20)))
    else:
        page_img, em = render_page(rng, split, layout)
        clean = np.asarray(page_img, dtype=np.uint8)
    dpi = float(rng.choice([150, 200, 300]))
    paper = float(rng.uniform(225, 250))
    ink = float(rng.uniform(10, 50))
    img = clean
    photo = kind == "normal_photo" or (kind in ("BLURRY", "LOW_CONTRAST") and rng.random() < 0.3)
    delivery = "photo" if photo else "scan"
    detail = ""
    if kind == "normal_scan" or kind == "normal_photo":
        img = _rotate(img, float(rng.uniform(-1.2, 1.2)))
        # Normal: at most σ = 0.03 em of blur (a sharp scan's optics, a steady phone).
        img = cv2.GaussianBlur(img, (0, 0), float(rng.uniform(0.005, 0.03)) * em)
    elif kind == "BLURRY":
        # Blurry: σ ≥ 0.09 em (soft) up to 0.3 em (unreadable); motion: a box of L ≈ σ√12.
        if rng.random() < 0.6:
            sigma = float(rng.uniform(0.09, 0.3)) * em
            img = cv2.GaussianBlur(img, (0, 0), sigma)
            detail = f"defocus σ={sigma / em:.2f}em"
        else:
            length = int(rng.uniform(0.3, 1.0) * em)
            img = _motion(img, max(3, length), float(rng.uniform(0, 180)))
            detail = f"motion L={length / em:.2f}em"
    elif kind == "LOW_RESOLUTION":
        dpi = float(rng.uniform(55, 90)) if layout == "dense" else float(rng.uniform(40, 55))
        detail = f"{dpi:.0f}dpi"
    elif kind == "SKEWED":
        deg = float(rng.uniform(4, 12)) * float(rng.choice([-1, 1]))
        img = _rotate(img, deg)
        detail = f"{deg:.1f}°"
    elif kind == "LOW_CONTRAST":
        mode = str(rng.choice(["faint", "dark", "washed"]))
        if mode == "faint":
            paper, ink = float(rng.uniform(235, 250)), float(rng.uniform(175, 205))
        elif mode == "dark":
            paper, ink = float(rng.uniform(55, 95)), float(rng.uniform(5, 25))
        else:
            paper, ink = float(rng.uniform(200, 225)), float(rng.uniform(140, 170))
        detail = f"{mode} paper={paper:.0f} ink={ink:.0f}"
    elif kind == "CROPPED":
        h, w = img.shape[:2]
        side = str(rng.choice(["left", "right", "top", "bottom"]))
        # The cut runs through content: a row/column that crosses ink, within 30% of the edge.
        ink_rows = np.nonzero((img < 128).any(axis=1))[0]
        ink_cols = np.nonzero((img < 128).any(axis=0))[0]
        if side in ("top", "bottom"):
            band = ink_rows[ink_rows < 0.3 * h] if side == "top" else ink_rows[ink_rows > 0.7 * h]
            band = band if band.size else ink_rows
            at = int(rng.choice(band))
            img = img[at:] if side == "top" else img[:at]
        else:
            band = ink_cols[ink_cols < 0.3 * w] if side == "left" else ink_cols[ink_cols > 0.7 * w]
            band = band if band.size else ink_cols
            at = int(rng.choice(band))
            img = img[:, at:] if side == "left" else img[:, :at]
        detail = f"{side} at {at}px@300"
    img = _tone(img, paper, ink)
    if kind == "BLANK_PAGE" and rng.random() < 0.7:
        img = _specks(rng, img, int(rng.integers(5, 60)))
    if delivery == "photo":
        img = _photo(rng, img)
        dpi = float(rng.choice([200, 250, 300]))  # the photo's pixel density over the page
    img = _resample(img, dpi)
    img = _noise(rng, img, float(rng.uniform(1, 4)))
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=int(rng.integers(55, 92)))
    codes = frozenset() if kind.startswith("normal") else frozenset({kind})
    name = f"{split}-{idx:03d}-{kind}-{layout}-{delivery}-{int(dpi)}dpi {detail}".strip()
    return Sample(name, codes, delivery, buf.getvalue())


def synthetic(split: str, count: int) -> Iterator[Sample]:
    rng = np.random.default_rng(SEEDS[split])
    for i in range(count):
        yield make_sample(rng, split, i)


# ----------------------------------------------------------------------------- evaluation


Row = tuple[str, frozenset[str], dict[str, float], dict[str, str], float]


def findings(measures: dict[str, float], thresholds: dict[str, dict]) -> dict[str, str]:
    """code → severity, exactly as the profile's rule would apply the thresholds."""
    out: dict[str, str] = {}
    for code, rule in thresholds.items():
        if code.startswith("_"):
            continue
        v = measures.get(rule["measure"])
        if v is None:
            continue
        for sev in ("major", "minor"):
            if "below" in rule and sev in rule["below"] and v < rule["below"][sev]:
                out[code] = sev
                break
            if "above" in rule and sev in rule["above"] and v > rule["above"][sev]:
                out[code] = sev
                break
    return out


def measure_file(path: Path) -> tuple[dict[str, float], float]:
    ref = InputRef(path.name, path, PurePosixPath(str(path.resolve())))
    doc = open_document(ref)
    page = doc.page(0)
    t0 = time.process_time()  # CPU seconds: the shared machine's load does not count
    ms: tuple[Measurement, ...] = measure_clarity(page)
    dt = time.process_time() - t0
    doc.close()
    return {m.name: m.value for m in ms}, dt


def labelled_documents(root: Path) -> Iterator[tuple[dict, InputRef]]:
    """The fixture generator's documents of ``root`` (its ``labels.jsonl``), each label with a
    reference to open it; documents without pages (unreadable fixtures) are left out."""
    for line in (root / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        lab = json.loads(line)
        if not lab.get("pages"):
            continue
        path = root / lab["file"]
        yield lab, InputRef(lab["file"], path, PurePosixPath(str(path.resolve())))


def codes_by_page(lab: dict) -> dict[int, set[str]]:
    """A labelled document's clarity codes by page number."""
    codes: dict[int, set[str]] = {}
    for c in lab["clarity"]:
        codes.setdefault(c["page"], set()).add(c["code"])
    return codes


def fixture_rows(root: Path, thresholds: dict[str, dict]) -> list[Row]:
    """Every page of the fixture generator's documents, with its labelled clarity codes."""
    rows: list[Row] = []
    for lab, ref in labelled_documents(root):
        truth = codes_by_page(lab)
        doc = open_document(ref)
        try:
            for i in range(doc.page_count):
                page = doc.page(i)
                t0 = time.process_time()
                ms = measure_clarity(page)
                dt = time.process_time() - t0
                m = {x.name: x.value for x in ms}
                degree = {c["code"]: c["degree"] for c in lab["clarity"] if c["page"] == i + 1}
                name = f"{lab['file']} p{i + 1} {lab['delivery']} {page.origin} {degree}"
                rows.append((name, frozenset(truth.get(i + 1, set())), m,
                             findings(m, thresholds), dt))
        finally:
            doc.close()
    return rows


FOOTER_CROP = 0.14  # bottom share of the page OCR'd for the footer (fixture footers sit at ~95%)


def _footer_box(band: np.ndarray) -> tuple[float, float, float, float] | None:
    """The ink of the footer band (central 80 %: scanner edges are not text), as page
    fractions, padded; None if the band is empty."""
    g = cv2.cvtColor(band, cv2.COLOR_RGB2GRAY) if band.ndim == 3 else band
    h, w = g.shape
    x_lo, x_hi = int(0.1 * w), int(0.9 * w)
    inner = g[:, x_lo:x_hi]
    ink = inner < min(160, int(np.median(inner)) - 40)
    ys, xs = np.nonzero(ink)
    if xs.size < 10:
        return None
    pad = max(4, int(0.01 * w))
    x0, x1 = max(0, xs.min() + x_lo - pad), min(w, xs.max() + x_lo + pad)
    y0, y1 = max(0, ys.min() - pad), min(h, ys.max() + pad)
    top = 1.0 - FOOTER_CROP
    return (x0 / w, top + y0 / h * FOOTER_CROP, x1 / w, top + y1 / h * FOOTER_CROP)


def pagination_eval(root: Path) -> None:
    """PAGES_MISSING per document: labels from the text layer, or Tesseract on footer crops.

    Only documents of two or more pages, or with a footer (a single page can still say
    ``第 2 页 共 3 页``), are read; Tesseract runs on the footer band only (small and fast).
    """
    from verify.checks.pagination import find_page_label, pages_gap
    from verify.text.ocr import TesseractEngine
    from verify.text.read import text_from_layer

    line_engine = TesseractEngine(lang="chi_sim", psm=7)  # one line; chi_sim read "- 3 -" best
    tp = fp = fn = tn = 0
    ocr_pages = 0
    t0 = time.perf_counter()
    for lab, ref in labelled_documents(root):
        if lab["pages"] < 2 and not lab["pages_missing"]:
            continue
        doc = open_document(ref)
        labels = []
        for i in range(doc.page_count):
            page = doc.page(i)
            if page.origin == "born_digital":
                text = text_from_layer(page)
            else:
                box = _footer_box(page.crop((0.0, 1.0 - FOOTER_CROP, 1.0, 1.0)))
                spans: tuple[TextSpan, ...] = ()
                if box is not None:
                    x0, y0, x1, y1 = box
                    crop = page.crop(box)
                    # 9 pt footers are ~15 px high at 150 DPI; Tesseract wants ~30 px
                    f = max(1.0, 300 / page.dpi)
                    crop = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
                    crop = cv2.copyMakeBorder(crop, 20, 20, 20, 20, cv2.BORDER_REPLICATE)
                    res = line_engine.read(crop)
                    ocr_pages += 1
                    spans = tuple(TextSpan(sp.text, (x0, y0, x1, y1)) for sp in res.spans)
                text = PageText("\n".join(sp.text for sp in spans), spans, source="ocr")
            labels.append(find_page_label(text))
        doc.close()
        gap = pages_gap(labels, len(labels))
        found = gap is not None and gap.problem
        truth = bool(lab["pages_missing"])
        tp += truth and found
        fp += found and not truth
        fn += truth and not found
        tn += not truth and not found
        if found != truth or truth:
            got = [None if x is None else (x.number, x.total) for x in labels]
            print(f"{'  ' if found == truth else 'XX'} {lab['file']} {lab['delivery']} "
                  f"truth={truth} cover_missing={lab['cover_missing']} labels={got} "
                  f"gap={gap.describe_zh() if gap else None}")
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"PAGES_MISSING documents: n={tp + fn} P={p:.3f} R={r:.3f} F1={f1:.3f} "
          f"(false alarms {fp}/{fp + tn}); footer crops OCR'd: {ocr_pages}, "
          f"{time.perf_counter() - t0:.0f} s")


def text_margin_mm(page: Page) -> float | None:
    """Distance (mm, page taken as A4) from the nearest text line to an open image side: the
    quantity ``PRINT_MARGIN_MM`` (verify.checks.clarity) cuts. Mirrors measure_clarity's
    page region, analysis image and text lines."""
    from dataclasses import replace

    from verify.checks import clarity as clar

    img = page.image
    gray = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
    h, w = gray.shape
    fa = min(1.0, clar.ANALYSIS_LONG_SIDE / max(h, w))
    coarse = gray if fa == 1.0 else cv2.resize(
        gray, (round(w * fa), round(h * fa)), interpolation=cv2.INTER_AREA)
    region = clar.find_page_region(coarse)
    if region.quad is None:
        analysis = coarse
    else:
        region = replace(region, quad=region.quad / fa)
        analysis, _ = clar._analysis_image(gray, region)
    ink = clar.find_ink(analysis)
    height = clar.text_height(ink.stats)
    if height is None or not region.open_sides:
        return None
    found = clar.skew_search(ink.mask)
    vertical = found is not None and found[1]
    dark = ink.dark.T if vertical else ink.dark
    lines = clar.text_lines(dark, ink.strong, height)
    if not len(lines):
        return None
    ah, aw = dark.shape
    mm = min(clar.A4_SHORT_INCH * 25.4 / min(ah, aw), clar.A4_LONG_INCH * 25.4 / max(ah, aw))
    x, y, lw, lh = lines[:, 0], lines[:, 1], lines[:, 2], lines[:, 3]
    gaps = {"top": y, "bottom": ah - (y + lh), "left": x, "right": aw - (x + lw)}
    sides = {clar._TRANSPOSED[s] for s in region.open_sides} if vertical else region.open_sides
    return min(float(gaps[s].min()) * mm for s in sides)


def margins_eval(root: Path) -> None:
    """Nearest text-line margin (mm) of every image page: CROPPED pages vs normal ones."""
    cropped, normal = [], []
    for lab, ref in labelled_documents(root):
        codes = codes_by_page(lab)
        doc = open_document(ref)
        try:
            for i in range(doc.page_count):
                page = doc.page(i)
                if page.origin != "image":
                    continue
                mm = text_margin_mm(page)
                if mm is None:
                    continue
                name = f"{lab['file']} p{i + 1} {lab['delivery']}"
                if "CROPPED" in codes.get(i + 1, set()):
                    cropped.append((mm, name))
                elif not codes.get(i + 1):
                    normal.append((mm, name))
        finally:
            doc.close()
    for mm, name in sorted(cropped):
        print(f"CROPPED {mm:6.1f} mm  {name}")
    for mm, name in sorted(normal)[:5]:
        print(f"normal  {mm:6.1f} mm  {name}")
    print(f"{len(cropped)} cropped pages, {len(normal)} normal image pages; normal minimum "
          f"{min(normal)[0] if normal else float('nan'):.1f} mm")


def pipeline_pagination_eval(root: Path, all_documents: bool = False) -> None:
    """PAGES_MISSING from the pipeline's own page labels (``check_document``: full pages and
    the page plan's strips), without (A) and with (B) its footer re-read
    (``Worker.footer_reread``), per image document of 2–6 pages that is a project cover, a
    publication or labelled pages_missing (``all_documents``: every image document of two or
    more pages). Times the re-read's two parts: cutting the footer lines (every image page of
    such a document, upright and turned over) and the one-line OCR (pages whose label was missing or bare)."""
    import verify.pipeline as pipeline
    from verify.checks.pagination import pages_gap
    from verify.options import Options

    cut_s: list[float] = []
    ocr_s: list[float] = []
    cut, read = pipeline.footer_lines, pipeline.read_footer_line

    def timed_cut(page: Page) -> object:
        t0 = time.process_time()  # CPU: the reader thread's Tesseract runs meanwhile
        try:
            return cut(page)
        finally:
            cut_s.append(time.process_time() - t0)

    def timed_read(*args: Any) -> object:
        t0 = time.perf_counter()  # wall: Tesseract is a subprocess
        try:
            return read(*args)
        finally:
            ocr_s.append(time.perf_counter() - t0)

    pipeline.footer_lines = timed_cut  # type: ignore[assignment]
    pipeline.read_footer_line = timed_read  # type: ignore[assignment]
    workers = {}
    for key, on in (("A", False), ("B", True)):
        workers[key] = pipeline.Worker(Options(paths=(root,), jobs=1, reread_ocr="none"))
        workers[key].footer_reread = on
    counts = {"A": [0, 0, 0, 0], "B": [0, 0, 0, 0]}  # tp fp fn tn
    image_pages = 0
    for lab, ref in labelled_documents(root):
        if lab["pages"] < 2 or lab["delivery"] == "born_digital":
            continue
        if not all_documents and not (lab["pages"] <= 6 and (
                lab["pages_missing"] or lab["kind"] in ("project_cover", "paper_published"))):
            continue
        truth = bool(lab["pages_missing"])
        marks, got = [], []
        for key, worker in workers.items():
            ev = pipeline.check_document(ref, worker)
            if key == "B":
                image_pages += sum(p.origin == "image" for p in ev.pages)
            labels = [p.label for p in ev.pages]
            gap = pages_gap(labels, len(labels))
            found = gap is not None and gap.problem
            c = counts[key]
            c[0] += truth and found
            c[1] += found and not truth
            c[2] += truth and not found
            c[3] += not truth and not found
            marks.append(("  " if found == truth else "XX") + key)
            got.append([None if x is None else (x.number, x.total) for x in labels])
        print(f"{' '.join(marks)} {lab['file']} {lab['delivery']} truth={truth} A={got[0]} "
              f"B={got[1]}")
    for key, (tp, fp, fn, tn) in counts.items():
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        print(f"{key}: PAGES_MISSING n={tp + fn} P={p:.3f} R={r:.3f} F1={f1:.3f} "
              f"false alarms {fp}/{fp + tn}")
    if cut_s:
        cut_s.sort()
        print(f"footer line cut: {len(cut_s)} image pages, CPU ms median "
              f"{1000 * cut_s[len(cut_s) // 2]:.1f}, max {1000 * cut_s[-1]:.1f}")
    if ocr_s:
        ocr_s.sort()
        print(f"footer re-read OCR: {len(ocr_s)} calls on {image_pages} image pages, wall ms "
              f"median {1000 * ocr_s[len(ocr_s) // 2]:.0f}, max {1000 * ocr_s[-1]:.0f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--split", default="holdout", choices=["dev", "holdout"])
    ap.add_argument("--count", type=int, default=120)
    ap.add_argument("--realworld", type=Path)
    ap.add_argument("--fixtures", type=Path, help="a fixture generator output directory")
    ap.add_argument("--pagination", action="store_true",
                    help="with --fixtures: evaluate PAGES_MISSING instead of clarity")
    ap.add_argument("--pipeline-pagination", action="store_true",
                    help="with --fixtures: PAGES_MISSING from the pipeline's labels, without "
                         "and with the footer re-read (slow: real OCR)")
    ap.add_argument("--all-documents", action="store_true",
                    help="with --pipeline-pagination: every image document of 2+ pages")
    ap.add_argument("--margins", action="store_true",
                    help="with --fixtures: nearest text-line margin (mm) of CROPPED vs normal pages")
    ap.add_argument("--thresholds", type=Path, default=THRESHOLDS)
    ap.add_argument("--dump", type=Path, help="write every page's measurements as JSON lines")
    ap.add_argument("--verbose", action="store_true", help="print every page's row")
    args = ap.parse_args(argv)
    thresholds = json.loads(args.thresholds.read_text(encoding="utf-8"))
    rows: list[Row] = []
    if args.fixtures and args.pagination:
        pagination_eval(args.fixtures)
        return 0
    if args.fixtures and args.pipeline_pagination:
        pipeline_pagination_eval(args.fixtures, args.all_documents)
        return 0
    if args.fixtures and args.margins:
        margins_eval(args.fixtures)
        return 0
    if args.fixtures:
        rows = fixture_rows(args.fixtures, thresholds)
    elif args.realworld:
        for p in sorted(args.realworld.glob("*.jpg")):
            m, dt = measure_file(p)
            rows.append((p.name, frozenset(), m, findings(m, thresholds), dt))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            for s in synthetic(args.split, args.count):
                p = Path(tmp) / "page.jpg"
                p.write_bytes(s.data)
                m, dt = measure_file(p)
                rows.append((s.name, s.codes, m, findings(m, thresholds), dt))
    dump = args.dump.open("w", encoding="utf-8") if args.dump else None
    for name, truth, m, got, _dt in rows:
        if dump:
            dump.write(json.dumps({"name": name, "truth": sorted(truth), "measures": m,
                                   "found": got}, ensure_ascii=False) + "\n")
        if args.verbose or args.realworld or set(got) != set(truth):
            mark = "  " if set(got) == set(truth) else "XX"
            short = " ".join(f"{k}={v:g}" for k, v in m.items())
            print(f"{mark} {name}\n     truth={sorted(truth)} found={got}\n     {short}")
    if dump:
        dump.close()
    print()
    f1s = []
    if not args.realworld:
        print(f"{'code':16} {'n':>4} {'P':>6} {'R':>6} {'F1':>6}")
        for code in CODES:
            tp = sum(1 for _, t, _, g, _ in rows if code in t and code in g)
            fp = sum(1 for _, t, _, g, _ in rows if code not in t and code in g)
            fn = sum(1 for _, t, _, g, _ in rows if code in t and code not in g)
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            f1s.append(f1)
            print(f"{code:16} {tp + fn:4d} {p:6.3f} {r:6.3f} {f1:6.3f}")
        print(f"macro F1 over {len(CODES)} codes: {sum(f1s) / len(f1s):.3f}")
    normal = [(n, g) for n, t, _, g, _ in rows if not t]
    alarms = [n for n, g in normal if g]
    print(f"normal pages with any clarity finding: {len(alarms)}/{len(normal)} "
          f"({100 * len(alarms) / max(1, len(normal)):.1f}%)")
    times = sorted(dt for *_, dt in rows)
    print(f"measure_clarity CPU seconds/page: median {times[len(times) // 2]:.3f}, "
          f"max {times[-1]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
