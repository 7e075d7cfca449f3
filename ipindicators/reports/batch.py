"""The report batch: run the region notebook for many regions with papermill, then index them.

Each worker (the calling thread with one job, else one thread per job here, or one lane per
Dask worker thread) keeps one warm kernel and runs its regions' notebooks on it in turn, the
kernel reset between notebooks (:mod:`ipindicators.reports.kernels`): the import of the
modelling and plotting stack and the kernel's start are paid once per worker, not once per
region. A report's HTML and downloads are made in the kernel that ran it (:mod:`.publish`), so
this process only exchanges messages with the kernels and writes the notebooks. A region that
fails keeps its executed notebook with the error; the batch goes on and reports it, and a
kernel that died is replaced. Every file is written to a temporary name and renamed into place.

Output folder layout::

    OUT/index.html                 every region with its status, linking its report
    OUT/summary.csv                one row per target: the assessment columns and the report
    OUT/overview.ipynb, .html      all regions side by side
    OUT/<region>/report.ipynb      the executed notebook
    OUT/<region>/report.html       the same without code
    OUT/<region>/{figures,targets,assessment}.{csv,xlsx}   the region's tables for download
    OUT/<region>/.inputs.json      the key of the report's inputs (:mod:`.incremental`)
    OUT/<region>/.previous/        the assessment and figures of the report's previous version
    OUT/changes.{csv,html}         what changed in the latest run that changed anything
    OUT/summary.previous.csv       the summary before that run; figures_index.csv its figures
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import io
import json
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import nbformat
import pandas as pd

from ..atomic import write_bytes, write_text
from ..catalog.regions import is_region, region_id
from ..catalog.regions import region as region_definition
from ..catalog.targets import regions_with_targets, targets_for
from ..data.store import observations as load_observations
from ..errors import UsageError
from ..models import DEFAULT_MODEL
from ..models.pooling import family_priors
from ..models.results import COLUMNS
from ..models.settings import Settings
from ..params import CountFrom, as_of_date, check_jobs
from ..paths import data_in_use, notebooks_dir
from .format import rounded
from .incremental import (
    FIGURE_COLUMNS,
    KEY_FILE,
    PREVIOUS,
    changes,
    changes_html,
    figure_index,
    keep_previous_version,
    read_previous,
    region_key,
    stored_key,
    write_key,
)
from .kernels import KernelError, KernelSlot, WarmKernel, close_event_loop
from .publish import PublishError, publish
from .region_report import VERDICTS, own_targets, read_assessment, verdict_label

ASSESSMENT_FILE = "assessment.csv"
"""The assessment a region's notebook writes for download, which the summary stacks."""

REGION_NOTEBOOK = "region_report.ipynb"
OVERVIEW_NOTEBOOK = "overview.ipynb"
SUMMARY_COLUMNS = [*COLUMNS, "report"]
PUBLISH = "ipindicators.reports.publish:publish"
OVERVIEW_MODULES = (
    "itables",
    "ipindicators.models.assess",
    "ipindicators.reports.overview",
    "ipindicators.reports.plots",
    "ipindicators.reports.publish",
)
"""What the overview notebook imports, loaded on the client's kernel while a cluster runs the
regions."""
SCHEDULER_TIMEOUT = "5s"
NO_WORKER_SECONDS = 30.0
"""How long a Dask batch waits for a worker while its cluster has none."""
WATCH_SECONDS = 1.0
"""How often a Dask batch checks that its cluster still has workers."""
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

    @property
    def name(self) -> str:
        """What the run is reported as: its region, else the notebook's stem."""
        return str(self.parameters.get("region", self.stem))


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
        """Human summary: ``wrote k of n reports``, each failure by name, and where the index
        is."""
        lines = [f"wrote {self.passed} of {len(self.runs)} reports"]
        lines += [f"FAILED {run.region}: {run.error}" for run in self.runs if not run.ok]
        if self.overview is not None and not self.overview.ok:
            lines.append(f"FAILED overview: {self.overview.error}")
        lines += [f"FAILED {problem}" for problem in self.write_errors]
        if not any("index.html" in problem for problem in self.write_errors):
            lines.append(f"index: {self.out / 'index.html'}")
        return "\n".join(lines)


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


