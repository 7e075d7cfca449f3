"""Kernels for the report batch: one warm Jupyter kernel runs many notebooks in turn.

Starting a kernel and importing the modelling and plotting stack costs more than a region's
own work, so a batch worker keeps one kernel and runs each notebook on it with papermill
(through the ``warm`` engine registered here). Before each notebook the kernel is reset to
the state of a fresh one as far as a notebook can see: the user namespace and execution
counter (IPython's new session), open figures and matplotlib's settings, and the warnings
already shown (so a warning prints in every notebook that triggers it, not only the first).
Imported modules stay loaded; the library's caches hold only values computed from their
arguments (or keyed by a file's modification time). A test checks that a notebook run on a
kernel that ran others is byte-identical to one run on a fresh kernel.

Kernels talk over IPC sockets in a private folder rather than TCP ports, so many can start at
once (from threads of one batch or on a Dask cluster) without racing for the same ports.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import ensure_event_loop, run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import Engine, papermill_engines

KERNEL_NAME = "python3"
ENGINE_NAME = "warm"
STARTUP_TIMEOUT = 60
# Seconds for the batch's own silent code in a kernel: a reset or publishing a report.
SILENT_TIMEOUT = 300
# The kernel's own log (an interrupt at shutdown) is noise for a batch.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]
THREAD_LIMITS = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}
"""One linear-algebra thread per kernel (unless the environment sets its own): a batch runs
one kernel per core, and kernels that each spread their matrix work over every core (and
spin waiting for it) slow each other down. The reports' numbers are the same either way."""

# What a fresh kernel looks like once a notebook's ``%matplotlib inline`` ran: captured when
# the kernel starts and restored before each notebook.
_CAPTURE = """\
def _capture_fresh_state():
    import sys
    import types
    import warnings

    import matplotlib

    get_ipython().run_line_magic("matplotlib", "inline")
    state = types.ModuleType("_ipindicators_fresh_kernel")
    state.warning_filters = list(warnings.filters)
    state.rc = dict(matplotlib.rcParams)
    sys.modules[state.__name__] = state


_capture_fresh_state()
del _capture_fresh_state
"""
_RESET = """\
def _reset_for_next_notebook():
    import gc
    import sys
    import warnings

    import matplotlib
    import matplotlib.pyplot

    state = sys.modules["_ipindicators_fresh_kernel"]
    for module in list(sys.modules.values()):
        registry = getattr(module, "__warningregistry__", None)
        if isinstance(registry, dict):
            registry.clear()
    warnings.filters[:] = state.warning_filters
    matplotlib.pyplot.close("all")
    matplotlib.rcParams.update(state.rc)
    get_ipython().reset(new_session=True)
    # What is still alive now (modules, caches) is kept out of later collections, so the
    # collection IPython's reset makes costs milliseconds, not a tenth of a second.
    gc.collect()
    gc.freeze()


_reset_for_next_notebook()
"""


class KernelError(RuntimeError):
    """The kernel could not be started or reset, or code run in it raised.

    ``name`` and ``value`` are the type and message of the exception raised in the kernel
    (empty when the kernel itself failed).
    """

    def __init__(self, message: str, name: str = "", value: str = "") -> None:
        super().__init__(message)
        self.name = name
        self.value = value


def ipc_kernel_manager(folder: Path) -> AsyncKernelManager:
    """A kernel manager whose kernel talks over IPC sockets in ``folder``."""
    return AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(folder / "kernel"))


