"""Publish an executed report notebook as its code-free HTML page.

The batch calls :func:`publish` inside the kernel that ran the notebook, so the HTML export
(the heaviest part of a report after its own cells) runs in parallel in every kernel, while the
batch's threads only exchange messages with the kernels. The notebook itself writes its
downloads (:func:`ipindicators.reports.region_report.vintage`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat

from ..atomic import write_text
from ..catalog.regions import region as region_definition


class PublishError(RuntimeError):
    """A report's files could not be written (the message names the folder and why)."""


@lru_cache(maxsize=1)
def _html_exporter() -> Any:
    """One exporter per process: its templates are loaded once, not once per report."""
    from nbconvert import HTMLExporter

    return HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)


def notebook_html(notebook: nbformat.NotebookNode) -> str:
    """The notebook as a standalone HTML page without code or prompts."""
    body, _ = _html_exporter().from_notebook_node(notebook)
    return body


def page_title(region: str | None) -> str:
    """The HTML page's title: ``杭州市 Hangzhou — IP plan targets``, or the overview's."""
    if region is None:
        return "All regions — IP plan targets 知识产权规划目标"
    item = region_definition(region)
    names = " ".join(n for n in (item.name_zh, item.name_en) if n)
    return f"{names} — IP plan targets"


def publish(notebook_file: str, region: str | None = None) -> None:
    """Write ``<stem>.html`` beside the executed ``<stem>.ipynb``.

    Parameters
    ----------
    notebook_file : str
        The executed (and stabilised) notebook, already written.
    region : str, optional
        The region of a region report (its name titles the page); None for the overview.

    Raises
    ------
    PublishError
        When the page cannot be written; nothing is left half-written.
    """
    path = Path(notebook_file)
    try:
        notebook = nbformat.read(path, as_version=4)
        notebook.metadata["title"] = page_title(region)
        write_text(path.with_suffix(".html"), notebook_html(notebook))
    except OSError as exc:
        raise PublishError(f"cannot write to {path.parent}: {exc.strerror}") from None
