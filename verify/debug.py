"""Debug drawings: show what a check saw (pdfplumber's ``to_image().draw_rects()`` idea).

``verify check --debug-dir DIR`` asks each check for its candidates and draws them on the
page image with this canvas; nothing here runs unless a debug directory is given.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from .model import BBox, InputRef

if TYPE_CHECKING:
    from .pages import Page

Color = tuple[int, int, int]
RED: Color = (220, 30, 30)
GREEN: Color = (20, 170, 60)
BLUE: Color = (30, 80, 220)
ORANGE: Color = (240, 140, 0)


class PageCanvas:
    """An RGB copy of a page image to draw boxes, masks and labels on."""

    def __init__(self, image: np.ndarray) -> None:
        self.image = image.copy() if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)

    def _px(self, bbox: BBox) -> tuple[int, int, int, int]:
        h, w = self.image.shape[:2]
        return int(bbox[0] * w), int(bbox[1] * h), int(bbox[2] * w), int(bbox[3] * h)

    def draw_rect(self, bbox: BBox, color: Color = RED, label: str | None = None,
                  thickness: int = 3) -> PageCanvas:
        x0, y0, x1, y1 = self._px(bbox)
        cv2.rectangle(self.image, (x0, y0), (x1, y1), color, thickness)
        if label:
            cv2.putText(self.image, label, (x0, max(12, y0 - 6)), cv2.FONT_HERSHEY_SIMPLEX,
                        0.6, color, 2, cv2.LINE_AA)
        return self

    def draw_rects(self, bboxes: list[BBox], color: Color = RED) -> PageCanvas:
        for b in bboxes:
            self.draw_rect(b, color)
        return self

    def draw_mask(self, mask: np.ndarray, color: Color = BLUE, alpha: float = 0.45) -> PageCanvas:
        """Tint the pixels where ``mask`` is non-zero (mask may be at another resolution)."""
        h, w = self.image.shape[:2]
        if mask.shape[:2] != (h, w):
            mask = cv2.resize(mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
        sel = mask.astype(bool)
        tint = np.array(color, dtype=np.float32)
        self.image[sel] = (self.image[sel] * (1 - alpha) + tint * alpha).astype(np.uint8)
        return self

    def save(self, path: Path, max_side: int = 1600) -> Path:
        img = self.image
        h, w = img.shape[:2]
        if max(h, w) > max_side:
            f = max_side / max(h, w)
            img = cv2.resize(img, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        return path


def debug_name(ref: InputRef) -> str:
    """A flat, safe folder name for a document's debug images (its report path, slugged)."""
    slug = re.sub(r"[^\w.-]+", "_", ref.display).strip("_")
    return f"{ref.index:05d}-{slug[-120:]}"


def write_page_debug(page: Page, name: str, root: Path) -> None:
    """What the page checks saw: seal colour masks and candidates with their scores."""
    from .checks.seals import draw_seal_debug

    draw_seal_debug(page).save(root / name / f"page{page.number:03d}-seals.png")
