"""OCR engines compared: character error rate and seconds per page, clean and damaged scans.

    python -m bench.ocr_engines [--pages N] [--engines tesseract,rapidocr]

Pages are paragraphs of the Shaoxing notice (../shared/notice-2022-shaoxing.txt; a built-in
paragraph when it is absent) typeset with different CJK fonts, rendered at 300 DPI, then:
``clean`` (300 DPI), ``damaged`` (200 DPI grey, 1.5° skew, noise, JPEG q55), ``blurred``
(150 DPI, Gaussian blur), ``photo`` (perspective, uneven light). CER = Levenshtein distance
over the reference length, whitespace ignored. Each engine is created once and runs on one
core (OMP_THREAD_LIMIT=1; RapidOCR's onnxruntime with one intra-op thread) so the figures are
per worker.
"""

from __future__ import annotations

import argparse
import os
import re
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from rapidfuzz.distance import Levenshtein

from verify.text.normalize import compact
from verify.text.ocr import make_engine

NOTICE = Path(__file__).resolve().parents[2] / "shared" / "notice-2022-shaoxing.txt"
FALLBACK = ("申报人员主持完成的工程项目、科研项目、政策标准等需上传完整的电子版佐证材料，并加盖单位公章。"
            "申报材料须为聘任现专业技术职称以来取得的业绩成果，上述范围以外的申报材料请勿上传申报。") * 4
FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]


def paragraphs(n: int) -> list[str]:
    text = NOTICE.read_text(encoding="utf-8") if NOTICE.exists() else FALLBACK
    paras = [re.sub(r"\s+", "", p) for p in text.split("\n") if len(p.strip()) > 120]
    return [paras[i % len(paras)][:600] for i in range(n)]


def render(text: str, font_path: str) -> np.ndarray:
    """A4 at 300 DPI, 12 pt text, wrapped."""
    w, h = 2480, 3508
    im = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(font_path, 50)
    y = 300
    for line in textwrap.wrap(text, 38):
        draw.text((250, y), line, fill=0, font=font)
        y += 90
    return np.asarray(im)


def damage(img: np.ndarray, variant: str, rng: np.random.Generator) -> np.ndarray:
    if variant == "clean":
        return img
    if variant == "damaged":
        small = cv2.resize(img, None, fx=2 / 3, fy=2 / 3, interpolation=cv2.INTER_AREA)
        h, w = small.shape
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 1.5, 1.0)
        rot = cv2.warpAffine(small, m, (w, h), borderValue=255)
        noisy = np.clip(rot.astype(np.int16) + rng.normal(0, 12, rot.shape), 0, 255).astype(np.uint8)
        _, buf = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 55])
        return cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    if variant == "blurred":
        small = cv2.resize(img, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        return cv2.GaussianBlur(small, (0, 0), 1.1)
    if variant == "photo":
        h, w = img.shape
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        dst = np.float32([[w * 0.04, h * 0.02], [w * 0.97, 0], [w, h], [0, h * 0.97]])
        warped = cv2.warpPerspective(img, cv2.getPerspectiveTransform(src, dst), (w, h),
                                     borderValue=90)
        light = np.linspace(0.75, 1.0, w, dtype=np.float32)[None, :]
        return (warped * light).astype(np.uint8)
    raise ValueError(variant)


@dataclass
class Score:
    errors: int = 0
    chars: int = 0
    seconds: float = 0.0
    pages: int = 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=4, help="pages per variant")
    ap.add_argument("--engines", default="tesseract,rapidocr")
    ap.add_argument("--variants", default="clean,damaged,blurred,photo")
    args = ap.parse_args()
    os.environ["OMP_THREAD_LIMIT"] = "1"
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rng = np.random.default_rng(7)
    texts = paragraphs(args.pages)
    pages = {v: [damage(render(t, FONTS[i % len(FONTS)]), v, rng) for i, t in enumerate(texts)]
             for v in args.variants.split(",")}
    print(f"{'engine':10} {'variant':8} {'CER %':>6} {'s/page':>7}")
    for name in args.engines.split(","):
        engine = make_engine(name)
        engine.read(pages[next(iter(pages))][0][:400, :400])  # warm-up: model load not timed
        for variant, imgs in pages.items():
            s = Score()
            for ref, img in zip(texts, imgs, strict=True):
                t0 = time.perf_counter()
                result = engine.read(img)
                s.seconds += time.perf_counter() - t0
                got = compact("".join(sp.text for sp in result.spans))
                s.errors += Levenshtein.distance(compact(ref), got)
                s.chars += len(compact(ref))
                s.pages += 1
            print(f"{name:10} {variant:8} {100 * s.errors / s.chars:6.1f} {s.seconds / s.pages:7.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