def _publish(kernel: WarmKernel, notebook_file: Path, region: str | None) -> None:
    """The report's HTML page, made in the kernel that ran it (here if it died)."""
    if not kernel.alive:
        publish(str(notebook_file), region)
        return
    try:
        kernel.call(PUBLISH, notebook_file=str(notebook_file), region=region)
    except KernelError as exc:
        if exc.name == PublishError.__name__:
            raise PublishError(exc.value) from None
        raise


def _error_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[-1] if text else ''}"


def run_notebook(task: ReportTask, kernel: WarmKernel | None = None) -> RegionRun:
    """Execute one notebook with papermill and write ``.ipynb`` and code-free ``.html``.

    Parameters
    ----------
    task : ReportTask
        The notebook, its parameters and where to write it.
    kernel : WarmKernel, optional
        The kernel to run it on (reset first); default: a kernel started for this notebook.

    Returns
    -------
    RegionRun
        Never raises for a failing notebook, which is kept with its error.
    """
    if kernel is None:
        try:
            with WarmKernel() as own:
                return run_notebook(task, own)
        except KernelError as exc:
            return RegionRun(task.name, False, str(exc))
    folder = Path(task.folder)
    name = task.name
    started = time.perf_counter()
    downloaded = folder / ASSESSMENT_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        downloaded.unlink(missing_ok=True)  # the table the run writes, never an older one
    except OSError as exc:
        return RegionRun(name, False, f"cannot write to {folder}: {exc.strerror}", 0.0)
    error = ""
    executed: nbformat.NotebookNode | None
    try:
        executed = kernel.execute_notebook(task.notebook, task.parameters, cwd=folder)
    except Exception as exc:  # the notebook keeps the error; the batch goes on
        error = _error_line(exc)
        executed = kernel.last_notebook
    if executed is None:
        return RegionRun(
            name, False, error or "the notebook was not run", time.perf_counter() - started
        )
    try:
        notebook = stable_notebook(executed)
        written = folder / f"{task.stem}.ipynb"
        write_text(written, nbformat.writes(notebook) + "\n")
        region = task.parameters.get("region")
        _publish(kernel, written, None if region is None else str(region))
    except OSError as exc:
        return RegionRun(
            name, False, f"cannot write to {folder}: {exc.strerror}", time.perf_counter() - started
        )
    except (KernelError, PublishError) as exc:
        return RegionRun(name, False, str(exc), time.perf_counter() - started)
    run = RegionRun(
        name,
        not error,
        error,
        time.perf_counter() - started,
        str(folder / f"{task.stem}.ipynb"),
        str(folder / f"{task.stem}.html"),
    )
    if error or region is None:
        return run
    try:
        return replace(run, assessment=read_assessment(downloaded))
    except (OSError, ValueError) as exc:
        why = f"the notebook wrote no readable {ASSESSMENT_FILE}: {exc}"
        return replace(run, ok=False, error=why)


