"""The package compiled once per run, in the template, for every kernel and worker forked from it (issue 14).

The template (``tests/forked_kernels.py``) imports every module of the
package to load the libraries it needs, then drops the package from
``sys.modules``: each kernel and test worker forked from it imports the
package anew, as a new process would. Where Python writes no bytecode
(``PYTHONDONTWRITEBYTECODE``, as on the project's machines) each of those
imports compiled all of the package's modules from source again, some
0.2-0.3 s of CPU per process, for a dozen processes a run.

The template keeps what it compiled, with the source it compiled it from.
A process forked from it that imports a module whose source is, byte for
byte, the source the template compiled gets the template's code object:
compiling is a function of the source, the file name and the flags alone,
so that is the object ``compile`` would return. Any other source (a module
edited since, any file outside the package) is compiled as usual. The
module is still executed anew in each process; only its compilation is
shared, as a ``.pyc`` file would share it.

Python's own import machinery reads and compiles the source
(``SourceFileLoader.get_code``); only its ``source_to_code`` step is
replaced, in the template and so in its forks, never in the test run's
controller or in a process started the usual way.
"""

from __future__ import annotations

import importlib.machinery
import os
from collections.abc import Callable
from pathlib import Path


def keep_compiled(folder: Path) -> Callable[[], None]:
    """From now on, keep the code of the modules compiled from files in ``folder``, and serve it again.

    Returns
    -------
    callable
        Puts Python's own ``source_to_code`` back (the tests' clean-up; the template never calls it).
        The function installed has two attributes: ``kept``, the paths whose code is kept, and
        ``served``, the paths whose kept code was served.
    """
    loader = importlib.machinery.SourceFileLoader
    compile_source = loader.source_to_code
    own = "source_to_code" in vars(loader)  # Python's is SourceLoader's, inherited
    inside = str(Path(folder).resolve()) + os.sep
    kept: dict[str, tuple[bytes, object]] = {}
    served: list[str] = []

    def source_to_code(self, data, path, *args, **kwargs):
        if args or kwargs:  # another optimisation level than the interpreter's: not what was kept
            return compile_source(self, data, path, *args, **kwargs)
        path = os.fspath(path)
        source = bytes(data)
        known = kept.get(path)
        if known is not None and known[0] == source:
            served.append(path)
            return known[1]
        code = compile_source(self, data, path)
        if path.startswith(inside):
            kept[path] = (source, code)
        return code

    source_to_code.kept = kept
    source_to_code.served = served
    loader.source_to_code = source_to_code

    def restore() -> None:
        if own:
            loader.source_to_code = compile_source
        else:
            del loader.source_to_code

    return restore


def sharing():
    """The installed function (with ``kept`` and ``served``), or None if this process compiles as usual."""
    current = importlib.machinery.SourceFileLoader.source_to_code
    return current if hasattr(current, "served") else None
