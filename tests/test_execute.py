"""The warm kernel (trustreport.execute): reused between reports, cleared in between, replaced when it dies, and
giving the very report a fresh kernel gives."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from trustreport.execute import DEFAULT_TEMPLATE, execute_template, shutdown_warm_kernel, start_warm_kernel
from trustreport.reproducible import machine_free
from trustreport.result import metrics_json, read_metrics

ROOT = Path(__file__).resolve().parents[1]


def _notebook(folder: Path, name: str, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("params_path = None\ndata_root = None", metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    path = folder / name
    nbformat.write(nb, path)
    return path


def _text(nb, cell: int) -> str:
    return "".join(o.get("text", "") for o in nb.cells[cell].outputs if o.output_type == "stream")


@pytest.fixture
def own_kernel():
    """Each test starts and ends without a warm kernel in this thread."""
    shutdown_warm_kernel()
    yield
    shutdown_warm_kernel()


def test_the_kernel_is_kept_between_runs_and_cleared_in_between(tmp_path, own_kernel):
    first = _notebook(
        tmp_path,
        "first.ipynb",
        "import os, matplotlib\nmatplotlib.use('agg')\nimport matplotlib.pyplot as plt\n"
        "leaked = 1\nplt.figure()\nprint(os.getpid())",
    )
    second = _notebook(
        tmp_path,
        "second.ipynb",
        "import os, sys\nprint(os.getpid())\nprint('leaked' in globals())\n"
        "print(len(sys.modules['matplotlib.pyplot'].get_fignums()))",
    )
    ran_first = execute_template(first, tmp_path / "p.yaml", tmp_path / "out1.ipynb")
    ran_second = execute_template(second, tmp_path / "p.yaml", tmp_path / "out2.ipynb")
    pid = _text(ran_first, -1).strip()
    assert _text(ran_second, -1).split() == [pid, "False", "0"]
    # The counter starts again at 1, as in a fresh kernel (the injected parameters cell comes first).
    assert [c.execution_count for c in ran_second.cells if c.cell_type == "code"] == [1, 2, 3]


def test_a_kernel_started_with_its_worker_is_used_and_binds_no_names(tmp_path, own_kernel):
    # A batch worker starts its kernel early and imports trustreport into it (`start_warm_kernel`); the first
    # report runs in that kernel and finds its namespace as a fresh kernel's, with trustreport already loaded.
    probe = _notebook(
        tmp_path,
        "probe.ipynb",
        "import os, sys\nprint(os.getpid())\nprint('trustreport' in sys.modules)\n"
        "print(sorted(k for k in globals() if not k.startswith('_') and k not in "
        "('In', 'Out', 'get_ipython', 'exit', 'quit', 'open', 'os', 'sys', 'params_path', 'data_root')))",
    )
    start_warm_kernel(probe)
    first = _text(execute_template(probe, tmp_path / "p.yaml", tmp_path / "a.ipynb"), -1).split("\n")
    again = _text(execute_template(probe, tmp_path / "p.yaml", tmp_path / "b.ipynb"), -1).split("\n")
    assert first[1:3] == ["True", "[]"]
    assert again[0] == first[0]


def test_a_report_with_thousands_of_outputs_is_still_cleared_after(tmp_path, own_kernel):
    # Every output of a report also reaches the client kept for clearing the kernel, which must still find its
    # own reply among them and leave the same kernel in use.
    chatty = _notebook(
        tmp_path, "chatty.ipynb", "import os, sys\nfor i in range(3000):\n    print(i, flush=True)\nleaked = 1"
    )
    probe = _notebook(tmp_path, "probe.ipynb", "import os\nprint(os.getpid(), 'leaked' in globals())")
    execute_template(chatty, tmp_path / "p.yaml", tmp_path / "a.ipynb")
    pid_after_chatty = _text(execute_template(probe, tmp_path / "p.yaml", tmp_path / "b.ipynb"), -1).split()
    pid_again = _text(execute_template(probe, tmp_path / "p.yaml", tmp_path / "c.ipynb"), -1).split()
    assert pid_after_chatty[1] == "False"
    assert pid_again[0] == pid_after_chatty[0]  # the same kernel: the clearing worked, nothing was restarted


def test_a_kernel_that_dies_is_replaced(tmp_path, own_kernel):
    from papermill.exceptions import PapermillExecutionError

    pid = _notebook(tmp_path, "pid.ipynb", "import os\nprint(os.getpid())")
    die = _notebook(tmp_path, "die.ipynb", "import os\nos._exit(3)")
    before = _text(execute_template(pid, tmp_path / "p.yaml", tmp_path / "a.ipynb"), -1)
    with pytest.raises((PapermillExecutionError, RuntimeError)):
        execute_template(die, tmp_path / "p.yaml", tmp_path / "b.ipynb")
    after = _text(execute_template(pid, tmp_path / "p.yaml", tmp_path / "c.ipynb"), -1)
    assert before.strip() and after.strip() and before != after


def test_a_kernel_is_not_reused_under_other_trustreport_settings(tmp_path, own_kernel, monkeypatch):
    pid = _notebook(tmp_path, "pid.ipynb", "import os\nprint(os.getpid(), os.environ.get('TRUSTREPORT_CACHE'))")
    monkeypatch.setenv("TRUSTREPORT_CACHE", str(tmp_path / "one"))
    one = _text(execute_template(pid, tmp_path / "p.yaml", tmp_path / "a.ipynb"), -1).split()
    monkeypatch.setenv("TRUSTREPORT_CACHE", str(tmp_path / "two"))
    two = _text(execute_template(pid, tmp_path / "p.yaml", tmp_path / "b.ipynb"), -1).split()
    assert one[1].endswith("one") and two[1].endswith("two") and one[0] != two[0]


@pytest.mark.e2e
def test_a_warm_kernel_gives_the_report_a_fresh_kernel_gives(tmp_path, own_kernel):
    paterson, jersey_city = ROOT / "params" / "paterson.yaml", ROOT / "params" / "jersey-city.yaml"

    def run(params: Path, name: str, *, warm: bool):
        nb = execute_template(DEFAULT_TEMPLATE, params, tmp_path / name, warm=warm)
        return machine_free(nb, template=DEFAULT_TEMPLATE, params_path=params)

    fresh = run(paterson, "fresh.ipynb", warm=False)
    run(jersey_city, "other.ipynb", warm=True)  # the warm kernel has run another city first
    warm = run(paterson, "warm.ipynb", warm=True)
    assert metrics_json(read_metrics(warm, DEFAULT_TEMPLATE), DEFAULT_TEMPLATE) == metrics_json(
        read_metrics(fresh, DEFAULT_TEMPLATE), DEFAULT_TEMPLATE
    )
    assert [(c.get("execution_count"), c.get("outputs")) for c in warm.cells] == [
        (c.get("execution_count"), c.get("outputs")) for c in fresh.cells
    ]
