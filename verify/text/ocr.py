"""OCR engines behind one small interface.

Engines are created once per worker process (``make_engine``) and reused for every page: an
engine start per page is the classic slowdown. Tesseract runs single-threaded
(``OMP_THREAD_LIMIT=1``): with OpenMP on, a page took 6× longer on 2 cores here.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Protocol

import cv2
import numpy as np

from ..exceptions import UsageError
from ..model import TextSpan

log = logging.getLogger(__name__)

ENGINES = ("tesseract", "rapidocr")


@dataclass(frozen=True)
class OcrResult:
    spans: tuple[TextSpan, ...]
    mean_conf: float | None


class OcrEngine(Protocol):
    name: str

    def read(self, image: np.ndarray) -> OcrResult:
        """Text lines of an upright RGB or grey image, bboxes as fractions of the image."""
        ...

    def orientation(self, image: np.ndarray) -> int:
        """Degrees clockwise the image must be turned to be upright (0/90/180/270)."""
        ...


class TesseractEngine:
    name = "tesseract"

    # ``chi_sim`` alone: its model also reads Latin letters and digits (ISSN, CN, GB numbers),
    # and adding ``eng`` doubled the time per page (1.8 → 1.2 s for two 200-DPI pages) while
    # reading no better (40 held-out documents: kind 0.95 with +eng, 0.975 without; dates equal).
    def __init__(self, lang: str = "chi_sim", psm: int = 6) -> None:
        os.environ["OMP_THREAD_LIMIT"] = "1"  # single-threaded: see module docstring
        import pytesseract

        self._tess = pytesseract
        self.lang = lang
        self.config = f"--psm {psm}"
        try:
            pytesseract.get_tesseract_version()
        except pytesseract.TesseractNotFoundError as exc:
            raise UsageError("tesseract is not installed (apt-get install tesseract-ocr "
                             "tesseract-ocr-chi-sim)") from exc

    @contextlib.contextmanager
    def _as_file(self, image: np.ndarray) -> Iterator[str]:
        """The image as an uncompressed PNM file for Tesseract to read: pytesseract would
        save it as PNG first, which took 0.3–0.45 s of a page's time (a fifth of a scan's)."""
        with tempfile.NamedTemporaryFile(suffix=".pgm" if image.ndim == 2 else ".ppm") as f:
            img = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
            cv2.imwrite(f.name, img)
            yield f.name

    def read(self, image: np.ndarray) -> OcrResult:
        h, w = image.shape[:2]
        with self._as_file(image) as path:
            data = self._tess.image_to_data(path, lang=self.lang, config=self.config,
                                            output_type=self._tess.Output.DICT)
        lines: dict[tuple[int, int, int], list[int]] = {}
        for i, word in enumerate(data["text"]):
            if not str(word).strip():
                continue
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append(i)
        spans: list[TextSpan] = []
        confs: list[float] = []
        for idx in lines.values():
            x0 = min(data["left"][i] for i in idx)
            y0 = min(data["top"][i] for i in idx)
            x1 = max(data["left"][i] + data["width"][i] for i in idx)
            y1 = max(data["top"][i] + data["height"][i] for i in idx)
            conf = [float(data["conf"][i]) for i in idx if float(data["conf"][i]) >= 0]
            text = " ".join(str(data["text"][i]) for i in idx)
            c = sum(conf) / len(conf) if conf else 0.0
            confs.extend(conf)
            spans.append(TextSpan(text, (x0 / w, y0 / h, x1 / w, y1 / h), c))
        return OcrResult(tuple(spans), sum(confs) / len(confs) if confs else None)

    def orientation(self, image: np.ndarray) -> int:
        try:
            with self._as_file(image) as path:
                osd = self._tess.image_to_osd(path, config="--psm 0",
                                              output_type=self._tess.Output.DICT)
        except self._tess.TesseractError as exc:  # too little text to decide
            log.debug("OSD failed: %s", exc)
            return 0
        if float(osd.get("orientation_conf", 0)) < 1.0:
            return 0
        return int(osd.get("rotate", 0)) % 360


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, threads: int = 1, det_max_side: int | None = None) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise UsageError("--ocr rapidocr needs the extra: pip install 'verify[rapidocr]'") from exc
        # One onnxruntime thread per worker process by default: workers already use the cores.
        # ``det_max_side`` caps the detector's input (its memory grows with the pixels): the
        # second reading of a reduced page uses 960, one line per recognition batch, and adds
        # ~260 MB at its peak instead of ~450 MB.
        limits = ({"det_limit_type": "max", "det_limit_side_len": det_max_side, "rec_batch_num": 1}
                  if det_max_side else {})
        self._ocr = RapidOCR(intra_op_num_threads=max(1, threads), **limits)
        self._osd: TesseractEngine | None = None

    def read(self, image: np.ndarray) -> OcrResult:
        h, w = image.shape[:2]
        # use_cls=False: its line classifier flips upright lines, which are then dropped.
        result, _ = self._ocr(image, use_cls=False)
        spans: list[TextSpan] = []
        for box, text, score in result or ():
            xs = [pt[0] for pt in box]
            ys = [pt[1] for pt in box]
            spans.append(TextSpan(str(text), (min(xs) / w, min(ys) / h, max(xs) / w, max(ys) / h),
                                  float(score) * 100.0))
        conf = sum(s.conf for s in spans) / len(spans) if spans else None
        return OcrResult(tuple(spans), conf)

    def read_line(self, image: np.ndarray) -> str:
        """The text of an image holding one line, by the recogniser alone (no detector): an
        unwrapped seal ring, which the detector splits or misses when slightly arched."""
        result, _ = self._ocr(image, use_det=False, use_cls=False, use_rec=True)
        return "".join(str(r[0]) for r in result or ())

    def orientation(self, image: np.ndarray) -> int:
        # RapidOCR scrambles rotated pages: orientation comes from Tesseract OSD.
        if self._osd is None:
            self._osd = TesseractEngine()
        return self._osd.orientation(image)


def make_engine(name: str, threads: int = 1, det_max_side: int | None = None) -> OcrEngine:
    """An engine by name; ``threads`` is what one worker may use (Tesseract always uses one);
    ``det_max_side`` caps RapidOCR's text detector input (for reduced pages)."""
    if name == "tesseract":
        return TesseractEngine()
    if name == "rapidocr":
        return RapidOcrEngine(threads, det_max_side)
    raise UsageError(f"unknown OCR engine {name!r} (choose {', '.join(ENGINES)})")


