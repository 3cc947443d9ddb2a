"""The second chance for a page's only grey ring (``seals._second_chance``).

A real page: the letter of ``test_seals_grey`` rendered as a greyscale scan. Its seal is
found with a high score; the test lowers that candidate's score into the second-chance band
(what worn rings crossed by text scored on the fixture sets) and checks which rings the
second chance takes back.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2

from tests.test_seals import _iou, _open
from tests.test_seals_grey import _letter, _render_grey
from verify.checks.seal_geometry import FEATURE_NAMES, build_maps
from verify.checks.seals import SECOND_CHANCE_SCORE, SealCandidate, _second_chance, seal_candidates


def _grey_seal_candidate(tmp_path: Path) -> tuple[Path, SealCandidate]:
    pdf, truth = _letter(tmp_path)
    assert truth is not None
    path = tmp_path / "grey.png"
    cv2.imwrite(str(path), _render_grey(pdf))
    page = _open(path)
    cands = seal_candidates(page)
    ring = max(cands, key=lambda c: _iou(c.bbox, truth))
    assert ring.mode == "dark" and ring.accepted and _iou(ring.bbox, truth) >= 0.5
    return path, ring


def _with(c: SealCandidate, score: float, **feature: float) -> SealCandidate:
    f = list(c.features)
    for name, value in feature.items():
        f[FEATURE_NAMES.index(name)] = value
    return replace(c, score=score, accepted=False, features=tuple(f))


def test_second_chance_takes_a_weak_clean_ring(tmp_path: Path) -> None:
    path, ring = _grey_seal_candidate(tmp_path)
    page = _open(path)
    m = build_maps(page.image, False)
    weak = _with(ring, 0.3)
    assert _second_chance(m, [weak], False, None)[0].accepted
    # under the band, an inner ring (worn emblem), or standing in print: not taken
    assert not _second_chance(m, [_with(ring, SECOND_CHANCE_SCORE - 0.05)], False, None)[0].accepted
    assert not _second_chance(m, [_with(ring, 0.3, inner_ring=0.25)], False, None)[0].accepted
    assert not _second_chance(m, [_with(ring, 0.3, outside_mean=0.27)], False, None)[0].accepted
    # on a colour page a grey ring must be red ink: this one is grey
    assert not _second_chance(m, [weak], True, None)[0].accepted


def test_second_chance_reads_the_ring_on_the_page(tmp_path: Path) -> None:
    """The same geometry on the page with the seal ink erased keeps no border: rejected."""
    path, ring = _grey_seal_candidate(tmp_path)
    grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    h, w = grey.shape
    x0, y0, x1, y1 = ring.bbox
    zone = grey[int(y0 * h):int(y1 * h), int(x0 * w):int(x1 * w)]
    zone[(zone > 40) & (zone < 200)] = 255  # the seal's red is mid-grey, the text black
    erased = tmp_path / "erased.png"
    cv2.imwrite(str(erased), grey)
    m = build_maps(_open(erased).image, False)
    assert not _second_chance(m, [_with(ring, 0.3)], False, None)[0].accepted
