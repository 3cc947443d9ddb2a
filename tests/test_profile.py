"""The rules profile: validated once, and the fitted clarity thresholds are the ones in use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from verify.exceptions import ProfileError
from verify.model import Severity
from verify.profile import FINDING_CODES, load_profile

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "verify" / "profiles" / "shaoxing-2022.json"


def test_bundled_profile_covers_every_contract_code() -> None:
    profile = load_profile("shaoxing-2022")
    assert set(profile.findings) == set(FINDING_CODES)
    contract = (REPO / "docs" / "report-contract.md").read_text(encoding="utf-8")
    for code, rule in profile.findings.items():
        # Default severity and rule reference as the contract's table states them.
        assert f"| `{code}` | {rule.severity.value} | {rule.rule} |" in contract, code


def test_clarity_thresholds_are_the_fitted_ones() -> None:
    fitted = json.loads((REPO / "models" / "clarity" / "profile-thresholds.json").read_text())
    bundled = json.loads(BUNDLED.read_text(encoding="utf-8"))
    assert bundled["clarity"] == fitted


def test_threshold_levels_pick_the_most_severe() -> None:
    t = next(t for t in load_profile("shaoxing-2022").thresholds if t.code == "BLURRY")
    minor = dict(t.levels)[Severity.minor]
    major = dict(t.levels)[Severity.major]
    assert t.severity_for(minor + 1) is None
    assert t.severity_for((minor + major) / 2) == (Severity.minor, minor)
    assert t.severity_for(major - 1) == (Severity.major, major)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["findings"].pop("SEAL_MISSING"), "no rule for finding codes"),
        (lambda d: d["findings"]["BLURRY"].update(severity="fatal"), "unknown severity"),
        (lambda d: d.update(seal_required_kinds=["invoice"]), "unknown kind"),
        (lambda d: d["clarity"].update(NOPE={"measure": "x", "below": {"minor": 1}}), "unknown code"),
        (lambda d: d.pop("severity_points"), "missing key"),
    ],
)
def test_malformed_profiles_are_rejected(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(BUNDLED.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        load_profile(str(path))