class OutOfProcessEngine:
    """An engine run in a child process of its own (spawned, so it shares nothing with the
    worker): RapidOCR's inference peaks ~300 MB above its idle size, which would push a worker
    past its 500 MB budget. The child starts on first use and lives as long as the worker; if
    a call is interrupted (the document's time limit) the child is stopped and restarted on
    the next call, so a late answer can never be taken for the next page's."""

    def __init__(self, name: str, det_max_side: int | None = None) -> None:
        self.name = name
        self._det_max_side = det_max_side
        self._conn: Connection | None = None
        self._proc: multiprocessing.process.BaseProcess | None = None

    def _start(self) -> Connection:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve_engine, args=(child, self.name, self._det_max_side),
                                 daemon=True, name=f"verify-{self.name}")
        self._proc.start()
        child.close()
        self._conn = parent
        return parent

    def _call(self, op: str, image: np.ndarray) -> object:
        conn = self._conn if self._conn is not None and self._proc and self._proc.is_alive() \
            else self._start()
        try:
            conn.send((op, image))
            status, payload = conn.recv()
        except BaseException:
            self.close()  # interrupted mid-call: the answer in flight must not be read later
            raise
        if status != "ok":
            raise RuntimeError(f"{self.name} failed in its process: {payload}")
        return payload

    def read(self, image: np.ndarray) -> OcrResult:
        result = self._call("read", image)
        assert isinstance(result, OcrResult)
        return result

    def orientation(self, image: np.ndarray) -> int:
        return int(self._call("orientation", image))  # type: ignore[call-overload]

    def read_line(self, image: np.ndarray) -> str:
        """``RapidOcrEngine.read_line`` in the child (only a RapidOCR child has it)."""
        return str(self._call("read_line", image))

    def close(self) -> None:
        if self._proc is not None and self._proc.is_alive():
            self._proc.kill()
            self._proc.join(timeout=5)
        if self._conn is not None:
            self._conn.close()
        self._proc, self._conn = None, None


def _serve_engine(conn: Connection, name: str, det_max_side: int | None) -> None:
    """The child's loop: one engine, requests until the worker goes away."""
    engine = make_engine(name, 1, det_max_side)
    while True:
        try:
            op, image = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", getattr(engine, op)(image)))
        except Exception as exc:  # reported to the caller, which decides
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
