"""Read a page's text: the PDF text layer where it is real, OCR otherwise.

Orientation: Tesseract OSD costs about a second a page, so it runs only when a page looks
turned (a landscape image of a portrait document) or when the upright OCR reads poorly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence

import cv2
import numpy as np

from ..model import BBox, PageText, PartialDate, Seal, TextSpan
from ..pages import Page
from .normalize import normalize_text
from .ocr import OcrEngine, OcrResult

log = logging.getLogger(__name__)

OCR_MAX_SIDE = 3300  # ~280 DPI on A4: enough for 10.5 pt Chinese, within Tesseract's limits
LOW_CONF = 55.0  # mean confidence under which the page is re-read after an OSD check


def _page_text(spans: tuple[TextSpan, ...], source: str, engine: str | None = None,
               mean_conf: float | None = None, rotation: int = 0) -> PageText:
    """Spans normalised once, and the page text as their lines."""
    norm = tuple(TextSpan(normalize_text(s.text), s.bbox, s.conf) for s in spans)
    return PageText("\n".join(s.text for s in norm), norm, source, engine, mean_conf, rotation)


def text_from_layer(page: Page) -> PageText:
    return _page_text(page.text_layer, source="layer")


def _reduced(img: np.ndarray, max_side: int) -> np.ndarray:
    h, w = img.shape[:2]
    if max(h, w) <= max_side:
        return img
    f = max_side / max(h, w)
    return cv2.resize(img, (int(w * f), int(h * f)), interpolation=cv2.INTER_AREA)


def _ocr_image(page: Page) -> np.ndarray:
    return cv2.cvtColor(_reduced(page.image, OCR_MAX_SIDE), cv2.COLOR_RGB2GRAY)


SIDEWAYS = (90, 270)


def _poor(result: OcrResult) -> bool:
    return result.mean_conf is None or result.mean_conf < LOW_CONF


def ocr_page(page: Page, engine: OcrEngine) -> tuple[Page, PageText]:
    """OCR ``page``; returns the page turned upright (if it was turned) and its text.

    A landscape page that OSD left unturned and that reads poorly is read turned both ways
    sideways as well, the best reading kept: OSD is unsure on a phone photo of a journal's
    cover or contents taken sideways (seeds 7901/7902: ``rotate 180`` at confidence 0.02, or
    ``rotate 90`` at 0.54, under the 1.0 it needs), where the page read at 17–24 confidence
    upright and at 68–86 turned 90°, and the document fell to kind ``other`` with no date.
    """
    h, w = page.image.shape[:2]
    landscape = w > h * 1.15  # a turned portrait page, or a landscape document
    rotation = 0
    if landscape:
        rotation = engine.orientation(_ocr_image(page))
    upright = page.rotated(rotation)
    result = engine.read(_ocr_image(upright))
    if rotation == 0 and _poor(result):
        # A landscape page already had its OSD; a portrait one gets it now.
        turn = 0 if landscape else engine.orientation(_ocr_image(page))
        for candidate in (turn,) if turn else SIDEWAYS if landscape else ():
            turned = page.rotated(candidate)
            again = engine.read(_ocr_image(turned))
            if (again.mean_conf or 0.0) > (result.mean_conf or 0.0):
                upright, result, rotation = turned, again, candidate
            if not _poor(result):
                break
    return upright, _page_text(result.spans, source="ocr", engine=engine.name,
                               mean_conf=result.mean_conf, rotation=rotation)


def read_page_text(page: Page, engine: OcrEngine) -> tuple[Page, PageText]:
    """The page (upright) and its text. Born-digital pages are never OCR'd."""
    if page.origin == "born_digital":
        return page, text_from_layer(page)
    return ocr_page(page, engine)


REREAD_MAX_SIDE = 1000  # px: RapidOCR reads 10.5 pt Chinese at this size; peak RSS ~420 MB


