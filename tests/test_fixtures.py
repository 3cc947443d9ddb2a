"""Fast checks of the fixture generator: determinism, label consistency, seal truth."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pymupdf
import pytest
from PIL import Image, ImageOps

from fixtures.generate import generate

N = 6


def _digests(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def dev_set(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dev")
    generate(out, "dev", N, seed=3, quiet=True)
    return out


def _labels(root: Path) -> list[dict]:
    return [json.loads(x) for x in (root / "labels.jsonl").read_text("utf-8").splitlines()]


def test_deterministic(dev_set: Path, tmp_path: Path) -> None:
    generate(tmp_path, "dev", N, seed=3, quiet=True)
    assert _digests(dev_set) == _digests(tmp_path)


def test_seed_and_split_change_output(dev_set: Path, tmp_path: Path) -> None:
    generate(tmp_path / "h", "holdout", N, seed=3, quiet=True)
    a = {x["title"] for x in _labels(dev_set)}
    b = {x["title"] for x in _labels(tmp_path / "h")}
    assert not (a & b - {"情况说明", "论文发表情况通报", "污染物排放统计表", "工学硕士学位"})


def _page_count(path: Path) -> int:
    if path.suffix == ".pdf":
        with pymupdf.open(path) as d:
            return d.page_count
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


def test_labels_consistent(dev_set: Path) -> None:
    labels = _labels(dev_set)
    assert len(labels) == N
    manifest = (dev_set / "manifest.csv").read_text("utf-8").splitlines()
    assert manifest[0] == "folder,appointed,cutoff"
    folders = {row.split(",")[0] for row in manifest[1:]}
    for lab in labels:
        path = dev_set / lab["file"]
        assert path.exists()
        assert lab["applicant"] in folders
        assert _page_count(path) == lab["pages"]
        for s in lab["seals"]:
            x0, y0, x1, y1 = s["bbox"]
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1
            assert 1 <= s["page"] <= lab["pages"]
        for d in lab["dates"]:
            assert 1 <= d["page"] <= lab["pages"]
        if lab["kind"] in ("project_cover", "appointment", "paper_accepted") and not lab["seals"]:
            assert "SEAL_MISSING" in lab["expected_findings"]


def _page_rgb(path: Path, page: int) -> np.ndarray:
    if path.suffix == ".pdf":
        with pymupdf.open(path) as d:
            pix = d[page - 1].get_pixmap(dpi=100)
            return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3)
    with Image.open(path) as im:
        im.seek(page - 1)
        return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))


def _red(img: np.ndarray) -> np.ndarray:
    r, g, b = (img[..., k].astype(int) for k in range(3))
    return (r - g > 60) & (r - b > 40)


def test_red_seal_pixels_inside_bbox(tmp_path: Path) -> None:
    labels = [lab for lab in (generate(tmp_path, "dev", 16, seed=11, quiet=True))
              if any(s.color == "red" and not s.faint for s in lab.seals)]
    assert labels, "expected at least one clearly red seal"
    checked = 0
    for lab in labels[:6]:
        for s in lab.seals:
            if s.color != "red" or s.faint:
                continue
            img = _page_rgb(tmp_path / lab.file, s.page)
            h, w = img.shape[:2]
            x0, y0, x1, y1 = s.bbox
            red = _red(img)
            inside = red[int(y0 * h): int(y1 * h) + 1, int(x0 * w): int(x1 * w) + 1]
            area = inside.size
            assert inside.sum() > 0.03 * area, (lab.file, s.bbox)
            checked += 1
    assert checked


def test_sample_archive_is_committed_and_small() -> None:
    root = Path(__file__).resolve().parents[1] / "fixtures" / "sample-archive"
    if not root.exists():
        pytest.skip("sample archive not generated")
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert total <= 4 * 1024 * 1024
    assert (root / "manifest.csv").exists() and (root / "labels.jsonl").exists()


def test_expected_findings_rules() -> None:
    import datetime as dt

    from fixtures.gen.archive import Applicant, expected_findings
    from fixtures.gen.content import Person
    from fixtures.gen.labels import DocLabel, SealTruth

    app = Applicant("A01", Person("张伟", "男"), dt.date(2019, 5, 25), dt.date(2022, 8, 31), "x")

    def lab(kind: str, date: str | None, **kw: object) -> DocLabel:
        return DocLabel(file="A01/x.pdf", applicant="A01", kind=kind, delivery="scan",
                        format="pdf", pages=1, achievement_date=date, **kw)  # type: ignore[arg-type]

    seal = [SealTruth(1, [0.1, 0.1, 0.2, 0.2], "round", "red", "某公司")]
    assert expected_findings(lab("project_cover", "2019-05", seals=seal), app, []) == []
    assert expected_findings(lab("project_cover", "2019-04", seals=seal), app, []) == [
        "BEFORE_APPOINTMENT"]
    assert expected_findings(lab("certificate", "2022-09-01"), app, []) == ["AFTER_CUTOFF"]
    assert expected_findings(lab("certificate", "2022-08"), app, []) == []
    assert expected_findings(lab("certificate", None), app, []) == ["DATE_MISSING"]
    assert expected_findings(lab("other", None), app, []) == []
    letter = lab("paper_accepted", "2021-03-05", seals=seal, title="T")
    assert expected_findings(letter, app, [letter]) == ["NOT_PUBLISHED"]
    proof = lab("paper_published", "2021-06", title="T", template="pub_cover+article")
    assert expected_findings(letter, app, [letter, proof]) == []
