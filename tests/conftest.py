"""Shared test helpers: real files made on the fly (PDFs with PyMuPDF, images with Pillow)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CJK_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(CJK_FONT, size)


def star_points(cx: float, cy: float, outer: float = 70, inner: float = 28) -> list[tuple[float, float]]:
    """The ten corners of a seal's five-pointed star, one point up (a polygon to draw)."""
    return [(cx + r * np.cos(a), cy + r * np.sin(a)) for a, r in
            zip(np.linspace(-np.pi / 2, 1.5 * np.pi, 11)[:10], [outer, inner] * 5, strict=True)]


def text_image(lines: list[str], size: tuple[int, int] = (1240, 1754), font_px: int = 40,
               mode: str = "RGB") -> Image.Image:
    """A page image (A4 at 150 DPI by default) with Chinese lines drawn on it."""
    im = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(im)
    font = cjk_font(font_px)
    y = 150
    for line in lines:
        draw.text((120, y), line, fill="black", font=font)
        y += int(font_px * 1.8)
    return im


def pdf_of_pages(pages: list[list[str]]) -> bytes:
    """A born-digital PDF (real text layer, CJK font): one A4 page per list of lines."""
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page(width=595, height=842)
        page.insert_font(fontname="cjk", fontfile=CJK_FONT)
        y = 100.0
        for line in lines:
            page.insert_text((72, y), line, fontname="cjk", fontsize=14)
            y += 28
    data = doc.tobytes()
    doc.close()
    return bytes(data)


def born_digital_pdf(lines: list[str], pages: int = 1) -> bytes:
    return pdf_of_pages([lines] * pages)


def pdf_of_images(images: list[Image.Image], dpi: float = 150) -> bytes:
    """A scanned-style PDF: one JPEG per page at its physical size for ``dpi``."""
    doc = pymupdf.open()
    for im in images:
        page = doc.new_page(width=im.width / dpi * 72, height=im.height / dpi * 72)
        buf = io.BytesIO()
        im.convert("RGB").save(buf, format="JPEG", quality=85)
        page.insert_image(page.rect, stream=buf.getvalue())
    data = doc.tobytes()
    doc.close()
    return bytes(data)


def image_pdf(im: Image.Image, dpi: float = 150) -> bytes:
    return pdf_of_images([im], dpi)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "verify", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def rows_of(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never write to the user's cache (verify caches evidence by default)."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(scope="session")
def row_schema() -> dict:
    return json.loads((REPO / "verify" / "schema" / "report-row.schema.json").read_text())