def _remove_leftovers(out: Path) -> None:
    """Scratch folders of runs that were killed (``.run-*`` from earlier versions)."""
    if out.is_dir():
        for leftover in out.glob("*/.run-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        for leftover in out.glob(".run-*"):
            shutil.rmtree(leftover, ignore_errors=True)


def _resolved(region: object) -> tuple[str, str]:
    """The region's id (from an id or a name) and, if there is none, why."""
    try:
        found = region_id(region)  # type: ignore[arg-type]
    except UsageError as exc:
        return str(region), str(exc)
    if not _SAFE_ID.fullmatch(found) or not is_region(found):
        return found, f"unknown region {found!r}; see `ipindicators regions`"
    return found, ""


def _run_in_slot(slot: KernelSlot, task: ReportTask) -> RegionRun:
    """One task on the slot's kernel; whatever goes wrong is this region's failure only."""
    try:
        return run_notebook(task, slot.kernel())
    except KernelError as exc:
        return RegionRun(task.name, False, str(exc))
    except Exception as exc:  # a fault of the batch itself: the other regions still run
        slot.shutdown()
        return RegionRun(task.name, False, _error_line(exc))


@dataclass(frozen=True)
class LaneResult:
    """What a Dask lane sends back for one region: its run and the files it wrote."""

    run: RegionRun
    files: dict[str, bytes]


def _run_lane(tasks: Sequence[ReportTask]) -> list[LaneResult]:
    """Run tasks one after another on one kernel started and stopped here (a Dask task).

    Each report is written to a scratch folder on the worker and sent back whole, so the
    workers need no file system shared with the client.
    """
    slot = KernelSlot()
    results = []
    try:
        with tempfile.TemporaryDirectory(prefix="ipi-lane-") as scratch:
            for number, task in enumerate(tasks):
                here = Path(scratch) / str(number)
                run = _run_in_slot(slot, replace(task, folder=str(here)))
                files = {
                    str(path.relative_to(here)): path.read_bytes()
                    for path in sorted(here.rglob("*"))
                    if path.is_file()
                }
                results.append(LaneResult(run, files))
    finally:
        slot.shutdown()
        close_event_loop()
    return results


def _received(task: ReportTask, result: LaneResult) -> RegionRun:
    """Write a lane's files for ``task`` into its folder here; the run with these paths."""
    folder = Path(task.folder)
    run = result.run
    try:
        for name, data in result.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            write_bytes(folder / name, data)
    except OSError as exc:
        return replace(run, ok=False, error=f"cannot write to {folder}: {exc.strerror}")
    here = {name: str(folder / name) for name in result.files}
    return replace(
        run,
        notebook=here.get(f"{task.stem}.ipynb"),
        html=here.get(f"{task.stem}.html"),
    )


def task_cost(task: ReportTask) -> int:
    """A report's expected work: its region's number of targets plus one (the rest)."""
    region = task.parameters.get("region")
    if isinstance(region, str) and is_region(region):
        return len(targets_for(region, inherit=True)) + 1
    return 1


def largest_first(tasks: Sequence[ReportTask]) -> list[ReportTask]:
    """Tasks by decreasing expected work, so no worker is left with a big one at the end."""
    return sorted(tasks, key=lambda t: (-task_cost(t), t.folder))


def lanes(tasks: Sequence[ReportTask], count: int) -> list[list[ReportTask]]:
    """Split tasks into at most ``count`` lanes of about equal expected work.

    The largest task goes first, each into the lane with least work so far
    (:func:`task_cost`).
    """
    count = max(1, min(count, len(tasks)))
    assigned: list[list[ReportTask]] = [[] for _ in range(count)]
    work = [0] * count
    for task in largest_first(tasks):
        lane = work.index(min(work))
        assigned[lane].append(task)
        work[lane] += task_cost(task)
    return [lane for lane in assigned if lane]


class _Workers:
    """Where notebooks run: here on one warm kernel (one job)."""

    def __init__(self) -> None:
        self._slot = KernelSlot()

    def map(
        self, tasks: Sequence[ReportTask], on_done: Callable[[RegionRun], None]
    ) -> list[RegionRun]:
        results = []
        for task in tasks:
            results.append(self.run(task))
            on_done(results[-1])
        return results

    def run(self, task: ReportTask) -> RegionRun:
        return _run_in_slot(self._slot, task)

    def close(self) -> None:
        self._slot.shutdown()


class _ThreadWorkers(_Workers):
    """``jobs`` threads here, each with its warm kernel, taking regions from one queue.

    The notebooks' work runs in the kernels' processes; a thread only sends cells and writes
    the results, so threads (sharing this process's imports) cost less than worker processes.
    Each thread starts its kernel at once and stops it when the workers close.
    """

    def __init__(self, jobs: int) -> None:
        self._inbox: queue.Queue[ReportTask | None] = queue.Queue()
        self._outbox: queue.Queue[RegionRun] = queue.Queue()
        self._threads = [
            threading.Thread(target=self._work, name=f"ipindicators-kernel-{n}", daemon=True)
            for n in range(jobs)
        ]
        for thread in self._threads:
            thread.start()

    def _work(self) -> None:
        slot = KernelSlot()
        try:
            with contextlib.suppress(KernelError):  # the first task tries again and says why
                slot.kernel()
            while (task := self._inbox.get()) is not None:
                self._outbox.put(_run_in_slot(slot, task))
        finally:
            slot.shutdown()
            close_event_loop()

    def map(
        self, tasks: Sequence[ReportTask], on_done: Callable[[RegionRun], None]
    ) -> list[RegionRun]:
        for task in largest_first(tasks):
            self._inbox.put(task)
        results = []
        for _ in tasks:
            results.append(self._outbox.get())
            on_done(results[-1])
        return results

    def run(self, task: ReportTask) -> RegionRun:
        return self.map([task], lambda run: None)[0]

    def close(self) -> None:
        for _ in self._threads:
            self._inbox.put(None)
        for thread in self._threads:
            thread.join()


class _DaskWorkers(_Workers):
    """A Dask cluster: one lane of regions per worker thread, each lane on its own kernel.

    The regions' files come back to the client, which writes them; the overview runs here, on
    a kernel of the client (:meth:`_Workers.run`), as it reads the client's summary.
    """

    def __init__(self, scheduler: str) -> None:
        from distributed import Client

        try:
            self._client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise UsageError(
                f"cannot reach the Dask scheduler at {scheduler} within {SCHEDULER_TIMEOUT} "
                f"({type(exc).__name__})"
            ) from None
        super().__init__()

    def map(
        self, tasks: Sequence[ReportTask], on_done: Callable[[RegionRun], None]
    ) -> list[RegionRun]:
        threads = sum(self._client.nthreads().values())
        split = lanes(tasks, threads)
        futures = self._client.map(_run_lane, split, pure=False)
        lane_of = {future.key: lane for future, lane in zip(futures, split)}
        with contextlib.suppress(KernelError):  # the overview's kernel, warmed while lanes run
            self._slot.kernel().preload(OVERVIEW_MODULES)
        results = []
        for runs in self._as_lanes_end(futures, lane_of):
            for run in runs:
                results.append(run)
                on_done(run)
        return results

    def _as_lanes_end(self, futures: list, lane_of: dict) -> Iterator[list[RegionRun]]:
        """Each lane's runs as it ends. A lane whose worker died fails with the reason; when the
        cluster has had no worker for :data:`NO_WORKER_SECONDS`, every lane still waiting fails
        (a cluster without a nanny does not replace a dead worker)."""
        from distributed import wait

        pending = set(futures)
        alone_since: float | None = None
        while pending:
            try:
                finished = wait(pending, timeout=WATCH_SECONDS, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                finished = set()
            for future in finished:
                pending.discard(future)
                lane = lane_of[future.key]
                try:
                    yield [_received(t, r) for t, r in zip(lane, future.result())]
                except Exception as exc:  # a worker died: its lane's regions failed
                    yield [RegionRun(t.name, False, _error_line(exc)) for t in lane]
            if not pending or self._client.nthreads():
                alone_since = None
                continue
            alone_since = alone_since or time.monotonic()
            if time.monotonic() - alone_since >= NO_WORKER_SECONDS:
                reason = (
                    f"the Dask cluster has had no worker for {NO_WORKER_SECONDS:.0f} s "
                    "(a worker died and none replaced it); the region was not run"
                )
                for future in sorted(pending, key=lambda f: str(f.key)):
                    future.cancel()
                    yield [RegionRun(t.name, False, reason) for t in lane_of[future.key]]
                return

    def close(self) -> None:
        super().close()
        self._client.close()


def _workers(jobs: int, scheduler: str | None, tasks: int) -> _Workers:
    if scheduler:
        return _DaskWorkers(scheduler)
    if jobs <= 1 or tasks <= 1:
        return _Workers()
    return _ThreadWorkers(jobs)


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
    return rounded(pd.concat(frames, ignore_index=True)[SUMMARY_COLUMNS])


def index_html(
    result_runs: Sequence[RegionRun],
    out: Path,
    overview: RegionRun | None,
    as_of: dt.date | None,
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
            else f'<td colspan="{len(verdicts) + 2}">failed: {html.escape(run.error)}</td>'
        )
        if run.ok:
            own = own_targets(run.assessment)
            counts = own["verdict"].value_counts()
            cells = "".join(f"<td>{counts.get(v, 0) or ''}</td>" for v in verdicts)
            parents = len(run.assessment) - len(own)
            status = f"<td>{len(own)}</td>{cells}<td>{parents or ''}</td>"
        rows.append(
            f'<tr class="{"ok" if run.ok else "failed"}"><td>{name}</td>{status}'
            f"<td>{link(run.html, 'report')} {link(run.notebook, 'notebook')}</td></tr>"
        )
    changed = (
        '<p><a href="changes.html">What changed</a> in the latest run that changed anything.</p>'
        if (out / "changes.html").is_file()
        else ""
    )
    overview_line = ""
    if overview is not None:
        state = "" if overview.ok else f" (failed: {html.escape(overview.error)})"
        overview_line = f"<p>{link(overview.html, 'All regions side by side')}{state}</p>"
    passed = sum(r.ok for r in result_runs)
    when = (
        "the figures public today"
        if as_of is None
        else f"the figures public on {as_of.isoformat()}"
    )
    heads = "".join(f"<th>{html.escape(verdict_label(v))}</th>" for v in verdicts)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>ipindicators reports</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:.85em}"
        "td,th{padding:.25em .45em;text-align:left;border-bottom:1px solid #ddd}"
        "th{vertical-align:bottom;font-weight:600;max-width:5.5em}td:first-child{min-width:7em}"
        "td:last-child{white-space:nowrap}"
        "tr.failed{background:#fdd}</style></head><body>"
        f"<h1>IP plan targets: regional reports</h1><p>Assessed from {when}, in "
        f"{html.escape(data_in_use().describe())}. "
        f'{passed} of {len(result_runs)} reports written; <a href="summary.csv">summary.csv</a> '
        "has one row per target, with the same probabilities and verdicts as the reports. "
        "Verdicts count each region's own targets; per-capita targets of a parent's plan "
        "(flagged <code>inherited</code> in the summary) are shown apart in its report.</p>"
        f"{overview_line}{changed}<table><tr><th>region</th><th>own targets</th>{heads}"
        "<th>parent-plan targets (for reference)</th><th>report</th></tr>"
        f"{''.join(rows)}</table></body></html>\n"
    )


