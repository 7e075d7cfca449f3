"""Exceptions that say where bad input is and what is wrong with it."""

from __future__ import annotations


class IPIndicatorsError(Exception):
    """Base class of every error the package raises on purpose."""


class InputError(IPIndicatorsError):
    """Bad content in a file: names the file, the entry or row, the field and the problem.

    Parameters
    ----------
    path : str
        File that holds the bad input.
    problem : str
        What is wrong and, where useful, what was expected.
    entry : str or int, optional
        Entry id (catalogs) or 1-based line number in the file (tables).
    field : str, optional
        Field or column name.
    """

    def __init__(
        self,
        path: str,
        problem: str,
        entry: str | int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = str(path)
        self.entry = entry
        self.field = field
        self.problem = problem
        where = [self.path]
        if entry is not None:
            where.append(f"line {entry}" if isinstance(entry, int) else f"entry {entry!r}")
        if field is not None:
            where.append(f"field {field!r}")
        super().__init__(f"{', '.join(where)}: {problem}")


class CatalogError(InputError):
    """A catalog file (indicators, regions, documents, targets) is malformed."""


class DataError(InputError):
    """A statistics table is malformed."""


class UsageError(IPIndicatorsError):
    """A call asks for something that does not exist or cannot be answered."""
