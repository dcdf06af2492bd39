"""Execute the report template for one params file with papermill, and turn a failed cell into one line.

Each process (each batch worker, each thread of a Dask worker) keeps one warm kernel and runs city after city in
it: starting a kernel and importing pandas, matplotlib, SciPy, statsmodels and trustreport into it took about 3 s
of a 15 s report. Between cities the kernel's namespace is cleared (`%reset -f`), its figures closed and its
execution counter set back to 1, so a report from a warm kernel is the report a fresh kernel gives (checked by
`tests/test_execute.py`). A kernel that died, or was started for another folder or another trustreport
environment, is replaced; each is retired after `WARM_RUNS` reports so that nothing accumulates.
Tools: `docs/toolchain.md`.
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustreport.errors import TrustReportError
from trustreport.result import one_line

DEFAULT_TEMPLATE = Path(__file__).resolve().parents[1] / "notebooks" / "trust_report.ipynb"
KERNEL_NAME = "python3"
# The kernel's own log goes to our stderr: ipykernel ≥ 7.4 warns about TCP transport on every start, and logs
# "KeyboardInterrupt caught in kernel" at ERROR when jupyter_client interrupts it before shutdown. Neither says
# anything about the report, and both would break the one-line error.
# No input history either: a warm kernel's counter starts again at 1 for every report, and the history database
# would print "Session/line number was not unique" into the report.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.enabled=False"]
WARM_RUNS = 40
_RESET = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import sys as _sys\n"
    "if 'matplotlib.pyplot' in _sys.modules:\n"
    "    _sys.modules['matplotlib.pyplot'].close('all')\n"
    "del _sys\n"
    "get_ipython().execution_count = 1\n"
)
# Imported into a new kernel while its worker is still getting ready, so the first report does not wait for them;
# `__import__` binds no name, and a silent request leaves no history and no execution count.
_PRELOAD = "for _m in ('trustreport', 'matplotlib.pyplot'):\n    __import__(_m)\ndel _m\n"
# Environment variables read by trustreport inside the kernel: a kernel started under other values is not reused.
_ENV_PREFIX = "TRUSTREPORT_"

log = logging.getLogger(__name__)


def execute_template(
    template: Path, params_path: Path, output: Path, data_root: Path | None = None, *, warm: bool = True
) -> Any:
    """Run `template` with `params_path` injected into its `parameters` cell; the executed notebook is written
    to `output` and returned. A failing cell raises papermill's `PapermillExecutionError`.

    With `warm`, the run uses this thread's warm kernel (see the module docstring); otherwise a kernel of its
    own, started and shut down around the run, as papermill does by default."""
    import papermill

    options: dict[str, Any] = {
        "parameters": {"params_path": str(params_path), "data_root": str(data_root) if data_root else None},
        "cwd": str(template.parent),
        "kernel_name": KERNEL_NAME,
        "progress_bar": False,
        "log_output": False,
        # papermill saves the whole notebook (over 1 MB with its charts) after every cell, for watching a long
        # run; render writes it once, at the end.
        "request_save_on_cell_execute": False,
    }
    if not warm:
        return papermill.execute_notebook(str(template), str(output), extra_arguments=KERNEL_ARGUMENTS, **options)
    kernel = _warm_kernel(template.parent)
    try:
        return papermill.execute_notebook(
            str(template), str(output), engine_name=_warm_engine(), km=kernel.manager, **options
        )
    finally:
        kernel.finish_run()


@dataclass
class _WarmKernel:
    """A kernel kept running between reports, for one folder and one set of trustreport environment variables."""

    cwd: Path
    env: tuple[tuple[str, str], ...]
    manager: Any = None
    runs: int = 0
    _stop: Any = field(default=None, repr=False)
    # One client kept for clearing the kernel between reports: a new client's readiness handshake idles ≈ 0.4 s.
    _client: Any = field(default=None, repr=False)
    _client_ready: bool = field(default=False, repr=False)

    def start(self, *, preload: bool = False) -> None:
        from jupyter_client.manager import KernelManager

        # nbclient's client must be the asynchronous one: a blocking client's wait for output holds the event loop,
        # so nbclient's check that the kernel is still alive never runs and a dead kernel hangs the run.
        self.manager = KernelManager(
            kernel_name=KERNEL_NAME, client_class="jupyter_client.asynchronous.AsyncKernelClient"
        )
        self.manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=str(self.cwd))
        self._stop = self.shutdown
        atexit.register(self._stop)
        if preload:
            # Not waited for: the first report's client is ready once the kernel has done this.
            self._reset_client(wait=False).execute(_PRELOAD, silent=True, store_history=False)

    def alive(self) -> bool:
        return self.manager is not None and self.manager.is_alive()

    def finish_run(self) -> None:
        """Clear the kernel for the next report, or retire it if it died, failed to clear, or is worn."""
        self.runs += 1
        if self.alive() and self.runs < WARM_RUNS and self._reset():
            return
        self.shutdown()

    def _reset_client(self, *, wait: bool = True) -> Any:
        """This kernel's client for clearing it, started on first use (and checked ready if `wait`)."""
        from jupyter_client.blocking import BlockingKernelClient

        if self._client is None:
            self._client = BlockingKernelClient(parent=self.manager)
            self._client.load_connection_info(self.manager.get_connection_info())
            self._client.start_channels()
        if wait and not self._client_ready:
            self._client.wait_for_ready(timeout=30)
            self._client_ready = True
        return self._client

    def _reset(self) -> bool:
        try:
            client = self._reset_client()
            # Every output of the report reached this client too (over 1 MB of charts): drop it unread, rather
            # than decode it message by message while looking for the reset's reply.
            _drain(client.iopub_channel)
            _drain(client.shell_channel)
            reply = client.execute_interactive(_RESET, store_history=False, timeout=30, output_hook=lambda _msg: None)
            return reply["content"]["status"] == "ok"
        except (RuntimeError, TimeoutError) as err:
            log.debug("warm kernel could not be cleared (%s); starting a new one", err)
            return False

    def shutdown(self) -> None:
        if self._stop is not None:
            atexit.unregister(self._stop)
            self._stop = None
        if self._client is not None:
            self._client.stop_channels()
            self._client, self._client_ready = None, False
        if self.manager is None:
            return
        try:
            # Nothing in a warm kernel needs saving, and a polite shutdown idles up to a second per worker.
            self.manager.shutdown_kernel(now=True)
        except RuntimeError:
            log.debug("warm kernel was already gone", exc_info=True)
        self.manager = None


