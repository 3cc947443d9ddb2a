"""Checks: each module is a pure function over a page or a document's pages that returns
evidence (never findings: the profile's rules turn evidence into findings)."""
