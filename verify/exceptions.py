"""Every exception verify raises. The library raises; only the CLI maps them to exit codes.

Modelled on OCRmyPDF's ``exceptions.py``: each class carries the exit code the command line
returns when the error ends a run.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes of ``verify check`` (report contract v1)."""

    ok = 0  # no finding of severity major or blocking
    findings = 1  # at least one major or blocking finding
    usage = 2  # bad flag, missing path, bad date, bad profile or manifest


class VerifyError(Exception):
    """Base class. ``exit_code`` is what the CLI returns if this ends the run."""

    exit_code: ExitCode = ExitCode.usage


class UsageError(VerifyError):
    """The command line, a manifest or a profile is wrong: the run cannot start."""

    exit_code = ExitCode.usage


class ProfileError(UsageError):
    """A rules profile is missing or malformed."""


class ManifestError(UsageError):
    """The applicants' manifest CSV is missing or malformed."""


class UnreadableDocument(VerifyError):
    """One input cannot be read. Never ends a run: it becomes an ``UNREADABLE`` finding.

    ``reason`` is a short English reason (the row's ``error``); ``reason_zh`` the reviewer's text.
    """

    exit_code = ExitCode.findings

    def __init__(self, reason: str, reason_zh: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_zh = reason_zh


class DocumentTimeout(UnreadableDocument):
    """A document took longer than the per-document time limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"processing exceeded the time limit of {seconds:g} s",
            f"处理超时（超过 {seconds:g} 秒），无法读取",
        )
