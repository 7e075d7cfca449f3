"""The report batch: run the region notebook for many regions with papermill, then index them.

Each region's notebook runs in its own kernel. Kernels talk over IPC sockets in a private
folder rather than TCP ports, so many can start at once (in worker processes or on a Dask
cluster) without racing for the same ports. A region that fails keeps its executed notebook
with the error; the batch goes on and reports it. Every file is written to a temporary name
and renamed into place.

Output folder layout::

    OUT/index.html                 every region with its status, linking its report
    OUT/summary.csv                one row per target: the assessment columns and the report
    OUT/overview.ipynb, .html      all regions side by side
    OUT/<region>/report.ipynb      the executed notebook
    OUT/<region>/report.html       the same without code
"""

from __future__ import annotations

import html
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import nbformat
import pandas as pd
import papermill
from jupyter_client.manager import AsyncKernelManager
from nbconvert import HTMLExporter
from tqdm.auto import tqdm

from ..atomic import write_text
from ..catalog.regions import is_region
from ..catalog.regions import region as region_definition
from ..catalog.targets import regions_with_targets, targets_for
from ..data.store import observations as load_observations
from ..errors import UsageError
from ..models import DEFAULT_MODEL
from ..models.assess import COLUMNS
from ..models.forecast import check_models
from ..params import CountFrom, as_of_date, check_count_from, check_jobs, check_paths, check_seed
from ..paths import notebooks_dir, processed_dir
from .downloads import write_downloads
from .region_report import VERDICTS, download_tables, read_assessment, verdict_label

REGION_NOTEBOOK = "region_report.ipynb"
OVERVIEW_NOTEBOOK = "overview.ipynb"
SUMMARY_COLUMNS = [*COLUMNS, "report"]
SCHEDULER_TIMEOUT = "5s"
_SAFE_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")


def notebook_path(name: str) -> Path:
    """Path of one of the project's report notebooks (``notebooks/`` of the checkout)."""
    return notebooks_dir() / name


@dataclass(frozen=True)
class ReportTask:
    """One notebook run: which notebook, where to write it, and its parameters."""

    notebook: str
    folder: str
    stem: str
    parameters: dict
    progress: bool = False


@dataclass(frozen=True)
class RegionRun:
    """Outcome of one region's report."""

    region: str
    ok: bool
    error: str = ""
    seconds: float = 0.0
    notebook: str | None = None
    html: str | None = None
    assessment: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COLUMNS))


@dataclass(frozen=True)
class BatchResult:
    """What a batch wrote and which regions failed."""

    out: Path
    runs: list[RegionRun]
    overview: RegionRun | None
    write_errors: tuple[str, ...] = ()

    @property
    def passed(self) -> int:
        """Number of regions whose report ran to the end."""
        return sum(run.ok for run in self.runs)

    @property
    def ok(self) -> bool:
        """Whether every region and the overview succeeded."""
        overview_ok = self.overview is None or self.overview.ok
        return self.passed == len(self.runs) and overview_ok and not self.write_errors

    def message(self) -> str:
        """Human summary: ``passed k/n``, each failure by name, and where the index is."""
        lines = [f"passed {self.passed}/{len(self.runs)}"]
        lines += [f"FAILED {run.region}: {run.error}" for run in self.runs if not run.ok]
        if self.overview is not None and not self.overview.ok:
            lines.append(f"FAILED overview: {self.overview.error}")
        lines += [f"FAILED {problem}" for problem in self.write_errors]
        if not any("index.html" in problem for problem in self.write_errors):
            lines.append(f"index: {self.out / 'index.html'}")
        return "\n".join(lines)


def _kernel_manager_in(folder: Path) -> type[AsyncKernelManager]:
    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(transport="ipc", ip=str(folder / "kernel"), **kwargs)

    return IPCKernelManager


_VOLATILE_RUN_KEYS = (
    "start_time",
    "end_time",
    "duration",
    "input_path",
    "output_path",
    "environment_variables",
)


