"""Text: normalisation, OCR engines, and reading a page's text."""
