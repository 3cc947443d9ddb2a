"""Exporters: one per format, all reading the same ``DocumentReport`` objects."""
