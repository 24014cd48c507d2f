"""nbval's kernels forked from a process that has already imported the libraries (issue 14: the test run's time).

Every notebook still runs in a kernel of its own, a new process that has run
no notebook code before; nbval compares its outputs as strictly as ever. What
changes is how that process starts. A new ``python -m ipykernel_launcher``
spends about 3.4 s of CPU before the notebook's first cell computes anything:
1 s to start the kernel, 2.4 s to import pandas, scipy.stats and statsmodels
(the package imports them). Nine notebooks paid that nine times, half of the
notebooks' share of the run. Here one *template* process imports ipykernel
and the libraries once; each kernel is ``os.fork()`` of it and starts
ipykernel's application as ``ipykernel_launcher`` does, with the
connection file, working folder and environment jupyter_client chose, but
without ipykernel's debugger (debugpy is marked absent in the kernel: its
import was half of a forked kernel's start, and nbval never debugs). The
template's heap is frozen (``gc.freeze``) before it forks, so its forks'
garbage collections leave the inherited objects alone.

In a run with test workers (pytest-xdist), the controller starts the
template when the run begins, and the workers ask it for kernels over a Unix
socket (``$BOLERO_KERNEL_TEMPLATE``): the imports are paid once per run. A process without a template of the
controller's (``-n 0``, or the template ended) starts its own at its first
kernel.

What the template imports is decided by importing every module of the
package (its build machinery apart) and pyplot, which five notebooks draw
with; the package's own modules are then removed from ``sys.modules``, so
each kernel imports ``bolero_evidence`` anew from the checkout, as a new
process would. The libraries' import-time settings come from the
environment the template was started with, the test run's (one BLAS thread,
set by tests/conftest.py); a kernel's environment differs from it only by
the jupyter_client and pytest-xdist variables (connection, parent process,
worker name), which no library reads at import.

The test workers are forked from the same template (issue 14: each worker
spent some 5 s of CPU importing the same libraries to collect the tests). The
controller gives pytest-xdist ``tests/worker_launcher.py`` as the Python of
its workers (``--tx popen//python=...``); xdist starts it as it would start
Python, and it hands its standard streams, arguments, folder and environment
to the template, which forks a process that runs xdist's bootstrap on them.
That process drops the template's modules of this checkout (``tests``, the
package), so the tests and the package are imported anew, and resets what
the template's environment set at import: matplotlib's backend (the
kernels' inline one), to the one a new process has. Where the launcher finds
no template, it becomes Python itself: the worker starts as usual.

jupyter_client manages the forked kernel through its own provisioner
(``LocalProvisioner``), given a process object that stands for the fork:
it polls, signals and kills the kernel's process group as it would a child's.
The template ignores SIGCHLD, so the system reaps an ended kernel and the
process object sees it gone.

Not used on Windows (no fork), or when ``BOLERO_NBVAL_FORK=0``: nbval then
starts its kernels, and xdist its workers, as usual. ``tests/test_forked_kernels.py`` tests
the mechanism.
"""

from __future__ import annotations

import gc
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

# Only the standard library at module level: tests/worker_launcher.py imports this module under ``python -I -S``.
ROOT = Path(__file__).resolve().parents[1]
SWITCH = "BOLERO_NBVAL_FORK"
# Not imported by the template: the build's own machinery (nbclient, pandoc, Typst), which no notebook uses.
NOT_PRELOADED = ("bolero_evidence.pipeline", "bolero_evidence.cli")
OWN_PACKAGE = "bolero_evidence"
IMPORTED_ON_FIRST_USE = ("frictionless",)


def enabled() -> bool:
    return hasattr(os, "fork") and os.environ.get(SWITCH, "1") != "0"


# --- the template process -------------------------------------------------------------------------------------