def stable_notebook(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The executed notebook without what changes from run to run.

    Cell ids become their position (``cell-000`` …); papermill's start, end and duration
    times, the scratch paths it ran in, the kernel's execution timestamps and the memory
    addresses in object reprs are dropped; text
    a cell printed in several messages (how it is split depends on timing) becomes one output
    per stream. The same inputs and seed then give byte-identical notebooks and HTML.
    """
    run = notebook.metadata.get("papermill", {})
    for key in _VOLATILE_RUN_KEYS:
        run.pop(key, None)
    for position, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{position:03d}"
        if cell.cell_type == "code":
            cell.outputs = _coalesced_streams(cell.outputs)
            for output in cell.outputs:
                _drop_addresses(output)
        cell.metadata.pop("execution", None)
        for key in _VOLATILE_RUN_KEYS:
            cell.metadata.get("papermill", {}).pop(key, None)
    return notebook


_ADDRESS = re.compile(r" at 0x[0-9a-f]+>")


def _drop_addresses(output: dict) -> None:
    """Object reprs such as ``<Styler at 0x7f…>`` carry a memory address: keep the type only."""
    plain = output.get("data", {}).get("text/plain")
    if isinstance(plain, str):
        output["data"]["text/plain"] = _ADDRESS.sub(">", plain)
    elif isinstance(plain, list):
        output["data"]["text/plain"] = [_ADDRESS.sub(">", line) for line in plain]


def _coalesced_streams(outputs: list) -> list:
    merged: list = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.get("output_type") == "stream"
            and previous is not None
            and previous.get("output_type") == "stream"
            and previous.get("name") == output.get("name")
        ):
            previous["text"] = previous["text"] + output["text"]
        else:
            merged.append(output)
    return merged


def _to_html(notebook: nbformat.NotebookNode) -> str:
    exporter = HTMLExporter(
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(notebook)
    return body


def _embedded_observations() -> pd.DataFrame:
    """The figures the downloads list: read once per build and process, not once per region."""
    source = processed_dir() / "observations.csv"
    stamp = source.stat().st_mtime_ns if source.is_file() else 0
    return _observations_as_of(str(source), stamp)


@lru_cache(maxsize=1)
def _observations_as_of(source: str, stamp: int) -> pd.DataFrame:
    return load_observations()


def run_notebook(task: ReportTask) -> RegionRun:
    """Execute one notebook with papermill and write ``.ipynb`` and code-free ``.html``.

    Runs in a worker process or on a Dask worker; never raises for a failing notebook, which
    is kept with its error.
    """
    folder = Path(task.folder)
    name = str(task.parameters.get("region", task.stem))
    started = time.perf_counter()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return RegionRun(name, False, f"cannot write to {folder}: {exc.strerror}", 0.0)
    # The kernel's IPC sockets live here: a short path in the system's temporary folder, so the
    # 107-character limit of a socket path holds whatever --out is.
    scratch = Path(tempfile.mkdtemp(prefix="ipi-"))
    executed = scratch / f"{task.stem}.ipynb"
    error = ""
    try:
        papermill.execute_notebook(
            task.notebook,
            str(executed),
            parameters=task.parameters,
            kernel_name="python3",
            progress_bar={"desc": name, "leave": False} if task.progress else False,
            log_output=False,
            cwd=str(scratch),
            kernel_manager_class=_kernel_manager_in(scratch),
            # the kernel's own log (an interrupt at shutdown) is noise for a batch
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except Exception as exc:  # the notebook keeps the error; the batch goes on
        error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[-1] if str(exc).strip() else ''}"
    try:
        if not executed.is_file():
            return RegionRun(
                name, False, error or "the notebook was not written", time.perf_counter() - started
            )
        notebook = stable_notebook(nbformat.read(executed, as_version=4))
        write_text(folder / f"{task.stem}.html", _to_html(notebook))
        write_text(folder / f"{task.stem}.ipynb", nbformat.writes(notebook) + "\n")
        assessment = read_assessment(notebook)
        if "region" in task.parameters and not error:
            region_id = str(task.parameters["region"])
            tables = download_tables(region_id, _embedded_observations(), assessment)
            write_downloads(folder, tables)
    except OSError as exc:
        return RegionRun(
            name, False, f"cannot write to {folder}: {exc.strerror}", time.perf_counter() - started
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return RegionRun(
        name,
        not error,
        error,
        time.perf_counter() - started,
        str(folder / f"{task.stem}.ipynb"),
        str(folder / f"{task.stem}.html"),
        assessment,
    )


def _check_parameters(as_of: int | str | None, n_paths: int, seed: int, models: str) -> None:
    if as_of is not None and not isinstance(as_of, (int, str)):
        raise UsageError(f"as_of must be a year or an ISO date, not {as_of!r}")
    as_of_date(as_of)
    check_paths(n_paths)
    check_seed(seed)
    if not isinstance(models, str):
        raise UsageError(f"models must be one name, not {models!r}")
    check_models(models)


def _remove_leftovers(out: Path) -> None:
    """Scratch folders of runs that were killed (``.run-*`` from earlier versions)."""
    if out.is_dir():
        for leftover in out.glob("*/.run-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for leftover in out.glob(".run-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def _region_problem(region: object) -> str:
    if not isinstance(region, str) or not _SAFE_ID.fullmatch(region) or not is_region(region):
        return f"unknown region {str(region)!r}; see `ipindicators regions`"
    return ""


def _run_all(
    tasks: list[ReportTask],
    jobs: int,
    scheduler: str | None,
    on_done: Callable[[RegionRun], None],
) -> list[RegionRun]:
    if scheduler:
        from distributed import Client
        from distributed import as_completed as dask_completed

        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise UsageError(
                f"cannot reach the Dask scheduler at {scheduler} within {SCHEDULER_TIMEOUT} "
                f"({type(exc).__name__})"
            ) from None
        with client:
            futures = client.map(run_notebook, tasks, pure=False)
            results = []
            for future in dask_completed(futures):
                results.append(future.result())
                on_done(results[-1])
            return results
    if jobs <= 1 or len(tasks) <= 1:
        results = []
        for task in tasks:
            results.append(run_notebook(task))
            on_done(results[-1])
        return results
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        pending = [pool.submit(run_notebook, task) for task in tasks]
        results = []
        for done in as_completed(pending):
            results.append(done.result())
            on_done(results[-1])
        return results


def _failed_rows(run: RegionRun) -> pd.DataFrame:
    rows = (
        [
            {
                "target_id": t.id,
                "region": run.region,
                "indicator": t.indicator,
                "target_value": t.value,
                "target_year": t.year,
                "comparator": t.comparator,
                "status": "report_failed",
                "reason": run.error,
            }
            for t in targets_for(run.region, inherit=True)
        ]
        if is_region(run.region)
        else []
    )
    return pd.DataFrame(rows, columns=COLUMNS)


def summary_table(runs: Iterable[RegionRun], out: Path) -> pd.DataFrame:
    """One row per target of every region: the assessment columns and the report's path."""
    frames = []
    for run in sorted(runs, key=lambda r: r.region):
        frame = run.assessment if run.ok else _failed_rows(run)
        frame = frame.astype(object)
        frame["report"] = os.path.relpath(run.html, out) if run.html else ""
        frames.append(frame)
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    return pd.concat(frames, ignore_index=True)[SUMMARY_COLUMNS]


def index_html(
    result_runs: Sequence[RegionRun], out: Path, overview: RegionRun | None, as_of: int | None
) -> str:
    """The batch's index page: each region, its status, its number of targets and its report."""

    def link(path: str | None, label: str) -> str:
        if not path:
            return ""
        return f'<a href="{html.escape(os.path.relpath(path, out))}">{label}</a>'

    verdicts = list(VERDICTS)
    rows = []
    for run in sorted(result_runs, key=lambda r: r.region):
        name = html.escape(run.region)
        if is_region(run.region):
            item = region_definition(run.region)
            name = html.escape(" · ".join(n for n in (item.name_zh, item.name_en) if n))
        status = (
            ""
            if run.ok
            else f'<td colspan="{len(verdicts) + 1}">failed: {html.escape(run.error)}</td>'
        )
        if run.ok:
            counts = run.assessment["verdict"].value_counts()
            cells = "".join(f"<td>{counts.get(v, 0) or ''}</td>" for v in verdicts)
            status = f"<td>{len(run.assessment)}</td>{cells}"
        rows.append(
            f'<tr class="{"ok" if run.ok else "failed"}"><td>{name}</td>{status}'
            f"<td>{link(run.html, 'report')} {link(run.notebook, 'notebook')}</td></tr>"
        )
    overview_line = ""
    if overview is not None:
        state = "" if overview.ok else f" (failed: {html.escape(overview.error)})"
        overview_line = f"<p>{link(overview.html, 'All regions side by side')}{state}</p>"
    passed = sum(r.ok for r in result_runs)
    when = (
        "the figures public today"
        if as_of is None
        else f"the figures public on 31 December {as_of}"
    )
    heads = "".join(f"<th>{html.escape(verdict_label(v))}</th>" for v in verdicts)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>ipindicators reports</title><style>"
        "body{font-family:sans-serif;margin:2em}td,th{padding:.3em .8em;text-align:left}"
        "tr.failed{background:#fdd}</style></head><body>"
        f"<h1>IP plan targets: regional reports</h1><p>Assessed from {when}. "
        f'{passed} of {len(result_runs)} reports written; <a href="summary.csv">summary.csv</a> '
        "has one row per target, with the same probabilities and verdicts as the reports.</p>"
        f"{overview_line}<table><tr><th>region</th><th>targets</th>{heads}<th>report</th></tr>"
        f"{''.join(rows)}</table></body></html>\n"
    )