def read_red_channel(page: Page, engine: OcrEngine, max_side: int = REREAD_MAX_SIDE) -> PageText:
    """Read an upright page from its red channel, where red seals and red ink turn near-white,
    so the unit name and the date printed under a seal come through (measured-facts.md: 0–2.6%
    CER on such text against 6–15% for the plain page). Reduced to ``max_side`` pixels: the
    second engine's memory grows with the image."""
    red = _reduced(np.ascontiguousarray(page.image[:, :, 0]), max_side)
    result = engine.read(cv2.cvtColor(red, cv2.COLOR_GRAY2RGB))
    return _page_text(result.spans, source="ocr", engine=engine.name,
                      mean_conf=result.mean_conf, rotation=page.rotation)


# --------------------------------------------------------------------------- second reading

GREY_MAX_CHROMA = 12  # a page whose pixels never differ more than this between channels is grey
PAPER_MARGIN = 60  # grey levels under the paper's that count as ink
INK_PERCENTILE = 10  # the darkest ink: text strokes (seal ink in a grey scan is mid-grey)
CUT_ABOVE_INK = 100  # whiter than text ink by this much: seal ink, turned white
# Around a seal the date line is read again at the page's own resolution: the whole-page
# second reading is reduced to REREAD_MAX_SIDE (a 150-DPI A4 scan to ~85 DPI), where a date
# crossed by a grey seal's ring is lost. Two windows, because neither alone read both dates
# of the first two grey-seal fixtures tried (seed 7202): a tight one (the seal and a little
# around it, where the ring is a small part of the image: 二〇一七年二月十日, which the band read
# as 上月) and the seal's rows across the whole page (a date line that starts far left of the
# seal, 编制日期：二〇一八年十月, cut by the tight window). Ring removal (whitening the radii
# where ink covers most angles) read no better on those two and is not done.
TIGHT_MARGIN_X, TIGHT_MARGIN_Y = 0.6, 0.15  # of the seal's width / height, each side
BAND_MARGIN_Y = 0.15
REGION_MAX_SIDE = 1800  # px: a 300-DPI band is reduced; 150–200-DPI scans are read as they are


