"""nbval's kernels forked from the worker's template process (tests/forked_kernels.py)."""

from __future__ import annotations

import json
import os
import time

import pytest

from tests import forked_kernels

pytestmark = pytest.mark.skipif(not forked_kernels.enabled(), reason="kernels are started as usual (no fork, or BOLERO_NBVAL_FORK=0)")


def run(kc, code: str, timeout: float = 30) -> tuple[dict, str]:
    """Execute ``code``; its reply's content and what it printed."""
    printed: list[str] = []

    def hook(message):
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook)
    return reply["content"], "".join(printed)


STATE = """
import json, os, sys
print(json.dumps({"pid": os.getpid(), "ppid": os.getppid(), "cwd": os.getcwd(), "path0": sys.path[0],
                  "libraries": [m in sys.modules for m in ("pandas", "scipy.stats", "statsmodels.stats.proportion",
                                                           "matplotlib.pyplot")],
                  "own": sorted(m for m in sys.modules if m.split(".")[0] == "bolero_evidence"),
                  "defined": "left_by_another_kernel" in dir()}))
"""


@pytest.fixture(scope="module")
def two_kernels(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kernel-cwd")
    kernels = [forked_kernels.start_new_kernel(kernel_name="python3", cwd=str(folder)) for _ in range(2)]
    yield folder, kernels
    for km, kc in kernels:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)


def test_nbval_starts_its_kernels_here():
    import nbval.kernel

    assert nbval.kernel.start_new_kernel is forked_kernels.start_new_kernel


def test_each_kernel_is_a_new_process_forked_from_the_template_in_the_asked_folder(two_kernels):
    folder, [(_, first), (_, second)] = two_kernels
    run(first, "left_by_another_kernel = 1")
    states = [json.loads(run(kc, STATE)[1]) for kc in (first, second)]
    template = forked_kernels.template_pid()
    shared = os.environ.get(forked_kernels.ADDRESS_VARIABLE)
    if shared:  # a run with workers: the controller's template serves them all
        assert template == int(shared.split(":", 1)[0])
    for state in states:
        # The template's child, not the worker's: a kernel started as usual would fail this.
        assert state["ppid"] == template and state["pid"] not in (template, os.getpid())
        assert state["cwd"] == state["path0"] == str(folder)
        assert all(state["libraries"]), "the libraries come imported"
        assert state["own"] == [], "the package is imported anew by the notebook, from the checkout"
    assert states[0]["pid"] != states[1]["pid"]
    assert not states[1]["defined"], "a kernel sees nothing another one did"


def test_an_interrupt_stops_the_running_cell(two_kernels):
    _, [(km, kc), _] = two_kernels
    sleeping = kc.execute("import time; time.sleep(60)")
    # Interrupt once the cell runs: a kernel that is not executing ignores SIGINT (ipykernel), and on a busy
    # machine a fixed wait may end before the cell starts.
    while True:
        message = kc.get_iopub_msg(timeout=20)
        if message["msg_type"] == "execute_input" and message["parent_header"].get("msg_id") == sleeping:
            break
    time.sleep(0.2)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=20)
    assert reply["parent_header"]["msg_id"] == sleeping
    assert (reply["content"]["status"], reply["content"]["ename"]) == ("error", "KeyboardInterrupt")
    content, printed = run(kc, "print('after')")
    assert content["status"] == "ok" and printed == "after\n", "the kernel lives on"


def test_shutdown_ends_the_kernel_process(two_kernels):
    _, [_, (km, kc)] = two_kernels
    pid = json.loads(run(kc, STATE)[1])["pid"]
    km.shutdown_kernel(now=True)
    assert not km.is_alive()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"kernel process {pid} still runs after shutdown")


def test_the_worker_side_sees_an_ended_process_as_ended():
    process = forked_kernels.ForkedProcess(2**22 + 12345)  # above the largest pid Linux hands out by default
    assert process.poll() == 0 and process.wait(timeout=1) == 0
    process.kill()  # nothing to signal: no error


def test_the_template_outlives_a_ctrl_c_meant_for_the_run(two_kernels):
    # Ctrl-C reaches the whole process group; pytest decides what stops, and then closes the template.
    import signal

    os.kill(forked_kernels.template_pid(), signal.SIGINT)
    time.sleep(0.3)
    assert forked_kernels._template.alive()


def test_an_ended_template_is_replaced_by_one_of_this_process(monkeypatch):
    import asyncio
    import sys

    from nbval.kernel import NbvalKernelspecManager

    class Ended:
        pid, process = 2**22 + 12345, None

        def alive(self):
            return False

    started = []

    class Replacement:
        pid, process = 2**22 + 1, "started here"

        def __init__(self):
            started.append(self)

        def alive(self):
            return True

        def fork(self, argv, cwd, env):
            return 2**22 + 54321  # no such process: seen as ended

    monkeypatch.setattr(forked_kernels, "_template", Ended())
    monkeypatch.setenv(forked_kernels.ADDRESS_VARIABLE, f"{Ended.pid}:/nowhere")  # the controller's, gone too
    monkeypatch.setattr(forked_kernels.Template, "start", classmethod(lambda cls: Replacement()))
    spec = NbvalKernelspecManager().get_kernel_spec("python3")
    provisioner = forked_kernels._provisioner_class()(kernel_id="test", kernel_spec=spec)
    asyncio.run(provisioner.launch_kernel([sys.executable, "-m", "ipykernel_launcher", "-f", "kernel.json"], env={}, cwd="."))
    assert len(started) == 1 and forked_kernels._template is started[0]
    assert provisioner.process.pid == 2**22 + 54321 and provisioner.process.poll() == 0


def test_a_template_that_never_listens_is_reported_not_waited_for(tmp_path):
    # A template gone before it listened (an import failed, say): the worker is told, within the wait.
    gone = forked_kernels.Template(2**22 + 12345, str(tmp_path / "template"))
    started = time.monotonic()
    with pytest.raises(forked_kernels.TemplateEnded, match="no kernel template listening"):
        gone.fork(["python"], str(tmp_path), {}, ready_within=30)
    assert time.monotonic() - started < 5


def test_the_controller_starts_a_template_only_for_a_run_with_notebooks(tmp_path):
    (tmp_path / "nb.ipynb").write_text("{}")
    assert forked_kernels._notebooks_in([str(tmp_path)]) and forked_kernels._notebooks_in([f"{tmp_path / 'nb.ipynb'}::Cell 0"])
    assert not forked_kernels._notebooks_in(["tests/stats", "tests/data/test_required.py::test_missing_figure_names_table_and_key"])


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="tells an ended process by /proc")
def test_an_ended_template_not_yet_reaped_counts_as_ended():
    import subprocess

    ended = subprocess.Popen(["true"])
    deadline = time.monotonic() + 10
    while open(f"/proc/{ended.pid}/stat").read().rsplit(")", 1)[-1].split()[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.02)  # exited, and not waited for: a zombie, as the controller's template is until the run ends
    assert not forked_kernels.Template(ended.pid, "/nowhere").alive()
    ended.wait()
    running = subprocess.Popen(["sleep", "30"])
    try:
        assert forked_kernels.Template(running.pid, "/nowhere").alive()
    finally:
        running.kill()
        running.wait()
