"""Policy documents that set targets: issuer, title, date, horizon and where the text is."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .registry import FieldSpec, check_reference, read_entries
from ..errors import UsageError
from ..paths import CATALOG_DIR, policies_dir
from .regions import is_region

_FIELDS = (
    FieldSpec("id", required=True),
    FieldSpec("region", required=True),
    FieldSpec("issuer", required=True),
    FieldSpec("title", required=True),
    FieldSpec("issued"),
    FieldSpec("horizon", "int"),
    FieldSpec("file"),
    FieldSpec("parents", "list"),
    FieldSpec("note"),
)


@dataclass(frozen=True)
class Document:
    """A plan or policy document.

    Attributes
    ----------
    id : str
        The document number (文号) where it has one, else the policy file name or the title.
    region : str
        Region the document governs.
    issuer, title : str
        Issuing body and title.
    issued : str or None
        Issue date (ISO) where known.
    horizon : int or None
        Final target year of the plan where it states one.
    file : str or None
        File name of the text in the policies folder.
    parents : tuple of str
        Ids of the documents it implements.
    note : str or None
        What a reader must know about the text.
    """

    id: str
    region: str
    issuer: str
    title: str
    issued: str | None
    horizon: int | None
    file: str | None
    parents: tuple[str, ...]
    note: str | None

    def text_path(self) -> Path | None:
        """Path of the document's text in the policies folder, or None if it has no file."""
        return policies_dir() / self.file if self.file else None


@cache
def _registry() -> dict[str, Document]:
    path = CATALOG_DIR / "documents.yaml"
    registry = {}
    for entry in read_entries(path, _FIELDS):
        check_reference(path, entry["id"], "region", entry["region"], is_region, "region")
        entry["parents"] = tuple(entry["parents"])
        registry[entry["id"]] = Document(**entry)
    return registry


def document(document_id: str) -> Document:
    """Return one document by id; raise :class:`UsageError` if unknown."""
    try:
        return _registry()[document_id]
    except KeyError:
        raise UsageError(f"unknown document {document_id!r}") from None


def is_document(document_id: str) -> bool:
    """Whether ``document_id`` is in the catalog."""
    return document_id in _registry()


def documents() -> pd.DataFrame:
    """All documents as a DataFrame indexed by id."""
    rows = [{**asdict(d), "parents": "; ".join(d.parents)} for d in _registry().values()]
    return pd.DataFrame(rows).set_index("id")
