"""Seal cases of round 6, rebuilt one document at a time by the fixture generator (the same
bytes as in the generated sets) and checked with and without the rule that finds them.

- seed 9106 (s6) A08/doc_043.pdf: a faint born-digital e-seal with uneven ink whose ring
  falls apart into arcs (``_wide_candidates``);
- seed 9502 A05/doc_016.pdf: a faint red oval on an under-exposed scan (the red map scaled to
  white paper, ``_grow_faint``);
- seed 10101 (set G) A06/IMG_2113.pdf: a pale seal on a small phone photo whose ring reads
  grey but whose star is red (``_star_ink``);
- seed 9501 A07/doc_078.tif: a grey scan with a round seal and a name seal (``_companions``).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from fixtures.gen.archive import plan_set
from fixtures.generate import build_one
from tests.test_seals import _iou, _open
from verify.checks import seal_geometry, seals
from verify.model import BBox


@cache
def _plan(seed: int) -> dict[str, object]:
    _apps, items = plan_set("holdout", 120, seed, False)
    return {it.file: it for it in items}


def _build(tmp_path: Path, seed: int, file: str) -> tuple[Path, list[BBox]]:
    label = build_one(_plan(seed)[file], tmp_path)  # type: ignore[arg-type]
    return tmp_path / file, [tuple(s.bbox) for s in label.seals if s.page == 1]  # type: ignore[misc]


def _found(path: Path, truth: BBox) -> bool:
    return any(_iou(s.bbox, truth) >= 0.5 for s in seals.find_seals(_open(path)))


def test_faint_e_seal_in_arcs_is_found_by_the_wide_blobs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, (truth,) = _build(tmp_path, 9106, "A08/doc_043.pdf")
    assert _found(path, truth)
    monkeypatch.setattr(seals, "_wide_candidates", lambda m, emblems: [])
    assert not _found(path, truth)


def test_faint_oval_on_under_exposed_scan(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path, (truth,) = _build(tmp_path, 9502, "A05/doc_016.pdf")
    assert _found(path, truth)
    monkeypatch.setattr(seal_geometry, "PAPER_WHITE", 0.0)
    monkeypatch.setattr(seal_geometry, "FAINT_GROW_FRACTION", 1.0)
    assert not _found(path, truth)


def test_pale_seal_with_a_red_star_on_a_photo(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path, (truth,) = _build(tmp_path, 10101, "A06/IMG_2113.pdf")
    found = [s for s in seals.find_seals(_open(path)) if _iou(s.bbox, truth) >= 0.5]
    assert len(found) == 1 and found[0].color == "red"
    monkeypatch.setattr(seals, "_star_ink", lambda m, g: "grey")
    assert not _found(path, truth)


def test_name_seal_beside_a_round_seal_on_a_grey_scan(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, truth = _build(tmp_path, 9501, "A07/doc_078.tif")
    assert len(truth) == 2
    for t in truth:
        assert _found(path, t)
    monkeypatch.setattr(seals, "COMPANION_SQUARE_SCORE", 1.1)
    assert sum(_found(path, t) for t in truth) == 1
