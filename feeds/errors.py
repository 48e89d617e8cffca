"""One exception hierarchy for the whole package; the CLI maps it to one-line errors."""

from __future__ import annotations


class FeedsError(Exception):
    """Base class of every error the CLI reports as a one-line `Error: ...`."""


class InputError(FeedsError):
    """A problem with one input file: renders as `path:line: message` (or `path: message`)."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class ConfigError(FeedsError):
    """Bad configuration: topic rules, options, paths."""