def is_grey(img: np.ndarray) -> bool:
    """Whether an RGB page has no colour (a grey or black-and-white scan)."""
    step = max(1, max(img.shape[:2]) // 800)  # a sample is enough
    sample = img[::step, ::step].astype(np.int16)
    return int((sample.max(axis=2) - sample.min(axis=2)).max()) <= GREY_MAX_CHROMA


def grey_seal_cut(region: np.ndarray, page_grey: np.ndarray) -> np.ndarray:
    """``region`` (grey) with seal-grey ink turned white, the levels measured on the page.

    A red seal scanned in grey is mid-grey ink over the date (a red ink's luminance is ~80 of
    255, more when faint); text ink is the darkest on the page. Pixels lighter than the text
    ink by ``CUT_ABOVE_INK`` turn white (RapidOCR read 二零一九年三月 and 二〇二三年九月 under
    grey seals where the plain reading lost the year's first characters). A black-and-white
    scan has no level between ink and paper to cut at and is returned as is.
    """
    step = max(1, max(page_grey.shape) // 800)
    sample = page_grey[::step, ::step]
    paper = int(np.median(sample))
    ink = sample[sample < paper - PAPER_MARGIN]
    if ink.size < 100:
        return region
    cut = int(np.percentile(ink, INK_PERCENTILE)) + CUT_ABOVE_INK
    if cut >= paper - PAPER_MARGIN // 2:
        return region
    out = region.copy()
    out[region > cut] = 255
    return out


def _upright_box(bbox: BBox, rotation: int) -> BBox:
    """A box on the page as delivered, on the page turned ``rotation`` degrees clockwise."""
    x0, y0, x1, y1 = bbox
    for _ in range((rotation // 90) % 4):  # one quarter turn clockwise: (x, y) → (1 - y, x)
        x0, y0, x1, y1 = 1 - y1, x0, 1 - y0, x1
    return x0, y0, x1, y1


def _windows(box: BBox) -> list[BBox]:
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    tight = (x0 - TIGHT_MARGIN_X * bw, y0 - TIGHT_MARGIN_Y * bh,
             x1 + TIGHT_MARGIN_X * bw, y1 + TIGHT_MARGIN_Y * bh)
    band = (0.0, y0 - BAND_MARGIN_Y * bh, 1.0, y1 + BAND_MARGIN_Y * bh)
    return [band, tight]


def _read_window(grey: np.ndarray, window: BBox, engine: OcrEngine, cut: bool) -> list[TextSpan]:
    h, w = grey.shape
    x0, y0 = max(0, int(window[0] * w)), max(0, int(window[1] * h))
    x1, y1 = min(w, int(window[2] * w)), min(h, int(window[3] * h))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return []
    region = grey[y0:y1, x0:x1]
    if cut:
        region = grey_seal_cut(region, grey)
    region = _reduced(region, REGION_MAX_SIDE)
    result = engine.read(cv2.cvtColor(np.ascontiguousarray(region), cv2.COLOR_GRAY2RGB))
    rw, rh = (x1 - x0) / w, (y1 - y0) / h
    fx, fy = x0 / w, y0 / h
    return [TextSpan(s.text, (fx + s.bbox[0] * rw, fy + s.bbox[1] * rh,
                              fx + s.bbox[2] * rw, fy + s.bbox[3] * rh), s.conf)
            for s in result.spans]


def _confirmed(span: TextSpan, others: Sequence[Sequence[TextSpan]]) -> bool:
    """A window's line is kept unless it carries a date no other reading of the page gives.

    Under a seal's ring OCR drops or swaps a digit and still yields a valid date (2011年11月
    for 2018年11月, 五月十日 for 五月十九日, each read once while the other readings of the
    same line were invalid); a date read alike twice (the full page and a window, or both
    windows) is what the page prints. A wrong date is worse than a missing one."""
    from ..checks.dates import find_dates  # the dates module reads text, not the reverse

    mine = {d.value for d in find_dates(PageText(normalize_text(span.text)), 1)}
    if not mine:
        return True
    seen = {d.value for spans in others for s in spans
            for d in find_dates(PageText(normalize_text(s.text)), 1)}
    return mine <= seen


# --------------------------------------------------------------------------- date lines

# A line that reads as half a date (二9二二年→月三十日: a 〇 and a 一 under the pink a red seal
# leaves in the red channel) is read once more on its own, at the page's resolution, after
# Otsu binarisation (the seal's pink, or a grey seal's mid-grey once cut, turns white).
# Measured on set H doc_021 (200 DPI scan, red seal over the date): the binarised red channel
# read 二〇二二年一月三十日 by RapidOCR's recogniser alone (no detector, ~0.05 s) and
# 二OO二二年一月三十日 by Tesseract ``--psm 7`` (~0.3 s; doubled zeros are merged); the red
# channel as is gave 二QQ二年了月三园, the grey page 至全=年汪月, RapidOCR with its detector on the
# grey band 二年十月三4日. The recogniser is tried first and Tesseract only when it gives no
# date the half date agrees with. A new reading is kept only when the half date sides with it
# (``dates.agreement``: no digit read otherwise, enough alike): a wrong date is worse than a
# missing one.
DATE_LINE_PAD_Y = 0.15  # of the line's height, above and below (more takes in the next line)
DATE_LINE_PAD_X = 5.0  # line heights left and right: the ends of a date under a ring are lost
# (二〇二二 of 二〇二二年六月 when only 年六月 was read: four characters to the left)
INK_MARGIN = 0.5  # line heights of paper kept around the ink (the recogniser reads 〇 into
# wide blank margins: 〇〇二〇二二年…〇〇 on an untrimmed band)
TESSERACT_LINE_PX = 56  # the line scaled to this height for Tesseract (CJK best at ~40 px)
TESSERACT_MAX_SCALE = 3.0
DATE_LINES_MAX = 3  # lines re-read per page at most (each one or two short OCR calls)
MIN_AGREEING_DIGITS = 3  # digits of the half date that the new reading must repeat…
MIN_YEAR_DIGITS = 2  # …of them in the year; else both engines must read the same date



def _overlap(a: BBox, b: BBox) -> float:
    """Intersection over the smaller box."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller > 0 else 0.0


ROW_GAP = 3.0  # line heights between two pieces of one row (a seal's ring splits a line)


def _rows(spans: Sequence[TextSpan]) -> list[TextSpan]:
    """Pieces of one printed line joined left to right (RapidOCR reads a date line crossed by
    a ring as 二零一 and 年二月十八日); only rows of two or more pieces."""
    out: list[TextSpan] = []
    used: set[int] = set()
    order = sorted(range(len(spans)), key=lambda i: spans[i].bbox[0])
    for i in order:
        if i in used:
            continue
        row = [spans[i]]
        for j in order:
            if j == i or j in used:
                continue
            last, s = row[-1].bbox, spans[j].bbox
            height = min(last[3] - last[1], s[3] - s[1])
            vertical = min(last[3], s[3]) - max(last[1], s[1])
            if (height > 0 and vertical >= 0.5 * height and s[0] >= last[0]
                    and s[0] - last[2] <= ROW_GAP * height):
                row.append(spans[j])
                used.add(j)
        if len(row) > 1:
            used.add(i)
            box = (min(r.bbox[0] for r in row), min(r.bbox[1] for r in row),
                   max(r.bbox[2] for r in row), max(r.bbox[3] for r in row))
            out.append(TextSpan("".join(r.text for r in row), box, 0.0))
    return out


def _date_line_image(page: Page, box: BBox) -> tuple[np.ndarray, np.ndarray, float] | None:
    """The line ``box`` (fractions of the page) padded, seal ink turned light and trimmed to
    its ink: as grey levels (for the recogniser) and binarised (for Tesseract); with the
    line's height in pixels."""
    h, w = page.image.shape[:2]
    line_h = (box[3] - box[1]) * h
    if line_h < 6:
        return None
    x0 = max(0, int(box[0] * w - DATE_LINE_PAD_X * line_h))
    x1 = min(w, int(box[2] * w + DATE_LINE_PAD_X * line_h))
    y0 = max(0, int(box[1] * h - DATE_LINE_PAD_Y * line_h))
    y1 = min(h, int(box[3] * h + DATE_LINE_PAD_Y * line_h))
    if x1 - x0 < 16 or y1 - y0 < 8:
        return None
    if is_grey(page.image):
        grey = np.ascontiguousarray(page.image[:, :, 0])
        region = grey_seal_cut(grey[y0:y1, x0:x1], grey)
    else:
        # The lightest channel of each pixel: red and blue seal ink turn light (a blue seal
        # is dark in the red channel), black text stays black.
        region = np.ascontiguousarray(page.image[y0:y1, x0:x1].max(axis=2))
    _, binary = cv2.threshold(region, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = np.flatnonzero((binary == 0).any(axis=0))
    if ink.size == 0:
        return None
    margin = int(INK_MARGIN * line_h)
    left, right = max(0, int(ink[0]) - margin), min(binary.shape[1], int(ink[-1]) + 1 + margin)
    return (np.ascontiguousarray(region[:, left:right]), np.ascontiguousarray(binary[:, left:right]),
            line_h)


def date_lines_again(page: Page, spans: Sequence[TextSpan], engine: OcrEngine | None = None,
                     line_engine: OcrEngine | None = None) -> list[TextSpan]:
    """Lines among ``spans`` that read as half a date, read again alone (``engine``: the
    second reading's, for its recogniser; ``line_engine``: Tesseract on one line, the
    worker's, else made when first needed); a new reading is returned (as a span over the
    line) only when it holds one date that the half date agrees with: no digit read
    otherwise, at least ``MIN_AGREEING_DIGITS`` alike."""
    from ..checks.dates import agreement, find_dates_detailed, is_half_date

    half: list[TextSpan] = []
    # a row's pieces joined first (the wider box holds the whole date); a line read by
    # several windows is read again once
    for s in [*_rows(spans), *spans]:
        if is_half_date(s.text) and not any(_overlap(s.bbox, h.bbox) > 0.5 for h in half):
            half.append(s)
    out: list[TextSpan] = []
    for span in half[:DATE_LINES_MAX]:
        line = _date_line_image(page, span.bbox)
        if line is None:
            continue
        unopposed: list[tuple[str, PartialDate]] = []  # readings the half date does not contradict
        for reader, text in _lazy_readings(line, engine, line_engine):
            text = normalize_text(text)
            log.debug("date line %r read again by %s as %r", span.text, reader, text)
            found = find_dates_detailed(PageText(text), 1)
            if len({f.mention.value for f in found}) != 1:
                continue
            agree = agreement(span.text, found[0].mention.text)
            log.debug("date line %r read again as %r: %s", span.text, text, agree)
            if agree is None or agree.conflicts:
                continue
            value = found[0].mention.value
            if ((agree.matched >= MIN_AGREEING_DIGITS and agree.year_matched >= MIN_YEAR_DIGITS
                 and agree.day_vouched)
                    or any(v == value and r != reader for r, v in unopposed)):
                # the half date vouches for the year and the day, or both engines read the
                # same date
                out.append(TextSpan(text, span.bbox, 0.0))
                break
            unopposed.append((reader, value))
    return out


def _lazy_readings(line: tuple[np.ndarray, np.ndarray, float], engine: OcrEngine | None,
                   line_engine: OcrEngine | None) -> Iterator[tuple[str, str]]:
    """Readings of one line, the cheaper first: RapidOCR's recogniser (when ``engine`` has
    one) on grey levels, then Tesseract on one line, binarised (it thresholds a grey line
    crossed by a ring worse than Otsu does); Tesseract runs only when needed."""
    grey, binary, line_h = line
    read_line = getattr(engine, "read_line", None)
    rgb = cv2.cvtColor(binary, cv2.COLOR_GRAY2RGB)
    if read_line is not None:
        yield "rapidocr", str(read_line(cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)))
        yield "rapidocr", str(read_line(rgb))  # a faint ring across a stroke: gone when binarised
    scale = min(TESSERACT_MAX_SCALE, max(1.0, TESSERACT_LINE_PX / line_h))
    big = rgb if scale == 1.0 else cv2.resize(rgb, None, fx=scale, fy=scale,
                                              interpolation=cv2.INTER_CUBIC)
    if line_engine is None:  # most lines never get here
        from .ocr import TesseractEngine

        line_engine = TesseractEngine("chi_sim", psm=7)
    yield "tesseract", " ".join(s.text for s in line_engine.read(big).spans)


def read_second(page: Page, seals: Sequence[Seal], engine: OcrEngine, turned: int = 0,
                line_engine: OcrEngine | None = None) -> PageText:
    """The second reading of an upright page: its red channel (red seals turn near-white),
    reduced to ``REREAD_MAX_SIDE``, then the lines around each seal again at the page's own
    resolution: from the red channel (a 300-DPI scan reduced 3.5× loses the small date under a
    red seal), or on a grey page, where the red channel is the page itself, with seal-grey
    ink cut where the scan kept grey levels. ``seals`` are boxes found on the page before it
    was ``turned`` degrees clockwise. Half-read date lines are read again alone
    (``date_lines_again``, with ``line_engine``)."""
    full = read_red_channel(page, engine)
    if not seals:
        # No seal found (a grey scan's seal is often missed): a half date of the reduced page
        # (~85 DPI for a 150-DPI scan) is still read again at the page's resolution.
        again = date_lines_again(page, full.spans, engine, line_engine)
        if not again:
            return full
        return _page_text(full.spans + tuple(again), source="ocr", engine=engine.name,
                          mean_conf=full.mean_conf, rotation=page.rotation)
    grey = np.ascontiguousarray(page.image[:, :, 0])
    cut = is_grey(page.image)
    readings: list[list[TextSpan]] = [list(full.spans)]
    for seal in seals:
        box = _upright_box(seal.bbox, turned)
        readings.extend(_read_window(grey, window, engine, cut=cut) for window in _windows(box))
    extra = [s for i, spans in enumerate(readings[1:], start=1) for s in spans
             if _confirmed(s, [r for j, r in enumerate(readings) if j != i])]
    extra += date_lines_again(page, [s for spans in readings for s in spans], engine, line_engine)
    if not extra:
        return full
    return _page_text(full.spans + tuple(extra), source="ocr", engine=engine.name,
                      mean_conf=full.mean_conf, rotation=page.rotation)
