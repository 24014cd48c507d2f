"""nbval's kernels and the test workers forked from one template process (tests/forked_kernels.py, tests/worker_launcher.py)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time

import pytest

from tests import forked_kernels
from tests.conftest import ROOT

LAUNCHER = ROOT / "tests" / "worker_launcher.py"

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


def test_a_kernel_imports_the_package_anew_with_the_code_compiled_in_the_template(two_kernels):
    # Executed anew (the state test above: no module of the package comes imported), compiled once (compiled_sources.py).
    _, [_, (_, kc)] = two_kernels
    code = ("import importlib.machinery, bolero_evidence.stats.exact as exact\n"
            "served = importlib.machinery.SourceFileLoader.source_to_code.served\n"
            "print(exact.__file__ in served)")
    assert run(kc, code)[1] == "True\n"


def test_a_kernel_starts_without_the_debugger_and_runs_cells_as_usual(two_kernels):
    _, [(_, kc), _] = two_kernels
    kc.kernel_info()
    reply = kc.get_shell_msg(timeout=30)
    assert "debugger" not in reply["content"].get("supported_features", [])
    content, printed = run(kc, "try:\n    import debugpy\nexcept ImportError:\n    print('absent')\nprint(sum(range(10)))")
    assert content["status"] == "ok" and printed == "absent\n45\n"


def test_a_kernel_is_ready_once_iopub_carries_its_messages(two_kernels):
    # The start waits for a message on IOPub, not only the shell's reply: the first cell's output is not lost.
    folder = two_kernels[0]
    km, kc = forked_kernels.start_new_kernel(kernel_name="python3", cwd=str(folder))
    try:
        assert run(kc, "print('first')")[1] == "first\n"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_an_interrupt_stops_the_running_cell(two_kernels):
    _, [(km, kc), _] = two_kernels
    # stop_on_error=False: after an error ipykernel aborts the requests that arrive until it has flushed its
    # queue, and the next request may arrive first (a test that failed now and then with "aborted").
    sleeping = kc.execute("import time; time.sleep(60)", stop_on_error=False)
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
    import asyncio

    _, [_, (km, kc)] = two_kernels
    pid = json.loads(run(kc, STATE)[1])["pid"]
    # The provisioner's kill returns once the process is gone, so that jupyter_client finds it ended at its first
    # look instead of sleeping 0.1 s before the next (each notebook's kernel is stopped this way).
    asyncio.run(km.provisioner.kill())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    # nbval's stop: the manager sees the kernel ended and cleans up after it.
    km.shutdown_kernel(now=True)
    assert not km.is_alive()


def test_a_connection_without_a_request_does_not_end_the_template(two_kernels):
    import socket

    template = forked_kernels._template
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.connect(template.address)
    folder, _ = two_kernels
    km, kc = forked_kernels.start_new_kernel(kernel_name="python3", cwd=str(folder))
    try:
        content, printed = run(kc, "print(1 + 1)")
        assert content["status"] == "ok" and printed == "2\n"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert template.alive()


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


def test_the_controller_of_a_run_with_workers_starts_a_template_and_forks_its_workers_from_it(monkeypatch):
    class Started:
        pid, address, process = 2**22 + 7, "/somewhere/template", None

    class Option:
        numprocesses, tx = 2, ["popen", "popen", "ssh=elsewhere"]

    class Config:
        option = Option()

        def getoption(self, name, default=None):
            return getattr(self.option, name, default)

    monkeypatch.delenv(forked_kernels.ADDRESS_VARIABLE, raising=False)
    monkeypatch.setattr(forked_kernels, "_shared", None)
    monkeypatch.setattr(forked_kernels.Template, "start", classmethod(lambda cls: Started()))
    config = Config()
    forked_kernels.install(config)
    assert os.environ[forked_kernels.ADDRESS_VARIABLE] == f"{Started.pid}:{Started.address}"
    launcher = shlex.join([sys.executable, "-I", "-S", str(LAUNCHER)])
    assert config.option.tx == [f"popen//python={launcher}"] * 2 + ["ssh=elsewhere"], "xdist's own workers only"
    # A worker (it has workerinput) or a run without workers starts none.
    monkeypatch.delenv(forked_kernels.ADDRESS_VARIABLE)
    config.workerinput = {}
    forked_kernels.install(config)
    del config.workerinput
    config.option.numprocesses = 0
    forked_kernels.install(config)
    assert forked_kernels.ADDRESS_VARIABLE not in os.environ


# --- test workers forked from the template (tests/worker_launcher.py) ----------------------------------------------


# The backend named by the settings, before pyplot resolves one (None: not named, chosen at first use).
BACKEND_SET = "matplotlib.rcParams._get_backend_or_none()"


def _launch(code: str, *, env: dict | None = None, cwd=None, stdin: str = "") -> subprocess.CompletedProcess:
    """Run ``code`` as pytest-xdist starts a worker: the launcher given as its Python, ``-u -c <code>``."""
    return subprocess.run([sys.executable, "-I", "-S", str(LAUNCHER), "-u", "-c", code], input=stdin, capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120)


def test_this_worker_was_forked_from_the_template():
    shared = os.environ.get(forked_kernels.ADDRESS_VARIABLE)
    if not os.environ.get("PYTEST_XDIST_WORKER") or not shared:
        pytest.skip("not a test worker of a run with a template (-n 0, or BOLERO_NBVAL_FORK=0)")
    assert os.getppid() == int(shared.split(":", 1)[0])


def test_the_launcher_hands_its_streams_folder_and_environment_to_a_process_forked_from_the_template(tmp_path):
    template = forked_kernels._template_to_fork()
    env = {**os.environ, forked_kernels.ADDRESS_VARIABLE: f"{template.pid}:{template.address}", "PROBE": "given"}
    code = ("import json, os, sys, matplotlib; line = sys.stdin.readline(); "
            "print(json.dumps([os.getppid(), os.getcwd(), os.environ['PROBE'], line, 'pandas' in sys.modules, "
            f"{BACKEND_SET}])); print('to stderr', file=sys.stderr); sys.exit(5)")
    done = _launch(code, env=env, cwd=tmp_path, stdin="read from the launcher's input\n")
    ppid, cwd, probe, line, preloaded, backend = json.loads(done.stdout)
    assert ppid == template.pid, "forked from the template, not started by the launcher"
    assert (cwd, probe, line) == (str(tmp_path), "given", "read from the launcher's input\n")
    assert preloaded and done.stderr == "to stderr\n"
    assert done.returncode == 5, "the worker's exit status is the launcher's"
    # The template imported pyplot with the kernels' inline backend; a worker has the one a new process gets.
    fresh = subprocess.run([sys.executable, "-c", f"import matplotlib; print({BACKEND_SET})"], env=env, capture_output=True,
                           text=True, check=True).stdout.strip()
    assert str(backend) == fresh and "inline" not in fresh


def test_without_a_template_the_launcher_is_python(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != forked_kernels.ADDRESS_VARIABLE}
    done = _launch("import os, sys; print(os.getppid()); sys.exit(3)", env=env)
    assert done.returncode == 3 and int(done.stdout) == os.getpid(), "the launcher became Python itself (exec)"
    gone = {**env, forked_kernels.ADDRESS_VARIABLE: f"{2**22 + 12345}:{tmp_path / 'template'}"}
    done = _launch("print('as usual')", env=gone)
    assert (done.returncode, done.stdout) == (0, "as usual\n")


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


# --- nbval's debug log ----------------------------------------------------------------------------------------------


class _Message(dict):
    """A kernel message that records each time it is formatted."""

    formatted = 0

    def __repr__(self) -> str:
        type(self).formatted += 1
        return "{'msg_type': 'display_data'}"


def test_nbval_formats_a_kernel_message_only_when_debug_is_logged(caplog):
    import logging

    import nbval.kernel

    message = _Message()
    nbval.kernel.logger.debug("Kernel message (%s):\n%s", "iopub", nbval.kernel.pformat(message))
    assert _Message.formatted == 0, "formatted for a log record nobody keeps"
    with caplog.at_level(logging.DEBUG, logger=nbval.kernel.logger.name):
        nbval.kernel.logger.debug("Kernel message (%s):\n%s", "iopub", nbval.kernel.pformat(message))
    assert "Kernel message (iopub):\n{'msg_type': 'display_data'}" in caplog.text
    assert _Message.formatted >= 1  # once per handler that writes the record
