"""Printed page numbers (``第 3 页 共 5 页``, ``- 3 -``, ``3/5``) for PAGES_MISSING."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import PageLabel, PageText


def find_page_label(text: PageText) -> PageLabel | None:
    """The page number printed in the header or footer, if any. Not implemented yet."""
    return None


@dataclass(frozen=True)
class PageGap:
    """Page numbering shows missing pages: the first page it concerns and a Chinese detail."""

    page: int | None
    detail: str


def pages_gap(labels: tuple[PageLabel | None, ...], page_count: int) -> PageGap | None:
    """Missing pages shown by the printed numbers. Not implemented yet."""
    return None