def report(
    regions: Sequence[str] | None = None,
    as_of: int | str | None = None,
    out: str | Path = "reports",
    jobs: int = 1,
    scheduler: str | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    models: str = DEFAULT_MODEL,
    count_from: CountFrom = "release",
    overview: bool = True,
    progress: bool | None = None,
    force: bool = False,
) -> BatchResult:
    """Write every requested region's report, the summary table, the overview and the index.

    Parameters
    ----------
    regions : sequence of str, optional
        Region ids (default: every region with targets of its own). Unknown ids are reported
        as failures by name and nothing is written for them.
    as_of : int or str, optional
        Use the figures public by 31 December of this year, or by this ISO date (default:
        today).
    out : str or Path
        Output folder; region reports go to ``out/<region>/``.
    jobs : int
        Kernels running notebooks at once (each driven by a thread of this process).
    scheduler : str, optional
        Address of a Dask distributed scheduler to run the notebooks on instead; its workers
        need ``ipindicators`` installed, and send each report's files back to be written here
        (no shared file system is needed).
    n_paths, seed, models, count_from
        Forecast settings passed to every notebook.
    overview : bool
        Also run the all-regions overview notebook (when at least one region succeeded).
    progress : bool, optional
        Print a line per finished region to standard error (default: only when it is a
        terminal).
    force : bool
        Rerun every region; by default a region whose inputs are unchanged since its report in
        ``out`` was made keeps that report (:mod:`ipindicators.reports.incremental`).

    Returns
    -------
    BatchResult
        The runs; ``result.ok`` is False if any region (or the overview) failed.
    """
    if as_of is not None and not isinstance(as_of, (int, str)):
        raise UsageError(f"as_of must be a year or an ISO date, not {as_of!r}")
    if not isinstance(models, str):
        raise UsageError(f"models must be one name, not {models!r}")
    checked = Settings.of(as_of, n_paths, seed, models, count_from)
    check_jobs(jobs)
    out = Path(out).resolve()
    _remove_leftovers(out)
    chosen = list(regions) if regions else regions_with_targets()
    show = sys.stderr.isatty() if progress is None else progress
    problems = dict(_resolved(r) for r in chosen)
    runs = [RegionRun(r, False, problem) for r, problem in problems.items() if problem]
    settings = {
        "as_of": None if as_of is None else checked.as_of.isoformat(),
        "n_paths": checked.n_paths,
        "seed": checked.seed,
        "models": models,
        "count_from": checked.count_from,
    }
    plan = _plan([r for r, problem in problems.items() if not problem], out, settings, force)
    runs += plan.reused
    tasks = plan.tasks
    workers = _workers(jobs, scheduler, len(tasks))
    finished: list[RegionRun] = []

    def done(run: RegionRun) -> None:
        finished.append(run)
        plan.record(run)
        if show:
            state = "ok" if run.ok else f"FAILED: {run.error}"
            print(
                f"[{len(finished)}/{len(tasks)}] {run.region} {state} ({run.seconds:.1f} s)",
                file=sys.stderr,
                flush=True,
            )

    write_errors: list[str] = []
    try:
        runs += workers.map(tasks, done)
        summary = summary_table(runs, out)
        summary_written = _write_summary(out, summary, plan, write_errors)
        overview_run = None
        if overview and summary_written and any(run.ok for run in runs):
            overview_run = _overview(workers, out, settings, force)
    finally:
        workers.close()
    when = None if as_of is None else checked.as_of
    _write_or_report(out / "index.html", index_html(runs, out, overview_run, when), write_errors)
    return BatchResult(
        out, sorted(runs, key=lambda r: r.region), overview_run, tuple(write_errors)
    )