def serve(address: str) -> None:
    """The template: import, then fork a kernel for each request (one JSON line per connection to ``address``).

    It listens only once everything is imported, so a worker that connects earlier waits. It ends when its
    standard input closes: the process that started it (the test run's controller, or a worker) has finished.
    """
    import importlib
    import importlib.util
    import pkgutil
    import selectors
    import socket

    import ipykernel.ipkernel  # noqa: F401  (the kernel itself, IPython, zmq, tornado)
    import ipykernel.kernelapp  # noqa: F401

    # The package's modules compiled here once, for every fork that imports them anew (compiled_sources.py).
    from tests.compiled_sources import keep_compiled

    keep_compiled(Path(importlib.util.find_spec(OWN_PACKAGE).origin).parent)
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

    # What the package imports only when a function first needs it: the schema library of validation, which
    # every test worker runs (a kernel whose data passed validation before never imports it, nor pays for it).
    for name in IMPORTED_ON_FIRST_USE:
        importlib.import_module(name)

    for name in [name for name in sys.modules if name == OWN_PACKAGE or name.startswith(OWN_PACKAGE + ".")]:
        del sys.modules[name]
    # What the template holds now lives as long as its forks: frozen, it is left out of their garbage
    # collections (each full collection walked the whole inherited heap, and wrote to every page of it in a
    # process that shares those pages with the template: 1.6 s of collection per test worker, 1.1 s frozen).
    gc.collect()
    gc.freeze()
    # Ended kernels are reaped by the system: no zombie, and the worker sees the process gone.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    # Ctrl-C in the terminal reaches the whole process group: pytest stops the run, and the template ends when
    # its standard input closes (a KeyboardInterrupt here would only print a traceback).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen()
    events = selectors.DefaultSelector()
    events.register(listener, selectors.EVENT_READ)
    events.register(sys.stdin.buffer, selectors.EVENT_READ)
    while True:
        for key, _ in events.select():
            if key.fileobj is not listener:
                if not sys.stdin.buffer.read1(1024):
                    # Nothing to save, and an interpreter holding pandas, SciPy and statsmodels takes most of
                    # a second to tear down.
                    os._exit(0)
                continue
            connection, _ = listener.accept()
            with connection:
                line, streams = _read_request(connection)
                if not line.strip():  # a connection closed without a request (a probe): nothing to start
                    for fd in streams:
                        os.close(fd)
                    continue
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    events.close()
                    if request.get("kind") == "worker":
                        _become_worker(request, streams, connection)  # never returns
                    connection.close()
                    _become_kernel(request)  # never returns
                for fd in streams:
                    os.close(fd)
                if request.get("kind") != "worker":  # a worker tells its launcher itself
                    connection.sendall(f"{pid}\n".encode())


def _read_request(connection) -> tuple[bytes, list[int]]:
    """One request line, and the file descriptors sent with it (a worker's standard streams)."""
    import socket

    data, streams = b"", []
    while not data.endswith(b"\n"):
        chunk, fds, _, _ = socket.recv_fds(connection, 65536, 3)
        streams += fds
        if not chunk:
            break
        data += chunk
    return data, streams


def _read_line(connection) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def _become_kernel(request: dict) -> None:
    status = 1
    try:
        os.setsid()  # a process group of its own, as jupyter_client starts a kernel (start_new_session)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a new interpreter: an interrupt stops the cell
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # not the template's standard streams
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

        # ipykernel imports its debugger (debugpy and pydevd) as each kernel starts: 0.3 s of the 0.6 s a
        # forked kernel took to answer. nbval never debugs. Marked absent, debugpy is what it is where it is
        # not installed: the kernel runs cells the same way, and its kernel_info lists no debugger. (Imported
        # in the template instead, its side effects would reach the test workers forked from it too.)
        sys.modules["debugpy"] = None
        kernelapp.launch_new_instance()
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else 0
    finally:
        os._exit(status)


def _become_worker(request: dict, streams: list[int], connection) -> None:
    """Run pytest-xdist's bootstrap on the launcher's streams, as ``python -u -c <bootstrap>`` would (worker_launcher.py)."""
    import atexit
    import io
    import types

    status = 1
    try:
        connection.sendall(f"{os.getpid()}\n".encode())
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the worker waits for its own subprocesses (pandoc)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for target, fd in zip((0, 1, 2), streams, strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # What the template's environment changed at import: matplotlib's backend (the kernels' inline one).
        import matplotlib

        if os.environ.get("MPLBACKEND"):
            matplotlib.rcParams["backend"] = os.environ["MPLBACKEND"]
        else:
            matplotlib.rcParams._set("backend", matplotlib.rcParamsOrig["backend"])
        # New standard streams on the launcher's descriptors, unbuffered as with -u.
        sys.stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "rb", closefd=False)))
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "wb", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "wb", closefd=False), write_through=True, errors="backslashreplace")
        # The worker imports the tests (through pytest, which rewrites their asserts) and the package anew.
        for name in [name for name in sys.modules if name.split(".")[0] in ("tests", OWN_PACKAGE)]:
            del sys.modules[name]
        arguments = request["argv"]
        code = arguments[arguments.index("-c") + 1]
        sys.argv = ["-c", *arguments[arguments.index("-c") + 2:]]
        main = types.ModuleType("__main__")
        sys.modules["__main__"] = main
        exec(compile(code, "<string>", "exec"), main.__dict__)  # noqa: S102 - pytest-xdist's own bootstrap line
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            connection.sendall(f"{status}\n".encode())
            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(status)


