"""nbval's kernels forked from a process that has already imported the libraries (issue 14: the test run's time).

Every notebook still runs in a kernel of its own, a new process that has run
no notebook code before; nbval compares its outputs as strictly as ever. What
changes is how that process starts. A new ``python -m ipykernel_launcher``
spends about 3.4 s of CPU before the notebook's first cell computes anything:
1 s to start the kernel, 2.4 s to import pandas, scipy.stats and statsmodels
(the package imports them). Nine notebooks pay that nine times, half of the
notebooks' share of the run. Here one *template* process per test worker
imports ipykernel and the libraries once; each kernel is ``os.fork()`` of it
and starts ipykernel's application exactly as ``ipykernel_launcher`` does,
with the connection file, working folder and environment jupyter_client
chose.

What the template imports is decided by importing every module of the
package (its build machinery apart) and pyplot, which five notebooks draw
with; the package's own modules are then removed from ``sys.modules``, so
each kernel imports ``bolero_evidence`` anew from the checkout, as a new
process would. The libraries' import-time settings come
from the environment the template was started with, the test worker's (one
BLAS thread, set by tests/conftest.py); a kernel's environment differs from
it only by the jupyter_client variables (connection, parent process), which
no library reads at import.

jupyter_client manages the forked kernel through its own provisioner
(``LocalProvisioner``), given a process object that stands for the fork:
it polls, signals and kills the kernel's process group as it would a child's.
The template ignores SIGCHLD, so the system reaps an ended kernel and the
process object sees it gone.

Not used on Windows (no fork), or when ``BOLERO_NBVAL_FORK=0``: nbval then
starts its kernels as usual. ``tests/test_forked_kernels.py`` tests
the mechanism.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SWITCH = "BOLERO_NBVAL_FORK"
# Not imported by the template: the build's own machinery (nbclient, pandoc, Typst), which no notebook uses.
NOT_PRELOADED = ("bolero_evidence.pipeline", "bolero_evidence.cli")
OWN_PACKAGE = "bolero_evidence"


def enabled() -> bool:
    return hasattr(os, "fork") and os.environ.get(SWITCH, "1") != "0"


# --- the template process -------------------------------------------------------------------------------------


def serve() -> None:
    """The template: import, then fork a kernel for each request read from stdin (one JSON line each)."""
    import importlib
    import pkgutil

    import ipykernel.ipkernel  # noqa: F401  (the kernel itself, IPython, zmq, tornado)
    import ipykernel.kernelapp  # noqa: F401

    # Every library the package imports: import each of its modules (the notebooks' imports, and the ones the
    # package imports when a function first runs, such as the statistics).
    package = importlib.import_module(OWN_PACKAGE)
    for module in pkgutil.walk_packages(package.__path__, prefix=OWN_PACKAGE + "."):
        if not module.name.startswith(NOT_PRELOADED):
            importlib.import_module(module.name)
    # Five notebooks draw with pyplot. The backend: what ipykernel sets when the environment names none
    # (IPKernelApp.init_gui_pylab), so that pyplot, imported here, finds the one it would find in a new kernel.
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    import matplotlib.pyplot  # noqa: F401

    for name in [name for name in sys.modules if name == OWN_PACKAGE or name.startswith(OWN_PACKAGE + ".")]:
        del sys.modules[name]
    # Ended kernels are reaped by the system: no zombie, and the worker sees the process gone.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    # Ctrl-C in the terminal reaches the whole process group: the worker stops the run, and the template ends
    # when the worker closes its pipe (a KeyboardInterrupt here would only print a traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    replies.write(b"ready\n")
    replies.flush()
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _become_kernel(request)  # never returns
        replies.write(f"{pid}\n".encode())
        replies.flush()
    # The worker closed the pipe: its run is over. Nothing to save, and an interpreter holding pandas, SciPy and
    # statsmodels takes most of a second to tear down.
    os._exit(0)


def _become_kernel(request: dict) -> None:
    status = 1
    try:
        os.setsid()  # a process group of its own, as jupyter_client starts a kernel (start_new_session)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a new interpreter: an interrupt stops the cell
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # not the template's pipes to the worker
            os.dup2(null, fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # the kernel ends if the template does
        # As `python -m ipykernel_launcher` sets them: the working folder first on the path, the arguments.
        sys.path[0] = request["cwd"]
        import importlib.util

        sys.argv = [importlib.util.find_spec(request["argv"][2]).origin, *request["argv"][3:]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 0
    finally:
        os._exit(status)


# --- the worker's side ------------------------------------------------------------------------------------------


class Template:
    """The template process of this test worker, started at the first kernel."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", "from tests.forked_kernels import serve; serve()"],
                                        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        if self.process.stdout.readline() != b"ready\n":
            raise RuntimeError(f"the kernel template did not start (exit {self.process.wait()})")

    def fork(self, argv: list[str], cwd: str, env: dict[str, str]) -> int:
        self.process.stdin.write(json.dumps({"argv": argv, "cwd": cwd, "env": env}).encode() + b"\n")
        self.process.stdin.flush()
        reply = self.process.stdout.readline()
        if not reply.strip().isdigit():
            raise RuntimeError("the kernel template ended")
        return int(reply)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


class ForkedProcess:
    """What jupyter_client's LocalProvisioner needs of a ``Popen`` (poll, wait, signals), for a kernel not its child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0  # the system reaped it (the template ignores SIGCHLD); its status is gone
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


_template: Template | None = None


def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            global _template
            if not _is_this_python_kernel(cmd):  # another interpreter or kernel: started as usual
                return await super().launch_kernel(cmd, **kwargs)
            if _template is None or _template.process.poll() is not None:  # not started yet, or ended (killed)
                _template = Template()
            env = {key: str(value) for key, value in (kwargs.get("env") or os.environ).items()}
            cwd = str(kwargs.get("cwd") or os.getcwd())
            pid = _template.fork(list(cmd), cwd, env)
            self.process = ForkedProcess(pid)
            self.pid = self.pgid = pid
            self.cwd = cwd
            return self.connection_info

    return ForkProvisioner


def _is_this_python_kernel(cmd: list[str]) -> bool:
    return (len(cmd) >= 3 and cmd[1:3] == ["-m", "ipykernel_launcher"]
            and Path(cmd[0]).absolute() == Path(sys.executable).absolute())


def start_new_kernel(startup_timeout=60, kernel_name="python", **kwargs):
    """nbval's ``start_new_kernel``, with the kernel forked from the template."""
    from jupyter_client.manager import KernelManager
    from nbval.kernel import NbvalKernelspecManager, logger

    km = KernelManager(kernel_name=kernel_name, kernel_spec_manager=NbvalKernelspecManager())
    km.kernel_id = str(uuid.uuid4())
    km.provisioner = _provisioner_class()(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    km.start_kernel(**kwargs)
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=startup_timeout)
    except RuntimeError:
        logger.exception('Failure starting kernel "%s"', kernel_name)
        kc.stop_channels()
        km.shutdown_kernel()
        raise
    return km, kc


def install() -> None:
    """Make nbval start its kernels here (tests/conftest.py calls this when the run starts)."""
    if enabled():
        import nbval.kernel

        nbval.kernel.start_new_kernel = start_new_kernel


def close() -> None:
    """End this worker's template (its kernels have ended; one left running would end with it)."""
    global _template
    if _template is not None:
        _template.close()
        _template = None