@dataclass
class _Plan:
    """Which regions run and which keep their report, and the keys to store after a run."""

    tasks: list[ReportTask]
    reused: list[RegionRun]
    keys: dict[str, tuple[Path, str, dict]]
    figures: pd.DataFrame

    def record(self, run: RegionRun) -> None:
        """Store the key of a region that ran to the end; forget it for one that failed."""
        if run.region not in self.keys:
            return
        folder, key, inputs = self.keys[run.region]
        with contextlib.suppress(OSError):  # a key not written means a rerun next time
            if run.ok:
                write_key(folder, key, inputs)
            else:
                (folder / KEY_FILE).unlink(missing_ok=True)


def _stored_run(region: str, folder: Path) -> RegionRun | None:
    """The report a region already has in ``folder`` (None if it has no complete one)."""
    notebook, page = folder / "report.ipynb", folder / "report.html"
    if not (notebook.is_file() and page.is_file()):
        return None
    try:
        assessment = read_assessment(folder / ASSESSMENT_FILE)
    except (OSError, ValueError):
        return None
    return RegionRun(region, True, "", 0.0, str(notebook), str(page), assessment)


def _previous_figures(folder: Path) -> pd.DataFrame:
    """The figures a region's current report downloads (its previous version's figures)."""
    path = folder / "figures.csv"
    if not path.is_file():
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    frame = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False)
    return figure_index(frame, sorted(set(frame["region"])))


