"""Rules profiles: one JSON file per notice, holding every finding's severity, rule reference,
Chinese message template and the points a reviewer deducts, plus the thresholds the rules use.

The checks never see the profile; the rules (``verify.rules``) read it to turn evidence into
findings. ``--profile NAME`` picks a bundled profile, ``--profile PATH`` a file.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .exceptions import ProfileError
from .model import Kind, Severity

DEFAULT_PROFILE = "shaoxing-2022"
FINDING_CODES = (
    "UNREADABLE", "SEAL_MISSING", "COVER_MISSING", "NOT_PUBLISHED", "BEFORE_APPOINTMENT",
    "AFTER_CUTOFF", "DATE_MISSING", "BLURRY", "LOW_RESOLUTION", "SKEWED", "LOW_CONTRAST",
    "CROPPED", "BLANK_PAGE", "PAGES_MISSING", "DUPLICATE",
)


@dataclass(frozen=True)
class FindingRule:
    code: str
    severity: Severity
    rule: str
    message: str  # str.format template; fields come from the rule's evidence

    def fields(self) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(self.message) if f}


@dataclass(frozen=True)
class Threshold:
    """A measurement compared with a limit; ``levels`` maps severity → limit, most severe last.

    ``direction`` "below": the finding fires when value < limit; "above": when value > limit.
    """

    code: str
    measure: str
    direction: str
    levels: tuple[tuple[Severity, float], ...]
    origins: tuple[str, ...] = ("image", "born_digital")

    def severity_for(self, value: float) -> tuple[Severity, float] | None:
        """The most severe level ``value`` crosses, with its limit; None if none."""
        hit: tuple[Severity, float] | None = None
        for sev, limit in self.levels:
            crossed = value < limit if self.direction == "below" else value > limit
            if crossed and (hit is None or sev.rank > hit[0].rank):
                hit = (sev, limit)
        return hit


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    findings: dict[str, FindingRule]
    severity_points: dict[Severity, float]
    fail_severities: frozenset[Severity]
    seal_required_kinds: frozenset[Kind]
    dated_kinds: frozenset[Kind]
    kind_names: dict[Kind, str]
    thresholds: tuple[Threshold, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def finding(self, code: str) -> FindingRule:
        return self.findings[code]

    def points(self, severity: Severity) -> float:
        return self.severity_points.get(severity, 0.0)


def _severity(value: object, where: str) -> Severity:
    try:
        return Severity(str(value))
    except ValueError as exc:
        raise ProfileError(f"{where}: unknown severity {value!r}") from exc


def _kinds(values: object, where: str) -> frozenset[Kind]:
    try:
        return frozenset(Kind(v) for v in values)  # type: ignore[attr-defined]
    except (TypeError, ValueError) as exc:
        raise ProfileError(f"{where}: unknown kind in {values!r}") from exc


def parse_profile(data: dict[str, Any], origin: str) -> Profile:
    """Validate a profile's JSON once; every error names the key that is wrong."""
    try:
        findings: dict[str, FindingRule] = {}
        for code, spec in data["findings"].items():
            if code not in FINDING_CODES:
                raise ProfileError(f"{origin}: unknown finding code {code!r}")
            findings[code] = FindingRule(code, _severity(spec["severity"], f"{origin}:{code}"),
                                         str(spec["rule"]), str(spec["message"]))
        missing = set(FINDING_CODES) - set(findings)
        if missing:
            raise ProfileError(f"{origin}: no rule for finding codes {sorted(missing)}")
        thresholds = []
        for code, spec in data.get("clarity", {}).items():
            if code not in findings:
                raise ProfileError(f"{origin}: clarity threshold for unknown code {code!r}")
            direction = "below" if "below" in spec else "above"
            if direction not in spec:
                raise ProfileError(f"{origin}: clarity.{code} needs 'below' or 'above'")
            levels = tuple(sorted(((_severity(s, f"{origin}:clarity.{code}"), float(v))
                                   for s, v in spec[direction].items()),
                                  key=lambda t: t[0].rank))
            thresholds.append(Threshold(code, str(spec["measure"]), direction, levels,
                                        tuple(spec.get("origins", ("image", "born_digital")))))
        return Profile(
            name=str(data["name"]),
            title=str(data.get("title", data["name"])),
            findings=findings,
            severity_points={_severity(k, origin): float(v)
                             for k, v in data["severity_points"].items()},
            fail_severities=frozenset(_severity(s, origin) for s in data["fail_severities"]),
            seal_required_kinds=_kinds(data["seal_required_kinds"], f"{origin}:seal_required_kinds"),
            dated_kinds=_kinds(data["dated_kinds"], f"{origin}:dated_kinds"),
            kind_names={Kind(k): str(v) for k, v in data["kind_names"].items()},
            thresholds=tuple(thresholds),
            extra={k: v for k, v in data.items() if k not in {
                "name", "title", "findings", "severity_points", "fail_severities",
                "seal_required_kinds", "dated_kinds", "kind_names", "clarity"}},
        )
    except KeyError as exc:
        raise ProfileError(f"{origin}: missing key {exc}") from exc
    except (TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, ProfileError):
            raise
        raise ProfileError(f"{origin}: malformed profile ({exc})") from exc


def bundled_profiles() -> list[str]:
    return sorted(p.name[: -len(".json")] for p in resources.files("verify.profiles").iterdir()
                  if p.name.endswith(".json"))


def load_profile(name_or_path: str) -> Profile:
    """A bundled profile by name, or a profile JSON file by path."""
    path = Path(name_or_path)
    if path.suffix == ".json" or path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ProfileError(f"cannot read profile {path}: {exc}") from exc
        origin = str(path)
    else:
        res = resources.files("verify.profiles") / f"{name_or_path}.json"
        if not res.is_file():
            raise ProfileError(f"unknown profile {name_or_path!r} (bundled: "
                               f"{', '.join(bundled_profiles())})")
        text = res.read_text(encoding="utf-8")
        origin = name_or_path
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"{origin}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"{origin}: a profile is a JSON object")
    return parse_profile(data, origin)