def _drain(channel: Any) -> None:
    """Drop every message waiting on a client channel (jupyter_client's `get_msgs` blocks once none is left)."""
    from queue import Empty

    while True:
        try:
            channel.get_msg(timeout=0)
        except Empty:
            return


_local = threading.local()


def _warm_kernel(cwd: Path, *, preload: bool = False) -> _WarmKernel:
    """This thread's warm kernel for `cwd`, started if there is none or the one there cannot be reused
    (and given `_PRELOAD` to import if `preload`)."""
    env = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith(_ENV_PREFIX)))
    kernel: _WarmKernel | None = getattr(_local, "kernel", None)
    if kernel is not None and (kernel.cwd != cwd or kernel.env != env or not kernel.alive()):
        kernel.shutdown()
        kernel = None
    if kernel is None:
        kernel = _WarmKernel(cwd, env)
        kernel.start(preload=preload)
        _local.kernel = kernel
    return kernel


def start_warm_kernel(template: Path | None = None) -> None:
    """Start this thread's warm kernel for `template`'s folder now, importing trustreport into it, so that a
    batch worker's kernel gets ready while the worker does (a process pool's initializer)."""
    _warm_kernel((Path(template) if template else DEFAULT_TEMPLATE).absolute().parent, preload=True)


def shutdown_warm_kernel() -> None:
    """Shut down this thread's warm kernel, if it has one."""
    kernel: _WarmKernel | None = getattr(_local, "kernel", None)
    if kernel is not None:
        kernel.shutdown()
        _local.kernel = None


@functools.cache
def _warm_engine() -> str:
    """papermill's nbclient engine on a kernel it does not own: the kernel stays up after the run, and the run's
    client channels are closed (nbclient leaves them open when it does not own the kernel)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls, nb_man, kernel_name, log_output=False, start_timeout=60, execution_timeout=None, **kwargs
        ):
            client = PapermillNotebookClient(
                nb_man,
                km=kwargs["km"],
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
            )
            try:
                return client.execute()
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register("trustreport-warm", WarmEngine)
    return "trustreport-warm"


def is_kernel_error(err: BaseException) -> bool:
    """Whether `err` is papermill's report of an exception raised inside the notebook."""
    from papermill.exceptions import PapermillExecutionError

    return isinstance(err, PapermillExecutionError)


def kernel_error_reason(err: Any, template: Path | None = None) -> str:
    """One line from a `PapermillExecutionError`.

    A trustreport error already names the file and the key, row or column, so its message is used as it is;
    anything else is "Name: message (template cell N)" so the author can find the cell.
    """
    ename, evalue = str(err.ename), str(err.evalue)
    # The exception was raised in the kernel's process: only its class name crosses over.
    if ename in _trustreport_error_names():
        return one_line(evalue)
    where = _template_cell(template, err.source) if template else None
    if where is None:
        where = f"cell In [{err.exec_count}]" if err.exec_count is not None else f"cell {err.cell_index + 1}"
    return one_line(f"{ename}: {evalue}", suffix=f" ({where})")


def _trustreport_error_names() -> set[str]:
    names, todo = set(), [TrustReportError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return names


def _template_cell(template: Path, source: str) -> str | None:
    """'trust_report.ipynb cell 7' for the template cell whose source matches; None if it cannot be found."""
    try:
        cells = json.loads(template.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    wanted = (source or "").strip()
    for number, cell in enumerate(cells, start=1):
        text = cell.get("source", "")
        text = "".join(text) if isinstance(text, list) else text
        if cell.get("cell_type") == "code" and text.strip() == wanted:
            return f"{template.name} cell {number}"
    return None