def _plan(regions: list[str], out: Path, settings: dict, force: bool) -> _Plan:
    """Key every region's inputs; those with a report made from the same inputs keep it."""
    figures = load_observations()
    cutoff = as_of_date(settings["as_of"])
    priors = family_priors(figures, cutoff, settings["count_from"])
    notebook = notebook_path(REGION_NOTEBOOK)
    tasks, reused, keys = [], [], {}
    for region in regions:
        folder = out / region
        parameters = {"region": region, "previous": str(folder / PREVIOUS)}
        parameters.update(settings)
        keyed = {**parameters, "as_of": cutoff.isoformat()}
        keyed.pop("previous")  # where the previous version is kept, not an input
        key, inputs = region_key(region, notebook, keyed, figures, priors)
        stored = _stored_run(region, folder)
        if stored is not None and not force and stored_key(folder) == key:
            reused.append(stored)
            continue
        if stored is not None and stored_key(folder) != key:
            with contextlib.suppress(OSError):  # an unwritable folder fails the run itself
                keep_previous_version(folder, stored.assessment, _previous_figures(folder))
        keys[region] = (folder, key, inputs)
        tasks.append(ReportTask(str(notebook), str(folder), "report", parameters))
    return _Plan(tasks, reused, keys, figures)


def _write_summary(out: Path, summary: pd.DataFrame, plan: _Plan, problems: list[str]) -> bool:
    """Write ``summary.csv`` and, when it differs from the previous run's, what changed.

    An unchanged summary is left as it is (a rerun with nothing new changes no byte); a changed
    one keeps the previous as ``summary.previous.csv`` and writes ``changes.csv`` and
    ``changes.html`` against it, with the figures that arrived (``figures_index.csv``).
    """
    text = summary.to_csv(index=False, lineterminator="\n")
    path = out / "summary.csv"
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    if old == text:
        return True
    reported = sorted(set(summary.loc[summary["report"].astype(str) != "", "region"]))
    figures = figure_index(plan.figures, reported)
    if old is not None:
        before, figures_before = read_previous(out)
        after = pd.read_csv(io.StringIO(text))
        found = changes(before, after, figures_before, figures)
        as_of = (str(before["as_of"].iloc[0]), str(after["as_of"].iloc[0]))
        written = _write_or_report(out / "summary.previous.csv", old, problems) and (
            _write_or_report(
                out / "changes.csv", found.to_csv(index=False, lineterminator="\n"), problems
            )
        )
        if written:
            _write_or_report(out / "changes.html", changes_html(found, *as_of), problems)
    if reported:
        listed = figures.to_csv(index=False, lineterminator="\n")
        _write_or_report(out / "figures_index.csv", listed, problems)
    return _write_or_report(path, text, problems)


