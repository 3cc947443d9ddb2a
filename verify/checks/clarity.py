"""Clarity measurements of a page (五(一)1): sharpness, resolution, skew, contrast, crop, ink."""

from __future__ import annotations

from ..model import Measurement, PageText
from ..pages import Page


def measure_clarity(page: Page, text: PageText) -> tuple[Measurement, ...]:
    """Measurements the profile compares with its thresholds. Only the effective DPI so far."""
    if page.effective_dpi is None:
        return ()
    return (Measurement("effective_dpi", round(page.effective_dpi, 1)),)
