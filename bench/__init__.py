"""Benchmarks and accuracy evaluations (run by hand; figures go to the README)."""