def _overview(workers: _Workers, out: Path, settings: dict, force: bool) -> RegionRun:
    """Run the overview notebook, unless the summary and settings it was made from are the
    same (then the existing overview is kept)."""
    notebook = notebook_path(OVERVIEW_NOTEBOOK)
    parameters = {"summary_csv": str(out / "summary.csv"), **settings}
    key = hashlib.sha256(
        "\n".join(
            [
                (out / "summary.csv").read_text(encoding="utf-8"),
                notebook.read_text(encoding="utf-8"),
                json.dumps(settings, sort_keys=True, default=str),
                data_in_use().identity(),
                _package_version(),
            ]
        ).encode("utf-8")
    ).hexdigest()
    page, executed = out / "overview.html", out / "overview.ipynb"
    stored = out / ".overview-inputs.json"
    previous = stored.read_text(encoding="utf-8").strip() if stored.is_file() else ""
    if not force and previous == key and page.is_file() and executed.is_file():
        return RegionRun("overview", True, "", 0.0, str(executed), str(page))
    run = workers.run(ReportTask(str(notebook), str(out), "overview", parameters))
    if run.ok:
        write_text(stored, key + "\n")
    return run


def _package_version() -> str:
    from importlib.metadata import version

    return version("ipindicators")


def _write_or_report(path: Path, text: str, problems: list[str]) -> bool:
    """Write ``path``; on a disk error note it (the batch still reports what it did)."""
    try:
        write_text(path, text)
    except OSError as exc:
        problems.append(f"writing {path.name}: cannot write to {path.parent}: {exc.strerror}")
        return False
    return True