# --- the worker's side ------------------------------------------------------------------------------------------


class TemplateEnded(RuntimeError):
    """The template process is gone: a kernel cannot be forked from it."""


class Template:
    """A template process: started by this process (``start``), or by the test run's controller (``attach``)."""

    def __init__(self, pid: int, address: str, process: subprocess.Popen | None = None) -> None:
        self.pid, self.address, self.process = pid, address, process

    @classmethod
    def start(cls) -> Template:
        """Start a template; it is ready when it listens (``fork`` waits for that)."""
        address = os.path.join(tempfile.mkdtemp(prefix="bolero-kernels-"), "template")
        process = subprocess.Popen([sys.executable, "-c", "import sys; from tests.forked_kernels import serve; serve(sys.argv[1])",
                                    address], cwd=ROOT, stdin=subprocess.PIPE)
        return cls(process.pid, address, process)

    @classmethod
    def attach(cls, shared: str) -> Template:
        """The template named by ``$BOLERO_KERNEL_TEMPLATE`` (``pid:address``), started by the controller."""
        pid, address = shared.split(":", 1)
        return cls(int(pid), address)

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        # The controller's template, ended but not yet reaped by the controller, is a zombie: gone all the same.
        stat = Path(f"/proc/{self.pid}/stat")
        return not (stat.exists() and stat.read_text().rsplit(")", 1)[-1].split()[0] == "Z")

    def connect(self, *, ready_within: float = 120.0):
        """A connection to the template once it listens (it listens when its imports are done).

        Raises
        ------
        TemplateEnded
            The template is gone, or did not listen within ``ready_within`` seconds.
        """
        import socket

        deadline = time.monotonic() + ready_within
        while True:
            connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                connection.connect(self.address)
                return connection
            except (FileNotFoundError, ConnectionRefusedError):
                connection.close()
                # Still importing, or gone.
                if not self.alive() or time.monotonic() > deadline:
                    raise TemplateEnded(f"no kernel template listening at {self.address} (process {self.pid})") from None
                time.sleep(0.05)

    def fork(self, argv: list[str], cwd: str, env: dict[str, str], *, ready_within: float = 120.0) -> int:
        """A kernel forked from the template; its process id."""
        request = json.dumps({"argv": argv, "cwd": cwd, "env": env}).encode() + b"\n"
        with self.connect(ready_within=ready_within) as connection:
            connection.sendall(request)
            reply = _read_line(connection)
        if not reply.strip().isdigit():
            raise TemplateEnded(f"the kernel template (process {self.pid}) ended")
        return int(reply)

    def close(self) -> None:
        """End a template this process started (it exits when its standard input closes)."""
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=10)
            shutil.rmtree(os.path.dirname(self.address), ignore_errors=True)


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


ADDRESS_VARIABLE = "BOLERO_KERNEL_TEMPLATE"
# How long a killed kernel is waited for before jupyter_client's own wait (up to 5 s) takes over.
KILLED_WITHIN = 1.0
_template: Template | None = None  # the template this process forks its kernels from
_shared: Template | None = None  # the template the controller started for its workers


def _template_to_fork() -> Template:
    """The controller's template if there is one and it lives, else one of this process's own."""
    global _template
    if _template is None or not _template.alive():
        shared = os.environ.get(ADDRESS_VARIABLE)
        attached = Template.attach(shared) if shared else None
        _template = attached if attached is not None and attached.alive() else Template.start()
    return _template


def _fork(cmd: list[str], cwd: str, env: dict[str, str]) -> int:
    global _template
    template = _template_to_fork()
    try:
        return template.fork(cmd, cwd, env)
    except TemplateEnded:
        if template.process is not None:
            raise
        _template = Template.start()  # the controller's template ended: one of this worker's own
        return _template.fork(cmd, cwd, env)


def template_pid() -> int | None:
    """The process id of the template this process forks its kernels from (None before the first kernel)."""
    return None if _template is None else _template.pid


