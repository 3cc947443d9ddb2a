"""Pages: one abstraction over PDF pages and image files.

``open_document`` gives a ``SourceDocument`` whose pages are rendered lazily, one at a time,
at a bounded pixel count, so neither a 2000-page PDF nor a 30000×30000 PNG can exhaust
memory. A ``Page`` is an immutable view: the upright image at the working resolution, the
scale that maps it to the printed page, the effective DPI of the scan it came from, and the
PDF text layer when there is one.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

import cv2
import numpy as np
import pymupdf
from PIL import Image, ImageOps
from pillow_heif import register_heif_opener

from .exceptions import UnreadableDocument
from .ingest import (
    IMAGE_TYPES,
    FileType,
    read_bytes,
    require_regular_file,
    sniff,
    zipped_document_type,
)
from .model import BBox, InputRef, TextSpan

log = logging.getLogger(__name__)

A4_LONG_INCH = 297 / 25.4
WORK_DPI = 200.0  # rendering resolution for the checks; scans are never upsampled
# A born-digital page is never OCR'd: its text comes from the layer, so the checks (seals,
# clarity, fingerprint) need only enough pixels to see a seal's ring and characters. Seals and
# clarity cost ~0.13 s per page at 200 DPI and a third of that at 120.
BORN_DIGITAL_DPI = 120.0
SCAN_DPI = 300.0  # a scanned page is rendered at its own resolution up to this (full OCR)
EMPTY_PAGE_DPI = 50.0  # a PDF page that draws nothing: enough to show it blank
MAX_WORK_PIXELS = 3500 * 3500  # cap per page at the working resolution
LARGE_IMAGE_PIXELS = 40_000_000  # above this an image is decoded reduced, streaming (libvips)
MAX_IMAGE_PIXELS = 2_000_000_000  # above this it is reported unreadable
MIN_TEXT_LAYER_CHARS = 8  # fewer real characters than this and the page is treated as image


def _stated_dpi(im: Image.Image) -> float | None:
    """The resolution an image file states (PNG pHYs, TIFF, BMP, JFIF), if a usable one."""
    dpi = im.info.get("dpi")
    try:
        value = float(dpi[0]) if isinstance(dpi, tuple) else None
    except (TypeError, ValueError):
        return None
    # Pillow reads a TIFF without a resolution as 1 DPI: under 10 is no resolution at all.
    return value if value is not None and 10.0 <= value <= 10000.0 else None


@dataclass(frozen=True)
class Page:
    """One page, upright, at the working resolution.

    ``image`` is RGB uint8 (H, W, 3). ``dpi`` is pixels per inch of the printed page at this
    rendering; ``effective_dpi`` the resolution of the underlying scan (None for a page drawn
    only from vectors and text).
    """

    number: int
    image: np.ndarray
    dpi: float
    width_pt: float
    height_pt: float
    effective_dpi: float | None
    origin: str  # "born_digital" | "image"
    text_layer: tuple[TextSpan, ...] = ()
    rotation: int = 0
    # An image file's own resolution tag (None: none, or not an image file). Not trusted for
    # the page's size (phones write 72), but kept for clarity (``measure_clarity``).
    stated_dpi: float | None = None

    @property
    def size_px(self) -> tuple[int, int]:
        h, w = self.image.shape[:2]
        return w, h

    def crop(self, bbox: BBox) -> np.ndarray:
        """Pixels inside ``bbox`` (page fractions)."""
        w, h = self.size_px
        x0, y0, x1, y1 = bbox
        return self.image[int(y0 * h) : max(int(y1 * h), int(y0 * h) + 1),
                          int(x0 * w) : max(int(x1 * w), int(x0 * w) + 1)]

    def rotated(self, degrees_cw: int) -> Page:
        """The same page turned clockwise by 90/180/270 degrees (to read it upright)."""
        k = (degrees_cw // 90) % 4
        if k == 0:
            return self
        img = np.ascontiguousarray(np.rot90(self.image, -k))
        w, h = (self.height_pt, self.width_pt) if k % 2 else (self.width_pt, self.height_pt)
        return replace(self, image=img, width_pt=w, height_pt=h, text_layer=(),
                       rotation=(self.rotation + degrees_cw) % 360)


class SourceDocument(Protocol):
    page_count: int
    file_type: FileType

    def page(self, index: int, dpi: float = WORK_DPI, max_scan_dpi: float = SCAN_DPI) -> Page: ...

    def close(self) -> None: ...


def _scale_for(width_pt: float, height_pt: float, dpi: float, max_pixels: int) -> float:
    """Pixels per point for rendering at ``dpi`` without exceeding ``max_pixels``."""
    scale = dpi / 72.0
    pixels = width_pt * height_pt * scale * scale
    if pixels > max_pixels:
        scale *= (max_pixels / pixels) ** 0.5
    return scale


def _real_text(text: str) -> int:
    """How many characters of ``text`` are plausible document text (not garbage glyphs)."""
    return sum(
        1
        for ch in text
        if ch.isalnum() and not (0xE000 <= ord(ch) <= 0xF8FF) and ch != "\ufffd"
    )


_REDUCED_READS = ((8, cv2.IMREAD_REDUCED_GRAYSCALE_8, cv2.IMREAD_REDUCED_COLOR_8),
                  (4, cv2.IMREAD_REDUCED_GRAYSCALE_4, cv2.IMREAD_REDUCED_COLOR_4),
                  (2, cv2.IMREAD_REDUCED_GRAYSCALE_2, cv2.IMREAD_REDUCED_COLOR_2),
                  (1, cv2.IMREAD_GRAYSCALE, cv2.IMREAD_COLOR))


def _scan_image(p: pymupdf.Page, infos: list[dict[str, Any]], scale: float) -> np.ndarray | None:
    """A scanned page that is one upright full-page JPEG and nothing else, decoded by OpenCV
    (libjpeg-turbo) at the size MuPDF would render it; None for any other page, which MuPDF
    renders. MuPDF decoded a 300-DPI A4 scan in 110 ms, OpenCV in 23 ms (same pixels); at
    200 DPI, decoding grey and reducing before the colour copy, 81 against ~35 ms — most of a
    30-page scan's rendering. A JPEG at least twice the size needed is decoded reduced
    (libjpeg's DCT scaling). ``infos``: the page's ``get_image_info()``, asked without
    ``xrefs`` (with them PyMuPDF decodes every image to hash it); the one image drawn is then
    the page's one image resource."""
    if p.rotation or p.first_annot is not None:
        return None
    images = p.get_images(full=True)
    if len(infos) != 1 or len(images) != 1:
        return None
    info, entry = infos[0], images[0]
    a, b, c, d = info["transform"][:4]
    rect, xref = p.rect, entry[0]
    if b or c or a <= 0 or d <= 0 or (info["width"], info["height"]) != (entry[2], entry[3]) or max(
            abs(u - v) for u, v in zip(info["bbox"], (rect.x0, rect.y0, rect.x1, rect.y1), strict=True)) > 1.0:
        return None  # turned, flipped, inline, or not covering the page
    doc = p.parent
    if (entry[1] != 0 or entry[8] != "DCTDecode"
            or doc.xref_get_key(xref, "Decode")[0] != "null" or p.get_cdrawings()):
        return None  # a soft mask, another codec, inverted samples, or marks drawn over it
    raw = doc.extract_image(xref)
    if raw.get("ext") != "jpeg" or raw.get("colorspace") not in (1, 3):
        return None  # CMYK and the like: MuPDF converts them
    out = (rect * pymupdf.Matrix(scale, scale)).irect
    factor, grey_flag, colour_flag = next(
        (r for r in _REDUCED_READS if raw["width"] // r[0] >= out.width), _REDUCED_READS[-1])
    grey = raw["colorspace"] == 1
    img = cv2.imdecode(np.frombuffer(raw["image"], np.uint8),
                       (grey_flag if grey else colour_flag) | cv2.IMREAD_IGNORE_ORIENTATION)
    if img is None:
        return None
    if (img.shape[1], img.shape[0]) != (out.width, out.height):
        shrink = out.width < img.shape[1]
        img = cv2.resize(img, (out.width, out.height),
                         interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
    log.debug("page %d: JPEG decoded by OpenCV (reduced %d×)", p.number + 1, factor)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB if grey else cv2.COLOR_BGR2RGB)


class PdfDocument:
    file_type = FileType.pdf

    def __init__(self, doc: pymupdf.Document) -> None:
        self._doc = doc
        self.page_count = doc.page_count

    def page(self, index: int, dpi: float = WORK_DPI, max_scan_dpi: float = SCAN_DPI) -> Page:
        p = self._doc.load_page(index)
        rect = p.rect
        spans = self._text_layer(p)
        has_layer = _real_text("".join(s.text for s in spans)) >= MIN_TEXT_LAYER_CHARS
        infos = p.get_image_info()
        effective = self._effective_dpi(infos, rect)
        # A scan is rendered at its own resolution (capped); never upsample a scan.
        if has_layer:
            dpi = min(dpi, BORN_DIGITAL_DPI)
        elif not infos and not p.read_contents().strip():
            # Nothing is drawn on the page (a blank separator page a PDF tool inserted): there is
            # nothing to read, and rendering it at the working resolution for every check cost
            # 0.12 s a page (a 3000-page blank PDF ran for minutes).
            dpi = max_scan_dpi = EMPTY_PAGE_DPI
        target = min(dpi if has_layer or effective is None else max(dpi, effective), max_scan_dpi)
        if effective is not None and not has_layer:
            target = min(target, effective)
        scale = _scale_for(rect.width, rect.height, target, MAX_WORK_PIXELS)
        img = None if spans or effective is None else _scan_image(p, infos, scale)
        if img is None:
            pix = p.get_pixmap(matrix=pymupdf.Matrix(scale, scale), colorspace=pymupdf.csRGB,
                               alpha=False)
            img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3).copy()
        return Page(
            number=index + 1,
            image=img,
            dpi=scale * 72.0,
            width_pt=rect.width,
            height_pt=rect.height,
            effective_dpi=effective,
            origin="born_digital" if has_layer else "image",
            text_layer=spans if has_layer else (),
        )

    @staticmethod
    def _text_layer(p: pymupdf.Page) -> tuple[TextSpan, ...]:
        w, h = p.rect.width, p.rect.height
        out: list[TextSpan] = []
        # Invisible OCR layers (render mode 3) are text too: an OCRmyPDF'd scan reads as text.
        for block in p.get_text("dict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE)["blocks"]:
            for line in block.get("lines", ()):
                text = "".join(s["text"] for s in line["spans"])
                if not text.strip():
                    continue
                x0, y0, x1, y1 = line["bbox"]
                out.append(TextSpan(text, (x0 / w, y0 / h, x1 / w, y1 / h)))
        return tuple(out)

    @staticmethod
    def _effective_dpi(infos: list[dict[str, Any]], rect: pymupdf.Rect) -> float | None:
        """Resolution of the largest raster image on the page (``get_image_info()``), from
        its size on the page."""
        best: tuple[float, float] | None = None  # (area on page, dpi)
        page_area = rect.width * rect.height
        for info in infos:
            x0, y0, x1, y1 = info["bbox"]
            bw, bh = abs(x1 - x0), abs(y1 - y0)
            if bw < 1 or bh < 1:
                continue
            area = bw * bh
            if area < 0.25 * page_area:
                continue  # a logo or an embedded seal image is not the scan
            dpi = min(info["width"] / (bw / 72.0), info["height"] / (bh / 72.0))
            if best is None or area > best[0]:
                best = (area, dpi)
        return best[1] if best else None

    def close(self) -> None:
        self._doc.close()


class ImageDocument:
    """PNG, JPEG, TIFF (multi-page), BMP, WebP, HEIC. EXIF orientation is honoured."""

    def __init__(self, data: bytes, file_type: FileType) -> None:
        self.file_type = file_type
        self._data = data
        # The last huge page decoded (index, pixels, original size): the second reading asks
        # for page 1 again, and decoding a 20000² PNG again took 1.4 s and raised the
        # worker's peak by ~175 MB, over the 500 MB goal.
        self._last_reduced: tuple[int, np.ndarray, int, int] | None = None
        try:
            with Image.open(io.BytesIO(data)) as im:
                self.page_count = getattr(im, "n_frames", 1)
                im.size  # noqa: B018 - header parsed: size known without decoding
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise UnreadableDocument(f"image cannot be decoded: {exc}", "图片无法解码（文件损坏或格式不支持）") from exc

    def page(self, index: int, dpi: float = WORK_DPI, max_scan_dpi: float = SCAN_DPI) -> Page:
        # An image file is one page (or a few): it is always decoded up to SCAN_DPI.
        try:
            with Image.open(io.BytesIO(self._data)) as src:
                if index:
                    src.seek(index)
                w0, h0 = src.size
                stated = _stated_dpi(src)
                if w0 * h0 > MAX_IMAGE_PIXELS:
                    raise UnreadableDocument(
                        f"image too large ({w0}x{h0} pixels)", f"图片像素过大（{w0}×{h0}），无法读取")
                if w0 * h0 > LARGE_IMAGE_PIXELS:
                    if self._last_reduced is None or self._last_reduced[0] != index:
                        self._last_reduced = (index, *self._decode_reduced(index, w0, h0))
                    _i, kept, w, h = self._last_reduced
                    img = kept.copy()  # a page's pixels are its own
                else:
                    im = (ImageOps.exif_transpose(src) or src).convert("RGB")
                    w, h = im.size
                    limit = self._limit(w, h)
                    if limit < 1.0:
                        im = im.resize((max(1, int(w * limit)), max(1, int(h * limit))),
                                       Image.Resampling.LANCZOS)
                    img = np.asarray(im, dtype=np.uint8).copy()
        except UnreadableDocument:
            raise
        except (OSError, ValueError, EOFError, Image.DecompressionBombError) as exc:
            raise UnreadableDocument(f"image cannot be decoded: {exc}",
                                     "图片无法解码（文件损坏或格式不支持）") from exc
        # Effective DPI: an image is a photo or scan of a page; assume the page is A4 (either
        # way round) and measure pixels along its long side. DPI metadata (often 72/96) is
        # not trusted.
        effective = max(w, h) / A4_LONG_INCH
        work_dpi = effective * img.shape[1] / w
        return Page(
            number=index + 1,
            image=img,
            dpi=work_dpi,
            width_pt=w / effective * 72.0,
            height_pt=h / effective * 72.0,
            effective_dpi=effective,
            origin="image",
            stated_dpi=stated,
        )

    @staticmethod
    def _limit(w: int, h: int) -> float:
        """Downscale factor: at most MAX_WORK_PIXELS and at most 300 DPI on an A4 page."""
        effective = max(w, h) / A4_LONG_INCH
        return min(1.0, (MAX_WORK_PIXELS / (w * h)) ** 0.5, 300.0 / effective)

    def _decode_reduced(self, index: int, w0: int, h0: int) -> tuple[np.ndarray, int, int]:
        """Decode a huge image straight to the working size, streaming (libvips shrink-on-load):
        Pillow would hold the full bitmap (1.2 GB for a 20000x20000 RGB PNG)."""
        import pyvips

        # Nothing is decoded twice from one operation: libvips' operation cache only holds
        # memory (53 MB of a 20000² PNG's peak).
        pyvips.cache_set_max(0)
        limit = self._limit(w0, h0)
        target = max(1, int(max(w0, h0) * limit))
        options = f"page={index}" if self.file_type is FileType.tiff else ""
        thumb = pyvips.Image.thumbnail_buffer(self._data, target, height=target, size="down",
                                              option_string=options)
        if thumb.hasalpha():
            thumb = thumb.flatten(background=[255] * (thumb.bands - 1))
        if thumb.bands < 3:
            thumb = thumb.colourspace("srgb")
        arr = np.ascontiguousarray(thumb.numpy()[:, :, :3].astype(np.uint8))
        del thumb
        _release_freed_heap()
        # Size of the original in the orientation the thumbnail has (EXIF applied).
        rotated = (arr.shape[1] > arr.shape[0]) != (w0 > h0)
        w, h = (h0, w0) if rotated else (w0, h0)
        return arr, w, h

    def close(self) -> None:
        self._data = b""
        self._last_reduced = None


def _release_freed_heap() -> None:
    """Give the heap libvips' decoding threads freed back to the system (glibc only).

    Their buffers were freed into the threads' own malloc arenas, which this thread never
    reuses: a 20000² PNG left ~110 MB resident after its 37 MB page was made, and the
    worker's peak came later on top of it (bench: 440–513 MB against the 500 MB goal)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


Image.MAX_IMAGE_PIXELS = None  # we bound pixels ourselves (MAX_IMAGE_PIXELS) per page
# HEIC photos open through Pillow. libheif applies the container's rotation and the plugin
# resets the EXIF orientation it replaces, so exif_transpose does not turn them twice.
register_heif_opener()
# MuPDF prints its errors on stdout, which carries the JSONL rows: silence them. A broken
# file raises and becomes an UNREADABLE finding with the reason instead.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)


def _truncated(ref: InputRef, data: bytes | None) -> bool:
    """A PDF that MuPDF had to repair and whose end has no ``%%EOF`` was cut off: MuPDF shows
    what it salvaged (often blank pages), which must not pass for the document."""
    if data is not None:
        tail = data[-2048:]
    else:
        with ref.path.open("rb") as f:
            f.seek(max(0, ref.path.stat().st_size - 2048))
            tail = f.read()
    return b"%%EOF" not in tail


def open_document(ref: InputRef) -> SourceDocument:
    """Open one input read-only. Raises ``UnreadableDocument`` with a precise reason."""
    if ref.member is None:
        require_regular_file(ref.path)
        try:
            size = ref.path.stat().st_size
            with ref.path.open("rb") as f:
                head = f.read(2048)
        except OSError as exc:
            raise UnreadableDocument(f"cannot read file: {exc}", "文件无法读取") from exc
        data: bytes | None = None
    else:
        data = read_bytes(ref)
        size, head = len(data), data[:2048]
    kind = sniff(head)
    if size == 0 or kind is FileType.empty:
        raise UnreadableDocument("empty file (0 bytes)", "文件为空（0 字节）")
    if kind is FileType.pdf:
        try:
            doc = pymupdf.open(ref.path) if data is None else pymupdf.open(stream=data, filetype="pdf")
        except Exception as exc:  # PyMuPDF raises its own FileDataError and RuntimeErrors
            raise UnreadableDocument(f"PDF cannot be opened: {exc}", "PDF 文件损坏或不完整，无法打开") from exc
        if doc.is_repaired and _truncated(ref, data):
            doc.close()
            raise UnreadableDocument("PDF is truncated (no end-of-file marker; the upload was cut off)",
                                     "PDF 文件不完整（文件被截断，上传可能中断），请重新上传")
        if doc.needs_pass:
            doc.close()
            raise UnreadableDocument("PDF is encrypted and needs a password",
                                     "PDF 已加密，需要密码才能打开")
        if doc.page_count == 0:
            doc.close()
            raise UnreadableDocument("PDF has no pages", "PDF 没有任何页面")
        return PdfDocument(doc)
    if kind in IMAGE_TYPES:
        return ImageDocument(data if data is not None else ref.path.read_bytes(), kind)
    if kind is FileType.zip:
        kind = zipped_document_type(ref.path if data is None else io.BytesIO(data)) or kind
    if kind is FileType.office:
        raise UnreadableDocument("unsupported type: office document (convert to PDF)",
                                 "不支持的文件类型（Word/Excel 等办公文档），请转换为 PDF 后上传")
    if kind is FileType.ofd:
        raise UnreadableDocument("unsupported type: OFD document (convert to PDF)",
                                 "不支持的文件类型（OFD 版式文件），请转换为 PDF 后上传")
    if kind is FileType.zip:
        raise UnreadableDocument("unsupported type: nested or unreadable ZIP archive",
                                 "不支持的文件类型（嵌套或损坏的压缩包）")
    if kind is FileType.gif:
        raise UnreadableDocument("unsupported type: GIF image", "不支持的文件类型（GIF 图片）")
    raise UnreadableDocument("unsupported or unrecognised file type", "无法识别的文件类型，不是 PDF 或图片")


def iter_pages(doc: SourceDocument, dpi: float = WORK_DPI,
               max_scan_dpi: Callable[[int], float] = lambda number: SCAN_DPI) -> Iterator[Page]:
    """Pages one at a time; each is rendered only when asked for, page ``n`` (1-based) of a
    scanned PDF at no more than ``max_scan_dpi(n)``."""
    for i in range(doc.page_count):
        yield doc.page(i, dpi, max_scan_dpi(i + 1))
