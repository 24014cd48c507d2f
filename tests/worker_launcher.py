"""The "Python" pytest-xdist starts each test worker with: it asks the template for a worker forked from it.

``tests/forked_kernels.py`` gives xdist this file as the interpreter of its
workers (``--tx popen//python=...``). xdist runs it as it would run Python,
``... -u -c "<bootstrap>"``, with pipes for standard input and output. It
connects to the template (``$BOLERO_KERNEL_TEMPLATE``), hands over its three
standard streams and its arguments, folder and environment, and the
template forks a process that runs the bootstrap on those streams: a test
worker that finds pandas, SciPy, statsmodels and matplotlib imported. This
process then waits for that worker to end and exits with its status.

Where there is no template to ask (it ended, or none was started), this
process becomes the interpreter xdist asked for: the worker starts as usual.

Run with ``python -I -S``: only the standard library (and the client side
of ``forked_kernels.py``), nothing the environment could change, a few
milliseconds to start.
"""

import json
import os
import signal
import socket
import sys

# The template's client side, shared with the kernels' (-I leaves this file's folder off the path).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from forked_kernels import ADDRESS_VARIABLE, Template, TemplateEnded  # noqa: E402


def _connect(shared: str) -> socket.socket | None:
    """A connection to the template named by ``$BOLERO_KERNEL_TEMPLATE``, once it listens; None if it is gone."""
    try:
        return Template.attach(shared).connect()
    except TemplateEnded:
        return None


def _as_usual(arguments: list[str]) -> None:
    os.execv(sys.executable, [sys.executable, *arguments])


def main(arguments: list[str]) -> int:
    shared = os.environ.get(ADDRESS_VARIABLE)
    connection = _connect(shared) if shared else None
    if connection is None:
        _as_usual(arguments)
    request = json.dumps({"kind": "worker", "argv": arguments, "cwd": os.getcwd(), "env": dict(os.environ)}).encode() + b"\n"
    with connection, connection.makefile("rb") as replies:
        socket.send_fds(connection, [request], [0, 1, 2])
        forked = replies.readline().strip()
        if not forked.isdigit():
            # The template ended before it forked: nothing ran on the streams, so the worker starts as usual.
            _as_usual(arguments)
        pid = int(forked)
        # The worker holds the streams now; ours would keep xdist's pipes open after it ended.
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        # Ctrl-C reaches the worker itself (one process group); a request to stop this process goes to the worker.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGTERM))
        status = replies.readline().strip()  # the worker's exit status; nothing if it was killed
    return int(status) if status.lstrip(b"-").isdigit() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