def _provisioner_class():
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd, **kwargs):
            if not _is_this_python_kernel(cmd):  # another interpreter or kernel: started as usual
                return await super().launch_kernel(cmd, **kwargs)
            env = {key: str(value) for key, value in (kwargs.get("env") or os.environ).items()}
            cwd = str(kwargs.get("cwd") or os.getcwd())
            pid = _fork(list(cmd), cwd, env)
            self.process = ForkedProcess(pid)
            self.pid = self.pgid = pid
            self.cwd = cwd
            return self.connection_info

        async def kill(self, restart=False):
            await super().kill(restart=restart)
            # The kernel killed, wait here until it is gone: jupyter_client then finds it ended at its first look.
            # It looks again only after 0.1 s, and a killed kernel is gone within milliseconds: nine notebooks
            # waited almost a second per run for nothing (issue 14).
            import asyncio

            deadline = time.monotonic() + KILLED_WITHIN
            while self.process is not None and self.process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.002)

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
        _wait_for_kernel_info(km, kc, timeout=startup_timeout)
    except RuntimeError:
        logger.exception('Failure starting kernel "%s"', kernel_name)
        kc.stop_channels()
        km.shutdown_kernel()
        raise
    return km, kc


def _wait_for_kernel_info(km, kc, *, timeout: float) -> None:
    """jupyter_client's ``wait_for_ready`` without its last wait: IOPub is not drained for 0.2 s.

    As ``wait_for_ready``: ask ``kernel_info`` until the kernel answers on the shell channel and a message
    reaches IOPub too (the subscription is up: a message the kernel publishes earlier is lost), asking again
    otherwise. ``wait_for_ready`` then reads IOPub until it has been quiet for 0.2 s; nbval skips messages
    of other requests anyway (``RunningKernel.await_idle``), so that time was only waited (issue 14).
    """
    from queue import Empty

    deadline = time.monotonic() + timeout
    while True:
        kc.kernel_info()
        try:
            reply = kc.get_shell_msg(timeout=1)
        except Empty:
            reply = None
        if reply is not None and reply["msg_type"] == "kernel_info_reply":
            try:
                kc.get_iopub_msg(timeout=0.2)
            except Empty:
                pass  # IOPub not yet connected: ask again
            else:
                kc._handle_kernel_info_reply(reply)
                return
        if not km.is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")


class _FormattedWhenLogged:
    """``pprint.pformat(message)``, computed only if a log record is made of it (``%s`` in a logging call)."""

    def __init__(self, message: object) -> None:
        self.message = message

    def __str__(self) -> str:
        from pprint import pformat

        return pformat(self.message)


def controls_workers(config) -> bool:
    """Whether this process is the controller of a run with test workers (pytest-xdist's ``-n``)."""
    workers = config.getoption("numprocesses", None)  # a number, "auto" or "logical"
    return not hasattr(config, "workerinput") and workers not in (None, 0, "0")


def install(config) -> None:
    """Make nbval start its kernels here (tests/conftest.py calls this when the run starts).

    The controller of a run with test workers (pytest-xdist) starts one template for all of them, and has
    xdist fork its workers from it too: the imports are paid once per run, not once per worker and kernel.
    """
    global _shared
    if not enabled():
        return
    import nbval.kernel

    nbval.kernel.start_new_kernel = start_new_kernel
    # nbval logs every kernel message at debug level, formatting it first whether or not debug is on: the
    # notebooks' images and tables, pretty-printed and thrown away (half a second per run). Formatted when logged.
    nbval.kernel.pformat = _FormattedWhenLogged
    if controls_workers(config) and ADDRESS_VARIABLE not in os.environ:
        _shared = Template.start()
        os.environ[ADDRESS_VARIABLE] = f"{_shared.pid}:{_shared.address}"  # the workers inherit it
        # The workers too are forked from it (worker_launcher.py): xdist starts each "Python" given here.
        launcher = shlex.join([sys.executable, "-I", "-S", str(ROOT / "tests" / "worker_launcher.py")])
        config.option.tx = [f"popen//python={launcher}" if spec == "popen" else spec for spec in config.option.tx]


def close() -> None:
    """End the templates this process started (their kernels have ended; one left running would end with them)."""
    global _template, _shared
    for template in (_template, _shared):
        if template is not None:
            template.close()
    if _shared is not None and os.environ.get(ADDRESS_VARIABLE, "").startswith(f"{_shared.pid}:"):
        del os.environ[ADDRESS_VARIABLE]
    _template = _shared = None
