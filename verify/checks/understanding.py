"""What a document is and when: its kind, its dates and its achievement date (五(一)3)."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import DateMention, Kind, PageEvidence


@dataclass(frozen=True)
class Understanding:
    kind: Kind = Kind.other
    kind_reason: str | None = None
    dates: tuple[DateMention, ...] = ()
    achievement_date: DateMention | None = None
    title: str | None = None
    issuing_unit: str | None = None
    cover_missing: bool = False


def understand_document(pages: tuple[PageEvidence, ...]) -> Understanding:
    """Kind, dates and achievement date from the pages' text. No classifier yet: ``other``."""
    return Understanding()


def same_paper(title_a: str, title_b: str) -> bool:
    """Whether two titles name the same paper (exact match after normalisation for now)."""
    from ..text.normalize import compact

    return compact(title_a) == compact(title_b)
