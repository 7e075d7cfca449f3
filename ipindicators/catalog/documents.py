"""Policy documents that set targets: issuer, title, date, horizon and where the text is."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..paths import policies_dir
from .regions import is_region
from .registry import Entry, Registry, Text, Texts, Year, unknown_reference


class Document(Entry):
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

    region: Text
    issuer: Text
    title: Text
    issued: Text | None = None
    horizon: Year | None = None
    file: Text | None = None
    parents: Texts = ()
    note: Text | None = None

    def text_path(self) -> Path | None:
        """Path of the document's text in the policies folder, or None if it has no file."""
        return policies_dir() / self.file if self.file else None

    def problems(self, siblings: Mapping[str, Entry]) -> Iterator[tuple[str, str]]:
        problem = unknown_reference(self.region, is_region, "region")
        if problem:
            yield "region", problem


DOCUMENTS = Registry(Document, "documents.yaml", "document")


def document(document_id: str) -> Document:
    """Return one document by id; raise :class:`UsageError` if unknown."""
    return DOCUMENTS.get(document_id)


def is_document(document_id: str) -> bool:
    """Whether ``document_id`` is in the catalog."""
    return document_id in DOCUMENTS


def documents() -> Any:
    """All documents as a DataFrame indexed by id."""
    return DOCUMENTS.frame()