def report(
    regions: Sequence[str] | None = None,
    as_of: int | None = None,
    out: str | Path = "reports",
    jobs: int = 1,
    scheduler: str | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    models: str = DEFAULT_MODEL,
    count_from: CountFrom = "release",
    overview: bool = True,
    progress: bool | None = None,
) -> BatchResult:
    """Write every requested region's report, the summary table, the overview and the index.

    Parameters
    ----------
    regions : sequence of str, optional
        Region ids (default: every region with targets of its own). Unknown ids are reported
        as failures by name and nothing is written for them.
    as_of : int, optional
        Use figures up to 31 December of this year (default: all figures to date).
    out : str or Path
        Output folder; region reports go to ``out/<region>/``.
    jobs : int
        Worker processes running notebooks at once.
    scheduler : str, optional
        Address of a Dask distributed scheduler to run the notebooks on instead; its workers
        need ``ipindicators`` installed and ``out`` on a shared file system.
    n_paths, seed, models, count_from
        Forecast settings passed to every notebook.
    overview : bool
        Also run the all-regions overview notebook (when at least one region succeeded).
    progress : bool, optional
        Show progress bars (default: only when standard error is a terminal).

    Returns
    -------
    BatchResult
        The runs; ``result.ok`` is False if any region (or the overview) failed.
    """
    _check_parameters(as_of, n_paths, seed, models)
    check_jobs(jobs)
    out = Path(out).resolve()
    _remove_leftovers(out)
    chosen = list(regions) if regions else regions_with_targets()
    show = sys.stderr.isatty() if progress is None else progress
    problems = {str(r): _region_problem(r) for r in chosen}
    runs = [RegionRun(r, False, problem) for r, problem in problems.items() if problem]
    check_count_from(count_from)
    settings = {
        "as_of": as_of,
        "n_paths": n_paths,
        "seed": seed,
        "models": models,
        "count_from": count_from,
    }
    tasks = [
        ReportTask(
            str(notebook_path(REGION_NOTEBOOK)),
            str(out / r),
            "report",
            {"region": r, **settings},
            progress=show and jobs == 1 and not scheduler,
        )
        for r, problem in problems.items()
        if not problem
    ]
    with tqdm(total=len(tasks), desc="regions", unit="region", disable=not show) as bar:

        def done(run: RegionRun) -> None:
            bar.set_postfix_str(f"{run.region} {'ok' if run.ok else 'FAILED'}")
            bar.update()

        runs += _run_all(tasks, jobs, scheduler, done)
    summary = summary_table(runs, out)
    write_errors: list[str] = []
    summary_written = _write_or_report(
        out / "summary.csv", summary.to_csv(index=False, lineterminator="\n"), write_errors
    )
    overview_run = None
    if overview and summary_written and any(run.ok for run in runs):
        overview_run = run_notebook(
            ReportTask(
                str(notebook_path(OVERVIEW_NOTEBOOK)),
                str(out),
                "overview",
                {"summary_csv": str(out / "summary.csv"), **settings},
            )
        )
    _write_or_report(out / "index.html", index_html(runs, out, overview_run, as_of), write_errors)
    return BatchResult(
        out, sorted(runs, key=lambda r: r.region), overview_run, tuple(write_errors)
    )


def _write_or_report(path: Path, text: str, problems: list[str]) -> bool:
    """Write ``path``; on a disk error note it (the batch still reports what it did)."""
    try:
        write_text(path, text)
    except OSError as exc:
        problems.append(f"writing {path.name}: cannot write to {path.parent}: {exc.strerror}")
        return False
    return True