class WarmKernel:
    """One Jupyter kernel that runs notebooks one after another, reset between them.

    Use as a context manager, or call :meth:`shutdown`. Not thread-safe: one kernel per
    thread (its client is bound to the thread's event loop).
    """

    def __init__(self) -> None:
        # A short path in the system's temporary folder, so the 107-character limit of a
        # socket path holds wherever the reports are written.
        self.folder = Path(tempfile.mkdtemp(prefix="ipi-kernel-"))
        self.manager = ipc_kernel_manager(self.folder)
        self.client: Any = None
        self.last_notebook: nbformat.NotebookNode | None = None
        try:
            run_sync(self._start)()
            self._execute(_CAPTURE)
        except Exception as exc:
            self.shutdown()
            raise KernelError(f"cannot start a {KERNEL_NAME} kernel: {exc}") from exc

    async def _start(self) -> None:
        env = {**THREAD_LIMITS, **os.environ}
        await self.manager.start_kernel(
            extra_arguments=KERNEL_ARGUMENTS, cwd=str(self.folder), env=env
        )
        self.client = self.manager.client()
        self.client.start_channels()
        await self.client.wait_for_ready(timeout=STARTUP_TIMEOUT)
        self.client.allow_stdin = False

    def _execute(self, code: str) -> None:
        reply = run_sync(self.client.execute_interactive)(
            code,
            silent=True,
            store_history=False,
            timeout=SILENT_TIMEOUT,
            output_hook=lambda message: None,
        )
        if reply["content"]["status"] != "ok":
            name, value = reply["content"].get("ename", ""), reply["content"].get("evalue", "")
            raise KernelError(f"{name}: {value}", name, value)

    def call(self, function: str, **arguments: object) -> None:
        """Call ``function`` (``"package.module:name"``) in the kernel with these arguments.

        The arguments travel as JSON; nothing is left in the kernel's namespace. Raises
        :class:`KernelError` with the type and message of what the call raised.
        """
        module, name = function.split(":")
        self._execute(
            "def _call():\n"
            "    import importlib\n"
            "    import json\n\n"
            f"    target = getattr(importlib.import_module({module!r}), {name!r})\n"
            f"    target(**json.loads({json.dumps(arguments)!r}))\n\n\n"
            "try:\n    _call()\nfinally:\n    del _call\n"
        )

    def preload(self, modules: Sequence[str]) -> None:
        """Import these modules in the kernel now; they stay imported across resets."""
        self._execute(
            f"import importlib\nfor _module in {list(modules)!r}:\n"
            "    importlib.import_module(_module)\n"
        )

    @property
    def alive(self) -> bool:
        """Whether the kernel process is still running."""
        return bool(run_sync(self.manager.is_alive)())

    def execute_notebook(
        self,
        notebook: str | Path,
        parameters: Mapping[str, object],
        cwd: str | Path | None = None,
    ) -> nbformat.NotebookNode:
        """Run one notebook with papermill on this kernel, after resetting the kernel.

        ``cwd`` is the folder the notebook runs in (where it writes what it writes to ``.``);
        default: the kernel's own scratch folder. Raises what :func:`papermill.execute_notebook`
        raises; the executed notebook (with papermill's error marker where it failed) is then
        in :attr:`last_notebook`.
        """
        self._execute(_RESET)
        self._execute(f"import os; os.chdir({str(cwd or self.folder)!r})")
        self.last_notebook = None
        return papermill.execute_notebook(
            str(notebook),
            None,
            parameters=dict(parameters),
            kernel_name=KERNEL_NAME,
            engine_name=ENGINE_NAME,
            progress_bar=False,
            log_output=False,
            warm_kernel=self,
        )

    def shutdown(self) -> None:
        """Stop the kernel and remove its sockets; safe to call twice."""
        try:
            if self.client is not None:
                self.client.stop_channels()
                self.client = None
            if self.manager.has_kernel:
                run_sync(self.manager.shutdown_kernel)(now=True)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> WarmKernel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()


class WarmKernelEngine(Engine):
    """Papermill engine that executes on a :class:`WarmKernel` passed as ``warm_kernel``."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        warm_kernel: WarmKernel,
        log_output: bool = False,
        **kwargs: Any,
    ) -> nbformat.NotebookNode:
        """Execute ``nb_man``'s notebook on the warm kernel, keeping it for error reports."""
        warm_kernel.last_notebook = nb_man.nb
        client = PapermillNotebookClient(
            nb_man, km=warm_kernel.manager, kernel_name=kernel_name, log_output=log_output
        )
        client.kc = warm_kernel.client
        return client.execute()


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)


class KernelSlot:
    """Holds one warm kernel: started on first use, replaced when it died."""

    def __init__(self) -> None:
        self._kernel: WarmKernel | None = None

    def kernel(self) -> WarmKernel:
        """A running kernel (raises :class:`KernelError` if none can be started)."""
        if self._kernel is not None and not self._kernel.alive:
            self.shutdown()
        if self._kernel is None:
            self._kernel = WarmKernel()
        return self._kernel

    def shutdown(self) -> None:
        """Stop the kernel, if one runs."""
        if self._kernel is not None:
            self._kernel.shutdown()
            self._kernel = None


def close_event_loop() -> None:
    """Close this thread's event loop, on which its kernels' clients ran.

    For a thread that is about to end: its loop (and the loop's sockets) would otherwise
    outlive it.
    """
    loop = ensure_event_loop()
    if not loop.is_running():
        loop.close()
